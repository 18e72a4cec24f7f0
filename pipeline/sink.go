package pipeline

import (
	"context"
	"iter"
	"runtime/debug"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/catch"
)

// ForEach declares the sink that calls f on each item of s. Run runs it
// with the rest of the pipeline. Options: Name, Workers, Pace, Timeout,
// OnError (Ordered and Buffer do not apply: a sink has no output).
//
// An error from f stops the pipeline, unless OnError routes it, and Run
// returns it.
func ForEach[T any](s *Stage[T], f func(ctx context.Context, item T) error, opts ...Option) {
	o := buildOptions(opts)
	o.check("ForEach", true, false, true, true, true)
	declareTransform("ForEach", s, o, func(ctx context.Context, item T, out []struct{}) ([]struct{}, error) {
		return out, f(ctx, item)
	}, true)
}

// Collect runs the pipeline of s, like Run, and returns the items of s in
// the order they arrived. On failure it returns the items collected so far
// with the error. Collect panics when the pipeline already ran.
func Collect[T any](ctx context.Context, s *Stage[T]) ([]T, error) {
	var items []T
	p := pipelineOf("Collect", s)
	o := buildOptions(nil)
	declareTransform("Collect", s, o, func(_ context.Context, item T, out []struct{}) ([]struct{}, error) {
		items = append(items, item)
		return out, nil
	}, true)
	err := p.Run(ctx)
	return items, err
}

// Reduce runs the pipeline of s, like Run, folding its items into acc with
// f, one at a time in the order they arrive, and returns the result. An
// error from f stops the pipeline and is returned with the accumulator as
// it was. Reduce panics when the pipeline already ran.
func Reduce[T, A any](ctx context.Context, s *Stage[T], acc A, f func(ctx context.Context, acc A, item T) (A, error)) (A, error) {
	p := pipelineOf("Reduce", s)
	o := buildOptions(nil)
	declareTransform("Reduce", s, o, func(ctx context.Context, item T, out []struct{}) ([]struct{}, error) {
		next, err := f(ctx, acc, item)
		if err != nil {
			return out, err
		}
		acc = next
		return out, nil
	}, true)
	err := p.Run(ctx)
	return acc, err
}

// All returns an iterator that runs the pipeline of s and yields its items
// as they arrive, for use with range:
//
//	for v, err := range pipeline.All(ctx, s) {
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
// stages' panics are raised as from Run). All may be ranged over once; All
// itself panics when s already has a consumer.
func All[T any](ctx context.Context, s *Stage[T]) iter.Seq2[T, error] {
	p := pipelineOf("All", s)
	c := p.declare("All", "", 1)
	in := s.take(c, 1)
	return func(yield func(T, error) bool) {
		r := p.start(ctx)
		// The consumer is the caller's goroutine: it counts as a worker.
		r.wg.Add(1)
		m := newMeter(c, r.clock)
		rd := in.reader(r, m)
		// broke: the loop body returned false, so yield must not be called
		// again (the range statement forbids it).
		consuming, settled, broke := true, false, false
		leave := func() {
			if consuming {
				consuming = false
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
			c.out.Add(1)
			if !yield(item, nil) {
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
