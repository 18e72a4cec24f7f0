package standin

import "sync/atomic"

// gauge counts requests in flight and remembers the highest count seen.
type gauge struct {
	now, peak atomic.Int64
}

func (g *gauge) Inc() {
	n := g.now.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
}

func (g *gauge) Dec() { g.now.Add(-1) }

func (g *gauge) Peak() int64 { return g.peak.Load() }
