package fanout

import (
	"context"
	"slices"
	"sync/atomic"
)

// Map calls call once for each input, at most Workers at a time, paced by
// Pace and PacePerKey and retried as Attempts allows, and returns one
// Result per input at the input's index: its value or error, how it ended
// (Status), its attempts and its duration. Every Result comes back,
// whatever the error: an input that the fan-out stopped is Canceled, one
// it never started is NotStarted.
//
// call receives a context that is canceled when the fan-out stops: ctx is
// done, the policy is settled (FailFast, FirstSuccess, Quorum), or a call
// panicked; with Timeout, each attempt's context also has that deadline.
//
// The error comes from what stopped the fan-out, and depends on the
// policy: CollectAll (the default) returns errors.Join of the failures,
// plus ctx's cause if it stopped an input; FailFast returns the first
// failure, or ctx's cause if it stopped an input, and nil when every input
// succeeded; FirstSuccess and Quorum return nil once they have their
// successes, and otherwise ErrNoQuorum joined with the failures (and ctx's
// cause if it stopped an input). A ctx that ends after the last input
// ended stopped nothing, and is in no error. An input the limiter refused
// because its token would come after ctx's deadline is not a failure (it
// ends NotStarted, or Canceled between attempts): the limiter's error
// stands for ctx's cause then, so a fan-out that ran out of time returns
// an error matching context.DeadlineExceeded. So does pool.ErrClosed for
// the inputs an OnPool pool refused once closed.
//
// Map returns after every goroutine it started has exited. If a call
// panics, or user code that runs around it (a Pace or PacePerKey waiter, a
// PacePerKey key function, a RetryIf predicate), the input fails with the
// panic, the fan-out stops and Map re-panics in the caller with a
// *tandem.PanicError that holds every panic and the stack where each
// happened. A call or such code that runs runtime.Goexit fails its input
// with tandem.ErrGoexit, and the fan-out goes on.
//
// Map panics if ctx, call or an Option is nil, or if a PacePerKey key
// function does not take In. Map allocates the result slice and, per
// fan-out, a constant few objects; an input that needs no waiting
// allocates nothing.
func Map[In, Out any](ctx context.Context, inputs []In, call func(context.Context, In) (Out, error), opts ...Option) ([]Result[Out], error) {
	o, perKey := prepare("fanout: Map", ctx, call, opts)
	return mapInputs(ctx, inputs, call, &o, perKey)
}

// mapInputs is Map once its arguments are checked.
func mapInputs[In, Out any](ctx context.Context, inputs []In, call func(context.Context, In) (Out, error), o *options, perKey inputLimiter[In]) ([]Result[Out], error) {
	r := newRun(ctx, call, o, perKey, len(inputs))
	defer r.cancel(errEnded)
	results := make([]Result[Out], len(inputs))

	if o.policy.hedge > 0 {
		r.stream(slices.Values(inputs), max(1, min(o.workers, len(inputs))), func(i int, res Result[Out]) bool {
			results[i] = res
			return true
		})
	} else {
		var next atomic.Int64 // the next input index to claim
		var work func()
		work = func() {
			w := r.newWorker()
			w.onGoexit = func() { w.goexited(); r.live.Add(1); r.wg.Go(work) }
			defer func() {
				w.exit()
				if r.live.Add(-1) == 0 && r.allExited != nil {
					close(r.allExited)
				}
			}()
			now := r.now()
			for r.start.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(inputs) {
					return
				}
				now = w.run(inputs[i], &results[i], now)
			}
		}
		workers := min(o.workers, len(inputs))
		r.live.Store(int64(workers))
		if r.lent != nil && workers > 0 {
			r.allExited = make(chan struct{})
			// A Goexit in a call run by serve ends this goroutine: the
			// fan-out is stopped by then, and its goroutines are waited for
			// before the goroutine goes.
			defer r.wg.Wait()
		}
		for range workers {
			r.wg.Go(work)
		}
		if r.allExited != nil {
			r.serve(r.allExited)
		}
		r.wg.Wait()
	}

	cause := r.stopCause()
	if cause != nil || r.poolClosed() {
		// Inputs no worker claimed: zero Results, which read NotStarted.
		for i := range results {
			if res := &results[i]; res.Status == NotStarted && res.Err == nil {
				res.Err = r.notStarted()
				r.stats.count(NotStarted, 0)
			}
		}
	}
	if o.stats != nil {
		*o.stats = r.stats // before a re-raised panic too: it accounts for every input
	}
	r.panics.Raise()
	return results, r.result(results, cause)
}
