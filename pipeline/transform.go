package pipeline

import (
	"context"
	"sync/atomic"

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
	writers := opts.workers
	if t.ordered() {
		writers = 1 // the workers share one writer, used by the emitter
	}
	out := newStage[U](p, c, writers, opts.buffer)
	t.out = out.out
	return t, out
}

func (t *transform[T, U]) ordered() bool { return t.opts.ordered && t.opts.workers > 1 }

// reorderWindow is how many results an ordered stage holds at most. Room
// for a few items per worker keeps workers busy while the oldest item is
// slow or its goroutine is descheduled: with two per worker, 4 workers on 2
// cores spent most of their time waiting for room (bench: about 4x slower).
func reorderWindow(workers int) int { return max(64, 4*workers) }

func (t *transform[T, U]) start(r *run) {
	if !t.ordered() {
		for range t.opts.workers {
			r.spawn(t.c, func(m *meter) { t.work(r, m) })
		}
		return
	}
	o := &orderedRun[U]{
		win:  ordered.NewWindow[U](reorderWindow(t.opts.workers)),
		out:  t.out.writer(r, nil),
		left: int32(t.opts.workers),
	}
	o.out.shared = true
	for range t.opts.workers {
		r.spawn(t.c, func(m *meter) { t.workOrdered(r, m, o) })
	}
}

// noFlush is the flusher of a worker without output.
type noFlush struct{}

func (noFlush) flush() bool { return true }

// work is the loop of a worker whose results leave as they come.
func (t *transform[T, U]) work(r *run, m *meter) {
	in := t.in.reader(r, m)
	defer in.close()
	var out *writer[U]
	var f flusher = noFlush{}
	if t.out != nil {
		out = t.out.writer(r, m)
		defer out.close()
		f = out
	}
	var results []U
	var consumed int64 // items a sink finished, counted in batches
	defer func() { m.c.out.Add(consumed) }()
	ctx := r.ctx
	plain := t.opts.waiter == nil && t.opts.timeout == 0
	for {
		// Take every item ready in the current hand-off slice at once, so
		// the loop below costs no call into the reader per item.
		items, ok := in.take(f)
		if !ok {
			return
		}
		for i, item := range items {
			if r.stopped() {
				m.c.dropped.Add(int64(len(items) - i))
				return
			}
			if plain {
				var err error
				if results, err = t.step(ctx, item, results[:0]); err != nil {
					results, ok = t.failed(r, m, item, results, err)
				}
			} else {
				results, ok = t.handle(r, m, f, item, results[:0])
			}
			if !ok {
				m.c.dropped.Add(int64(len(items) - i - 1))
				return
			}
			if out == nil {
				if consumed++; consumed == countEvery {
					m.c.out.Add(consumed)
					consumed = 0
				}
				continue
			}
			for j, v := range results {
				if !out.put(v) {
					clear(results[j:])
					m.c.dropped.Add(int64(len(items) - i - 1))
					return
				}
			}
			clear(results)
		}
	}
}

// orderedRun is what the workers of an ordered stage share in one run: the
// window that orders their results and the one writer its emitter uses.
type orderedRun[U any] struct {
	win  *ordered.Window[U]
	out  *writer[U]
	left int32 // workers still running, under atomic access
}

// workOrdered is the loop of a worker of an ordered stage: it deposits its
// results in the window, and passes on every ready result when it holds the
// oldest one. With one writer upstream, the items come numbered in stream
// order and the workers read at will; otherwise they take turns to read.
func (t *transform[T, U]) workOrdered(r *run, m *meter, o *orderedRun[U]) {
	in := t.in.reader(r, m)
	defer in.close()
	defer func() {
		if atomic.AddInt32(&o.left, -1) == 0 { // the last worker closes the output
			// Results still in the window when the run stopped were
			// never handed over: their items are dropped.
			m.c.dropped.Add(int64(o.win.Pending()))
			o.out.m = m
			o.out.close()
		}
	}()
	// emit and idle run in one worker at a time (the emitter), which
	// meters the shared writer's waits.
	emit := func(vals []U) bool {
		o.out.m = m
		for _, v := range vals {
			if !o.out.put(v) {
				return false
			}
		}
		return true
	}
	// An emission run is a batch of results ready together: hand it over
	// now rather than hold it while the oldest item in flight is handled.
	idle := func(bool) bool {
		o.out.m = m
		return o.out.flush()
	}
	numbered := t.in.writers == 1
	wake := make(chan struct{}, 1)
	var results []U
	var item T
	take := func() bool {
		var ok bool
		item, ok = in.next(nil)
		return ok
	}
	for {
		var ticket uint64
		if numbered {
			var ok bool
			if item, ok = in.next(nil); !ok {
				return
			}
			ticket = in.seq
			o.win.Arrived(ticket)
		} else {
			var ok bool
			if ticket, ok = o.win.Take(r.ctx, take); !ok {
				return
			}
		}
		if r.stopped() {
			m.c.dropped.Add(1)
			return
		}
		var ok bool
		if results, ok = t.handle(r, m, noFlush{}, item, results[:0]); !ok {
			return
		}
		if numbered && !o.win.WaitRoom(r.ctx, ticket, wake) {
			// An item with no results was filtered out or failed and
			// skipped, and counted so; only one with results is dropped
			// (as Window.Pending counts).
			if len(results) > 0 {
				m.c.dropped.Add(1)
			}
			clear(results)
			return
		}
		ok = o.win.Done(ticket, results, emit, idle)
		clear(results)
		if !ok {
			return
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
	return t.failed(r, m, item, results, err)
}

// failed applies the error policy to an item whose step failed. It reports
// false when the worker must stop.
func (t *transform[T, U]) failed(r *run, m *meter, item T, results []U, err error) ([]U, bool) {
	ctx := r.ctx
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
