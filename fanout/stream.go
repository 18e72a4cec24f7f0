package fanout

import (
	"context"
	"iter"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/catch"
)

// Stream is Map over a sequence that may be large or unbounded: it yields
// each input's index (its position in inputs) and Result as the input ends,
// in completion order, with the same limits, retries and policies as Map.
// Inputs are read from the sequence as workers become free, at most
// Workers+1 ahead of the calls (none ahead with a hedging delay), so
// memory stays bounded by the Workers limit; inputs read ahead when the
// fan-out stops are reported NotStarted. As the sequence's length is
// unknown, the loop starts all Workers goroutines at once, and buffers up
// to Workers inputs and results: a Workers bound for Stream is also its
// size.
//
// Breaking out of the loop stops the fan-out: the calls in flight are
// canceled and the loop statement returns once every goroutine has exited.
// A failure that stops a FailFast stream is the first Failed result
// yielded; the inputs it stopped end Canceled or NotStarted with that
// cause. Inputs never read from the sequence are not yielded; StatsTo
// counts the inputs read. As the length of the sequence is unknown, a Quorum
// stream stops early once k inputs succeed, but not when k can no longer
// succeed: the results show it.
//
// inputs is read from a goroutine of the fan-out; a sequence that blocks
// (on a channel, say) must itself stop when ctx is done. A panic in a call
// (or in the user code around it, as with Map) or in inputs is re-raised
// by the loop statement after everything has exited, as with Map.
//
// Stream panics where it is called, not when its loop runs, if ctx, call
// or an Option is nil, or if a PacePerKey key function does not take In.
// Each loop over the sequence it returns is a fan-out of its own.
func Stream[In, Out any](ctx context.Context, inputs iter.Seq[In], call func(context.Context, In) (Out, error), opts ...Option) iter.Seq2[int, Result[Out]] {
	o, perKey := prepare("fanout: Stream", ctx, call, opts)
	return func(yield func(int, Result[Out]) bool) {
		r := newRun(ctx, call, &o, perKey, -1)
		defer r.cancel(errEnded)
		r.stream(inputs, o.workers, yield)
		if o.stats != nil {
			*o.stats = r.stats
		}
		r.panics.Raise()
	}
}

type job[In any] struct {
	index int
	in    In
}

type ended[Out any] struct {
	index int
	res   Result[Out]
}

// stream runs the fan-out over inputs with a feeder goroutine that reads
// them (and applies the hedging delay) and the given number of workers, and hands
// each result to yield in the calling goroutine. It returns when every
// goroutine has exited; the results after yield returned false are dropped.
func (r *run[In, Out]) stream(inputs iter.Seq[In], workers int, yield func(int, Result[Out]) bool) {
	// A buffer of one input per worker saves most hand-offs from parking a
	// goroutine; a hedging feeder needs each hand-off to be a start.
	buffer := workers
	if r.o.policy.hedge > 0 {
		buffer = 0
	}
	jobs := make(chan job[In], buffer)
	out := make(chan ended[Out], workers)
	if r.o.policy.hedge > 0 {
		r.failedSignal = make(chan struct{}, workers)
	}
	var live atomic.Int64 // workers running; the last to exit closes out

	// The consumer (this goroutine) always drains out until it is closed,
	// so a worker's send never blocks for ever; whatever way this function
	// ends, the fan-out stops and everything is joined.
	defer func() {
		r.cancel(errEnded)
		for range out {
		}
		r.wg.Wait()
	}()

	r.wg.Go(func() {
		defer close(jobs)
		if p := catch.Call(func() { r.feed(inputs, jobs, out) }, func() { r.cancel(tandem.ErrGoexit) }); p != nil {
			r.panics.Add(p)
			r.cancel(p)
		}
	})

	var work func()
	work = func() {
		w := r.newWorker()
		var cur job[In]
		w.onGoexit = func() {
			w.goexited()
			out <- ended[Out]{cur.index, *w.cur}
			live.Add(1)
			r.wg.Go(work)
		}
		defer func() {
			w.exit()
			if live.Add(-1) == 0 {
				close(out)
			}
		}()
		// One Result per worker, reused, so that taking its address (for the
		// Goexit handler) costs no allocation per input.
		res := new(Result[Out])
		for cur = range jobs {
			*res = Result[Out]{}
			w.run(cur.in, res, r.now())
			out <- ended[Out]{cur.index, *res}
		}
	}
	live.Store(int64(workers))
	for range workers {
		r.wg.Go(work)
	}

	for {
		select {
		case e, ok := <-out:
			if !ok || !yield(e.index, e.res) {
				return
			}
		case w := <-r.lent: // nil, so never ready, unless the fan-out lends
			r.runLent(w)
		}
	}
}

// feed hands the inputs to the workers in order. With a hedging delay, it
// hands out the next input only after the delay has passed since the
// previous one, or at once when an input failed. Once the fan-out has
// stopped it reads no further input, and reports the one it holds as not
// started.
func (r *run[In, Out]) feed(inputs iter.Seq[In], jobs chan<- job[In], out chan<- ended[Out]) {
	i := 0
	var hedge *time.Timer
	if r.o.policy.hedge > 0 {
		hedge = time.NewTimer(r.o.policy.hedge)
		defer hedge.Stop()
	}
	for in := range inputs {
		if hedge != nil && i > 0 {
			select {
			case <-hedge.C:
			case <-r.failedSignal:
			case <-r.start.Done():
			}
		}
		if r.start.Err() == nil {
			select {
			case jobs <- job[In]{i, in}:
				i++
				if hedge != nil {
					resetHedge(hedge, r.o.policy.hedge)
				}
				continue
			case <-r.start.Done():
			}
		}
		var st Stats
		st.count(NotStarted, 0)
		r.mu.Lock()
		r.stats.add(&st)
		r.mu.Unlock()
		out <- ended[Out]{i, Result[Out]{Err: r.notStarted(), Status: NotStarted}}
		return
	}
}

// resetHedge restarts the hedge timer after a hand-off. Under
// GODEBUG=asynctimerchan=1 (pre-Go 1.23 timers, which Go 1.26 still
// honours) a timer that fired while the feeder waited on a failure or on
// the hand-off keeps its tick in the channel, and Reset does not drop it:
// the next input would go out at once. So a failed Stop is followed by a
// drain, which never blocks, and with today's timers (a stopped or reset
// timer delivers no stale tick) finds nothing.
func resetHedge(t *time.Timer, d time.Duration) {
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	t.Reset(d)
}
