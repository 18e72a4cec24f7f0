package main

// A prototype of the handover gap: a worker that finds a gap due queues a
// fresh worker for another running worker's call on its own P (a go
// statement, then a second, empty one, so that the fresh worker sits in
// the ordinary run queue, not in runnext), and asks that other worker to
// step aside at its next piece boundary. The P the other worker leaves
// finds its own queues empty, polls the network (findRunnable does before
// it steals), runs what the poll readied, and then steals the fresh
// worker: no P goes idle, so no wake-up latency is paid.

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

func init() {
	for _, ms := range []int{1, 2, 5} {
		modes["p-hand"+string(rune('0'+ms))] = func(ctx context.Context, xs []float64) float64 {
			return handReduce(xs, time.Duration(ms)*time.Millisecond)
		}
	}
}

type handCall struct {
	xs     []float64
	parts  []float64
	pieces int
	next   atomic.Int64
	wg     sync.WaitGroup // helpers
}

type handWorker struct {
	call      *handCall
	slot      int
	stepAside atomic.Bool
}

// handSlots holds the running workers, one per token.
var handSlots [64]atomic.Pointer[handWorker]

var handLastGap atomic.Int64

func handSlot() int {
	for {
		for i := range runtime.GOMAXPROCS(0) {
			if handSlots[i].CompareAndSwap(nil, placeholder) {
				return i
			}
		}
		runtime.Gosched()
	}
}

var placeholder = &handWorker{}

// handAcquire takes a token (a slot) for a caller, waiting FIFO.
func handAcquire() int {
	acquire()
	return handSlot()
}

func handTry() (int, bool) {
	if !tryAcquire() {
		return 0, false
	}
	return handSlot(), true
}

func handRelease(slot int) {
	handSlots[slot].Store(nil)
	release()
}

func (w *handWorker) run(gapEvery time.Duration) (steppedAside bool) {
	handSlots[w.slot].Store(w)
	c := w.call
	last := time.Now()
	for {
		if w.stepAside.Load() {
			return true
		}
		i := int(c.next.Add(1) - 1)
		if i >= c.pieces {
			// Leave for good, unless a handover won the race: then the
			// fresh worker has this worker's token.
			return !w.stepAside.CompareAndSwap(false, true)
		}
		c.parts[i] = sumTerms(c.xs[i*protoPiece : min((i+1)*protoPiece, len(c.xs))])
		if gapEvery > 0 && runtime.GOMAXPROCS(0) > 1 {
			now := int64(time.Since(gapEpoch))
			if prev := handLastGap.Load(); now-prev >= int64(gapEvery) && handLastGap.CompareAndSwap(prev, now) {
				if handOver(w, gapEvery) {
					last = time.Now() // keep the fresh worker in this P's queue
					continue
				}
			}
		}
		if time.Since(last) >= goschedEvery {
			runtime.Gosched()
			last = time.Now()
		}
	}
}

// handOver queues a fresh worker for another running worker's call and
// asks that worker to step aside. It reports whether it found one.
func handOver(self *handWorker, gapEvery time.Duration) bool {
	n := runtime.GOMAXPROCS(0)
	for k := 1; k < n; k++ {
		y := handSlots[(self.slot+k)%n].Load()
		if y == nil || y == placeholder || y.call.next.Load() >= int64(y.call.pieces-2) {
			continue
		}
		y.call.wg.Add(1) // before y can see the step-aside and wait for its call
		if !y.stepAside.CompareAndSwap(false, true) {
			y.call.wg.Done()
			continue
		}
		h := &handWorker{call: y.call, slot: y.slot}
		go func() {
			defer y.call.wg.Done()
			if !h.run(gapEvery) {
				handRelease(h.slot)
			}
		}()
		go func() {}() // takes runnext: h goes to the ordinary, stealable queue
		return true
	}
	return false
}

func handReduce(xs []float64, gapEvery time.Duration) float64 {
	c := &handCall{xs: xs}
	c.pieces = (len(xs) + protoPiece - 1) / protoPiece
	c.parts = make([]float64, c.pieces)
	me := &handWorker{call: c, slot: handAcquire()}
	for range runtime.GOMAXPROCS(0) - 1 {
		slot, ok := handTry()
		if !ok {
			break
		}
		h := &handWorker{call: c, slot: slot}
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			if !h.run(gapEvery) {
				handRelease(h.slot)
			}
		}()
	}
	if !me.run(gapEvery) {
		handRelease(me.slot)
	}
	c.wg.Wait()
	s := 0.0
	for _, p := range c.parts {
		s += p
	}
	return s
}
