package pipeline

import (
	"context"
	"iter"
	"runtime/debug"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/catch"
	"github.com/tandem-go/tandem/internal/misuse"
)

// Sink declares the terminal stage that calls f on each item of s; it runs
// when the pipeline runs (Run). Options: Name, Workers, Pace, Timeout,
// OnError (Ordered and Buffer do not apply: a sink has no output).
//
// An error from f stops the pipeline, unless OnError routes it, and Run
// returns it. Sink panics if s or f is nil, or on an option that does not
// apply.
func Sink[T any](s *Stage[T], f func(ctx context.Context, item T) error, opts ...Option) {
	const where = "pipeline: Sink"
	misuse.Nil(where, "function", f)
	o := buildOptions(where, opts)
	o.check(where, true, false, true, true, true)
	declareTransform(where, "Sink", s, o, func(ctx context.Context, item T, out []struct{}) ([]struct{}, error) {
		return out, f(ctx, item)
	}, true, false)
}

// RunCollect runs the pipeline of s, as Run does, and returns the items of
// s in the order they arrived.
//
// On success, returns every item and nil. On failure, returns the items
// collected before the stop, with the error Run would return. A panic in a
// stage is raised as from Run. RunCollect panics if ctx or s is nil, if s
// already has a consumer, and when the pipeline cannot run (see Run).
func RunCollect[T any](ctx context.Context, s *Stage[T]) ([]T, error) {
	const where = "pipeline: RunCollect"
	misuse.Ctx(where, ctx)
	var items []T
	p := pipelineOf(where, s)
	declareTransform(where, "RunCollect", s, buildOptions(where, nil), func(_ context.Context, item T, out []struct{}) ([]struct{}, error) {
		items = append(items, item)
		return out, nil
	}, true, false)
	err := p.wait(p.start(where, ctx))
	return items, err
}

// RunReduce runs the pipeline of s, as Run does, folding its items into acc
// with f, one at a time in the order they arrive, and returns the result.
//
// On success, returns the result and nil. On failure (an error from f or
// from any stage, ctx's cancellation, a Stop that timed out), returns the
// zero value of A and the error: a fold over part of the input is not a
// result. A panic is raised as from Run. RunReduce panics if ctx, s or f is
// nil, if s already has a consumer, and when the pipeline cannot run (see
// Run).
func RunReduce[T, A any](ctx context.Context, s *Stage[T], acc A, f func(ctx context.Context, acc A, item T) (A, error)) (A, error) {
	const where = "pipeline: RunReduce"
	misuse.Ctx(where, ctx)
	misuse.Nil(where, "function", f)
	p := pipelineOf(where, s)
	declareTransform(where, "RunReduce", s, buildOptions(where, nil), func(ctx context.Context, item T, out []struct{}) ([]struct{}, error) {
		next, err := f(ctx, acc, item)
		if err != nil {
			return out, err
		}
		acc = next
		return out, nil
	}, true, false)
	if err := p.wait(p.start(where, ctx)); err != nil {
		var zero A
		return zero, err
	}
	return acc, nil
}

// RunAll returns an iterator that runs the pipeline of s and yields its
// items as they arrive, for use with range:
//
//	for v, err := range pipeline.RunAll(ctx, s) {
//		if err != nil {
//			return err // the pipeline failed; it has stopped
//		}
//		...
//	}
//
// When the pipeline fails, the last pair yielded carries the error (and a
// zero item). Breaking out of the loop stops the pipeline: every stage is
// cancelled and the loop statement ends only after every goroutine of the
// pipeline has exited. Once the loop body has broken out nothing more is
// yielded, so an error of a stage that failed before the pipeline noticed
// the break is not reported: the caller chose to stop. A panic in a stage is
// never dropped: it is raised in the loop's goroutine as a
// *tandem.PanicError, after a break too. When the loop body panics as well,
// its panic still unwinds the loop; if a stage also panicked, it does so as
// a *tandem.PanicError whose Value is the body's panic value and whose
// Others hold the stages' panics (if the body called runtime.Goexit, the
// stages' panics are raised as from Run). In Stats the loop is the last
// stage, "RunAll": an item whose loop body panicked or called Goexit counts
// as Failed.
//
// The iterator may be ranged over once. RunAll panics if ctx or s is nil or
// s already has a consumer; ranging panics when the pipeline cannot run
// (see Run).
func RunAll[T any](ctx context.Context, s *Stage[T]) iter.Seq2[T, error] {
	const where = "pipeline: RunAll"
	misuse.Ctx(where, ctx)
	p := pipelineOf(where, s)
	c := p.declare(where, "RunAll", "", 1)
	c.outSucceeded = true
	in := s.take(where, c, 1)
	return func(yield func(T, error) bool) {
		r := p.start(where, ctx)
		// The consumer is the caller's goroutine: it counts as a worker.
		r.wg.Add(1)
		m := newMeter(c, r.clock)
		rd := in.reader(r, m)
		var consumed int64 // items the loop body finished, counted in batches
		// broke: the loop body returned false, so yield must not be called
		// again (the range statement forbids it). inYield: the body has an
		// item.
		consuming, settled, broke, inYield := true, false, false, false
		leave := func() {
			if consuming {
				consuming = false
				c.out.Add(consumed)
				rd.close()
				m.finish()
				r.wg.Done()
			}
		}
		defer func() {
			if settled {
				return
			}
			// The loop body panicked or called runtime.Goexit: stop and
			// join before unwinding.
			if inYield {
				c.failed.Add(1)
			}
			r.fail(errConsumerStopped)
			leave()
			r.wg.Wait()
			p.settle(r)
			if r.panics.Len() == 0 {
				return // the body's panic or Goexit goes on as it was
			}
			// Stages panicked too: keep every panic. The body's comes first,
			// with its own stack (the deferred call runs on top of it).
			if v := recover(); v != nil {
				body := &tandem.PanicError{Value: v, Stack: string(debug.Stack())}
				panic(catch.Join(body, r.panics.Err()))
			}
			// Goexit cannot be recovered; the stages' panics take over,
			// as they would from Run.
			r.panics.Raise()
		}()
		for {
			item, ok := rd.next(nil)
			if !ok {
				break
			}
			inYield = true
			more := yield(item, nil)
			inYield = false
			if consumed++; consumed == countEvery {
				c.out.Add(consumed)
				consumed = 0
			}
			if !more {
				broke = true
				r.fail(errConsumerStopped)
				break
			}
		}
		leave()
		r.wg.Wait()
		settled = true
		err := p.settle(r)
		r.panics.Raise()
		if err != nil && !broke {
			var zero T
			yield(zero, err)
		}
	}
}
