package standin

import (
	"context"
	"math/rand/v2"
	"time"
)

// Latency is how long a stand-in takes to answer: uniform in [Min, Max],
// except that a SlowFraction of the requests take Slow instead (the fat tail
// of a replica with a cold cache or a long GC pause).
type Latency struct {
	Min, Max     time.Duration
	SlowFraction float64
	Slow         time.Duration
}

// wait sleeps for one draw of the latency, or until ctx is done (the client
// gave up, so the server stops working for it).
func (l Latency) wait(ctx context.Context) error {
	d := l.Min
	if l.Max > l.Min {
		d += rand.N(l.Max - l.Min)
	}
	if l.SlowFraction > 0 && rand.Float64() < l.SlowFraction {
		d = l.Slow
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
