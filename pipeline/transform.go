package pipeline

import (
	"context"

	"github.com/tandem-go/tandem/internal/ordered"
)

// step handles one item, appending its results (none for a sink or a
// filtered item) to out.
type step[T, U any] func(ctx context.Context, item T, out []U) ([]U, error)

// transform is every stage that takes items one by one and calls a function
// on each: Map, Filter, FlatMap, Unbatch, and the sinks (with no output).
type transform[T, U any] struct {
	opts    options
	c       *stageCounters
	in      *edge[T]
	out     *edge[U] // nil for a sink
	step    step[T, U]
	onError func(context.Context, T, error) error
}

// declareTransform declares a stage reading s. sink declares no output.
func declareTransform[T, U any](kind string, s *Stage[T], opts options, f step[T, U], sink bool) (*transform[T, U], *Stage[U]) {
	p := pipelineOf(kind, s)
	c := p.declare(kind, opts.name, opts.workers)
	t := &transform[T, U]{opts: opts, c: c, step: f, onError: errorHandler[T](kind, &opts)}
	t.in = s.take(c, opts.workers)
	p.nodes = append(p.nodes, t)
	if sink {
		return t, nil
	}
	out := newStage[U](p, c, opts.workers, opts.buffer)
	t.out = out.out
	return t, out
}

func (t *transform[T, U]) start(r *run) {
	var chain *ordered.Chain
	if t.opts.ordered && t.opts.workers > 1 {
		chain = ordered.NewChain()
	}
	for range t.opts.workers {
		r.spawn(t.c, func(m *meter) { t.work(r, m, chain) })
	}
}

// noFlush is the flusher of a worker without output.
type noFlush struct{}

func (noFlush) flush() bool { return true }

func (t *transform[T, U]) work(r *run, m *meter, chain *ordered.Chain) {
	ctx := r.ctx
	in := t.in.reader(r, m)
	defer in.close()
	var out *writer[U]
	var f flusher = noFlush{}
	if t.out != nil {
		out = t.out.writer(r, m)
		defer out.close()
		f = out
	}
	var link *ordered.Link
	if chain != nil {
		link = chain.Link()
	}
	var results []U
	var consumed int64 // items a sink finished, counted in batches
	defer func() { m.c.out.Add(consumed) }()
	for {
		if link != nil && !link.Enter(ctx) {
			return
		}
		item, ok := in.next(f)
		if !ok {
			if link != nil {
				link.Abort()
			}
			return
		}
		if link != nil {
			link.Taken()
		}
		if r.stopped() {
			m.c.dropped.Add(1)
			return
		}
		if results, ok = t.handle(r, m, f, item, results[:0]); !ok {
			return
		}
		if link != nil && !link.Wait(ctx) {
			m.c.dropped.Add(1)
			return
		}
		if out == nil {
			consumed++
			if consumed == maxSlice {
				m.c.out.Add(consumed)
				consumed = 0
			}
		}
		for i, v := range results {
			if !out.put(v) {
				clear(results[i:])
				return
			}
		}
		clear(results)
		if link != nil {
			if !out.flush() {
				return
			}
			link.Emitted()
		}
	}
}

// handle paces and runs the step for one item and applies the error policy.
// It reports false when the worker must stop.
func (t *transform[T, U]) handle(r *run, m *meter, f flusher, item T, results []U) ([]U, bool) {
	ctx := r.ctx
	if t.opts.waiter != nil {
		if !f.flush() { // hand over what is ready before waiting
			m.c.dropped.Add(1)
			return nil, false
		}
		start := m.beginWait(waitPace)
		err := t.opts.waiter.WaitN(ctx, 1)
		m.endWait(waitPace, start)
		if err != nil {
			if ctx.Err() != nil {
				m.c.dropped.Add(1)
			} else {
				m.c.failed.Add(1)
				r.fail(err)
			}
			return nil, false
		}
	}
	itemCtx := ctx
	var cancel context.CancelFunc
	if t.opts.timeout > 0 {
		itemCtx, cancel = context.WithTimeout(ctx, t.opts.timeout)
	}
	results, err := t.step(itemCtx, item, results)
	if cancel != nil {
		cancel()
	}
	if err == nil {
		return results, true
	}
	clear(results)
	if ctx.Err() != nil { // the pipeline stopped: the item did not fail
		m.c.dropped.Add(1)
		return nil, false
	}
	m.c.failed.Add(1)
	if t.onError != nil {
		if err = t.onError(ctx, item, err); err == nil {
			return results[:0], true
		}
	}
	r.fail(err)
	return nil, false
}
