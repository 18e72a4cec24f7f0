package main

// Prototypes of the scheduling mechanisms issue #15 asks about, written by
// hand so that the phases can compare them before one goes into parallel.

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

func init() {
	modes["p-gosched"] = func(ctx context.Context, xs []float64) float64 { return protoReduce(xs, 0) }
	for _, ms := range []int{1, 2, 5} {
		modes[fmt.Sprintf("p-gap%d", ms)] = func(ctx context.Context, xs []float64) float64 {
			return protoReduce(xs, time.Duration(ms)*time.Millisecond)
		}
	}
}

// lastGap is when a worker last took a gap, in ns since gapEpoch: gaps are
// spaced process-wide, not per worker.
var (
	lastGap  atomic.Int64
	gapEpoch = time.Now()
)

// tokens is the process-wide CPU budget of the prototypes: GOMAXPROCS
// goroutines compute at once, callers included; others wait in FIFO.
var tokens = struct {
	mu      sync.Mutex
	free    int
	inited  bool
	waiters []chan struct{}
}{}

func acquire() {
	tokens.mu.Lock()
	if !tokens.inited {
		tokens.free, tokens.inited = runtime.GOMAXPROCS(0), true
	}
	if tokens.free > 0 && len(tokens.waiters) == 0 {
		tokens.free--
		tokens.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	tokens.waiters = append(tokens.waiters, ch)
	tokens.mu.Unlock()
	<-ch // the releaser handed its token over
}

func tryAcquire() bool {
	tokens.mu.Lock()
	defer tokens.mu.Unlock()
	if !tokens.inited {
		tokens.free, tokens.inited = runtime.GOMAXPROCS(0), true
	}
	if tokens.free > 0 && len(tokens.waiters) == 0 {
		tokens.free--
		return true
	}
	return false
}

func release() {
	tokens.mu.Lock()
	if len(tokens.waiters) > 0 {
		ch := tokens.waiters[0]
		tokens.waiters = tokens.waiters[1:]
		tokens.mu.Unlock()
		close(ch)
		return
	}
	tokens.free++
	tokens.mu.Unlock()
}

// gapped holds the workers parked in a gap, for a peer to wake.
var gapped = struct {
	mu  sync.Mutex
	n   atomic.Int32
	chs []chan struct{}
}{}

func wakeGapped() bool {
	if gapped.n.Load() == 0 {
		return false
	}
	gapped.mu.Lock()
	if len(gapped.chs) > 0 {
		ch := gapped.chs[0]
		gapped.chs = gapped.chs[1:]
		gapped.n.Add(-1)
		gapped.mu.Unlock()
		close(ch)
		return true
	}
	gapped.mu.Unlock()
	return false
}

// gap parks the calling worker out of every run queue, so that its P
// looks for other work (and polls the network) once, until a peer's piece
// boundary or a fallback timer wakes it.
func gap() {
	ch := make(chan struct{})
	gapped.mu.Lock()
	gapped.chs = append(gapped.chs, ch)
	gapped.n.Add(1)
	gapped.mu.Unlock()
	t := time.NewTimer(time.Millisecond)
	t0 := time.Now()
	defer func() { gapStats.add(time.Since(t0)) }()
	select {
	case <-ch:
		t.Stop()
	case <-t.C:
		gapStats.timeouts.Add(1)
		gapped.mu.Lock()
		for i, c := range gapped.chs {
			if c == ch {
				gapped.chs = append(gapped.chs[:i], gapped.chs[i+1:]...)
				gapped.n.Add(-1)
				break
			}
		}
		gapped.mu.Unlock()
	}
}

const protoPiece = 2_000

var goschedEvery = 500 * time.Microsecond

var kick = os.Getenv("KICK") != ""

// active counts the workers of every call in their loop, process-wide.
var active atomic.Int32

func protoReduce(xs []float64, gapEvery time.Duration) float64 {
	acquire()
	pieces := (len(xs) + protoPiece - 1) / protoPiece
	parts := make([]float64, pieces)
	var next atomic.Int64
	work := func() {
		active.Add(1)
		defer active.Add(-1)
		last := time.Now()
		for {
			i := int(next.Add(1) - 1)
			if i >= pieces {
				for gapped.n.Load() > 0 {
					wakeGapped()
				}
				return
			}
			parts[i] = sumTerms(xs[i*protoPiece : min((i+1)*protoPiece, len(xs))])
			if wakeGapped() {
				// The woken peer is in this P's runnext, where an idle P
				// steals it only after a usleep(3) (tens of µs with the
				// kernel's timer slack). A new goroutine takes runnext and
				// pushes the peer into the ordinary run queue, which the
				// idle P steals from at once; the new one just exits.
				if kick {
					go func() {}()
				}
				last = time.Now()
			}
			if gapEvery > 0 && runtime.GOMAXPROCS(0) > 1 && gapped.n.Load() == 0 &&
				int(active.Load()) >= runtime.GOMAXPROCS(0) && pieces-int(next.Load()) > 2*int(active.Load()) {
				now := int64(time.Since(gapEpoch))
				if prev := lastGap.Load(); now-prev >= int64(gapEvery) && lastGap.CompareAndSwap(prev, now) {
					gap()
					last = time.Now()
					continue
				}
			}
			if time.Since(last) >= goschedEvery {
				runtime.Gosched()
				last = time.Now()
			}
		}
	}
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) - 1 {
		if !tryAcquire() {
			break
		}
		wg.Go(func() { defer release(); work() })
	}
	work()
	release()
	wg.Wait()
	s := 0.0
	for _, p := range parts {
		s += p
	}
	return s
}

type gapRecorder struct {
	mu       sync.Mutex
	d        []time.Duration
	timeouts atomic.Int64
}

var gapStats gapRecorder

func (g *gapRecorder) add(d time.Duration) {
	g.mu.Lock()
	g.d = append(g.d, d)
	g.mu.Unlock()
}
