package parallel

import (
	"context"
	"time"

	"github.com/tandem-go/tandem/internal/catch"
	"github.com/tandem-go/tandem/internal/clock"
)

// chunkTarget is the duration a claim aims at: chunks double while they take
// less, so per-claim costs (an atomic and a clock read) stay a small share,
// and halve when they take far more, so a failure or a cancellation is seen
// within a few chunk lengths.
const chunkTarget = 20 * time.Microsecond

// epoch is the origin of elapsed: nothing runs at import but one clock read.
var epoch = clock.Start()

// elapsed reads the monotonic clock alone, half the cost of time.Now, which
// reads the wall clock too; the inline path of a tiny call reads it three
// times.
func elapsed() time.Duration { return epoch.Since() }

// fewLeaves bounds the calls that skip the probe (see probe).
const fewLeaves = 8

// call is the state of one call on the caller's stack. Nothing is allocated
// until the probe finds that helpers are worth starting (see shared).
type call[T, R any] struct {
	job[T, R]
	workers     int
	progress    func(done, total int)
	next        int           // items done at which progress is reported next
	probeFor    time.Duration // options.probe
	helperLimit int           // options.helperLimit

	acc     R // reductions: the leaves the caller folded alone, combined in order
	haveAcc bool
	err     error

	firstClaim int // leaves the probe's cost per leaf says fit in chunkTarget

	s        *shared[T, R] // set once helpers may run
	inflight int           // items the caller claimed from s and has not finished
}

// configure lays the call out for n items of the kind already set; where
// names the public function, for misuse messages.
func (c *call[T, R]) configure(where string, ctx context.Context, n int, opts []Option) {
	o := buildOptions(where, opts)
	c.ctx, c.watch = ctx, ctx.Done() != nil
	c.workers, c.progress = o.workers, o.progress
	c.probeFor, c.helperLimit = o.probe, o.helperLimit
	c.layout(n, &o)
	c.workers = min(c.workers, c.leaves)
}

// execute runs the job and returns the reduction (if any) and the first
// error. A panic of any body is raised here, once every claimed chunk is done.
func (c *call[T, R]) execute() (R, error) {
	var zero R
	if c.leaves == 0 {
		if c.kind == reduceKind {
			if p := catch.Call(func() { c.acc = c.identity() }, nil); p != nil {
				panic(unnest(p))
			}
		}
		return c.acc, nil
	}
	if c.workers == 1 && !c.watch && c.progress == nil {
		return c.executeAlone()
	}
	p := catch.Call(c.drive, c.abandon)
	s := c.s
	if s == nil {
		if p != nil {
			panic(unnest(p))
		}
		if c.err != nil {
			return zero, c.err
		}
		c.conclude()
		return c.acc, nil
	}
	if p != nil {
		s.panicked(p, c.inflight)
	}
	claimed := s.closeAndWait()
	if s.cancel != nil {
		s.cancel(nil)
	}
	s.panics.Raise()
	if s.errSet.Load() {
		return zero, s.err
	}
	if claimed < c.n {
		// Defensive: whatever stops the hand-out early (an error, the
		// caller's context seen before a chunk, a panic, a Goexit) is
		// recorded above, so this is not reached; if it were, the call
		// would still return no partial result.
		return zero, context.Cause(c.ctx)
	}
	c.conclude()
	return c.acc, nil
}

// executeAlone runs the whole job on the caller when nothing can share it
// or watch it (one worker, because of Workers(1) or a single leaf; a
// context that is never done; no progress): no probe, no clock, no helper.
// For without Chunk calls its body once over [0, n), and Map runs one loop.
// This is the path whose cost is compared with a hand-written loop.
func (c *call[T, R]) executeAlone() (R, error) {
	var err error
	if p := catch.Call(func() { err = c.runAlone(0, c.leaves) }, nil); p != nil {
		panic(unnest(p))
	}
	if err != nil {
		var zero R // not the chunks folded before the failure
		return zero, err
	}
	return c.acc, nil
}

// conclude combines the chunk results of the helpers into the caller's, in
// chunk order, and reports the end to Progress. It runs user code, so a
// panic there is raised as a *tandem.PanicError like any other.
func (c *call[T, R]) conclude() {
	if c.s == nil && c.progress == nil {
		return
	}
	p := catch.Call(func() {
		if c.s != nil {
			for _, part := range c.s.slots {
				c.fold1(part)
			}
		}
		if c.progress != nil {
			c.progress(c.n, c.n)
		}
	}, nil)
	if p != nil {
		panic(unnest(p))
	}
}

// drive runs the caller's share: the probe, then, if work remains, claims
// next to the helpers it recruits.
func (c *call[T, R]) drive() {
	pos := c.probe()
	if pos == c.leaves || c.err != nil {
		return
	}
	c.s = newShared(c, pos)
	c.s.work(&c.inflight, c)
}

// abandon runs when the caller's own body calls runtime.Goexit: the call
// stops handing out chunks and waits for the claimed ones and the helpers
// before the goroutine exits, so no helper runs the body after the caller
// is gone. Panics of helpers are raised from here, on the unwinding caller,
// so none is lost: a recover further up the caller's stack gets them (and
// the Goexit then goes on), and with none the program crashes as with any
// raised panic. An error of a body has no caller left to return to.
func (c *call[T, R]) abandon() {
	s := c.s
	if s == nil {
		return
	}
	s.failed.Store(true)
	s.complete(c.inflight)
	s.closeAndWait()
	if s.cancel != nil {
		s.cancel(nil)
	}
	s.panics.Raise()
}

// probe runs leaves alone on the caller in growing chunks and returns where
// it stopped: at the end, at the first error or cancellation, or once
// probeFor has passed with work left. The first chunk is one leaf; each
// next one is what the cost per leaf seen so far says fits in the rest of
// the budget, at most 16 times the previous one, so that a rising cost
// overruns the budget by little. The clock is read before the first chunk
// and after each one that leaves work: three times for 100 trivial items
// (chunks of 1, 16 and 83). A call with
// few leaves skips the probe (few items are presumed expensive: two 2 ms
// items should not run one after the other); the bound is small so that on
// a machine with many cores a tiny input of cheap items still runs inline.
// The leaves must be single items or chunks the caller chose: the 8
// automatic chunks of a 100-item reduction are no sign of expensive items.
// A call with one worker and nothing to observe between chunks does not
// probe at all (see executeAlone).
func (c *call[T, R]) probe() int {
	if c.workers > 1 && c.leaves <= fewLeaves && c.leaves <= 2*c.workers && (c.leaf == 1 || c.fixed) {
		return 0
	}
	start := elapsed()
	var last time.Duration
	k, pos := 1, 0
	for pos < c.leaves {
		end := pos + min(k, c.leaves-pos) // pos+k may overflow
		if c.err = c.runAlone(pos, end); c.err != nil {
			return end
		}
		pos = end
		if pos == c.leaves {
			break
		}
		c.report(c.start(pos))
		spent := elapsed() - start
		perLeaf := max(spent/time.Duration(pos), 1)
		c.firstClaim = int(min(chunkTarget/perLeaf, time.Duration(c.leaves)))
		if c.workers > 1 && spent >= c.probeFor {
			break
		}
		switch {
		case c.workers > 1:
			k = int(min((c.probeFor-spent)/perLeaf+1, time.Duration(grow(k, 16, c.leaves))))
		case spent-last < chunkTarget: // alone, for a context or progress
			k = grow(k, 4, c.leaves)
		}
		last = spent
	}
	return pos
}

// runAlone runs leaves [a, b) before any helper exists; a reduction folds
// them straight into the caller's accumulator, in order. A failing fold
// stops it: the call returns no partial result.
func (c *call[T, R]) runAlone(a, b int) error {
	if c.kind != reduceKind {
		return c.runLeaves(c.ctx, a, b, nil)
	}
	for i := a; i < b; i++ {
		part, err := c.partial(c.ctx, i)
		if err != nil {
			return err
		}
		c.fold1(part)
	}
	return nil
}

func (c *call[T, R]) fold1(part R) {
	if c.haveAcc {
		c.acc = c.combine(c.acc, part)
	} else {
		c.acc, c.haveAcc = part, true
	}
}

// report calls the progress callback at most about once per 1% of the items.
func (c *call[T, R]) report(done int) {
	if c.progress == nil || done < c.next || done >= c.n {
		return
	}
	c.progress(done, c.n)
	c.next = done + min(max(1, c.n/100), c.n-done) // done < n: no overflow
}

// grow returns k times factor, at most limit (k <= limit): chunk sizes
// grow geometrically and a product past limit could overflow when For's n
// is near math.MaxInt.
func grow(k, factor, limit int) int {
	if k > limit/factor {
		return limit
	}
	return k * factor
}
