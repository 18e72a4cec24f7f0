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
	// multi: an item may have several results (FlatMap, Unbatch), so
	// the output counts items with hold rather than per result.
	multi bool
}

// declareTransform declares a stage reading s. sink declares no output.
// where is "pipeline: Kind", for misuse messages.
func declareTransform[T, U any](where, kind string, s *Stage[T], opts options, f step[T, U], sink, multi bool) (*transform[T, U], *Stage[U]) {
	p := pipelineOf(where, s)
	c := p.declare(where, kind, opts.name, opts.workers)
	c.outSucceeded = !multi
	t := &transform[T, U]{opts: opts, c: c, step: f, onError: errorHandler[T](where, &opts), multi: multi}
	t.in = s.take(where, c, opts.workers)
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

// tally is how the stage's writers count the items they hand on.
func (t *transform[T, U]) tally() tally {
	if t.multi {
		return perHold
	}
	return perResult
}

// reorderWindow is how many results an ordered stage holds at most. Room
// for a few items per worker keeps workers busy while the oldest item is
// slow or its goroutine is descheduled: with two per worker, 4 workers on 2
// cores spent most of their time waiting for room (bench: about 4x slower).
func reorderWindow(workers int) int { return max(64, 4*workers) }

func (t *transform[T, U]) start(r *run) {
	if !t.ordered() {
		for range t.opts.workers {
			r.spawn(t.c, true, func(m *meter) { t.work(r, m) })
		}
		return
	}
	o := &orderedRun[U]{
		win:  ordered.NewWindow[U](reorderWindow(t.opts.workers)),
		out:  t.out.writer(r, nil, t.tally()),
		left: int32(t.opts.workers),
	}
	o.out.shared = true
	for range t.opts.workers {
		r.spawn(t.c, true, func(m *meter) { t.workOrdered(r, m, o) })
	}
}

// outcome is what became of an item once its function returned.
type outcome uint8

const (
	succeeded outcome = iota // its results (maybe none) are to be handed on
	skipped                  // it failed and OnError skipped it; counted
	stopped                  // the worker must stop; the item is counted
)

// noFlush is the flusher of a worker without output.
type noFlush struct{}

func (noFlush) flush() bool { return true }

// work is the loop of a worker whose results leave as they come.
//
// Counting: the reader counts In per hand-off slice, and the items of a
// slice the worker never begins as NotStarted when it closes (in.rest),
// also when the worker unwinds from a panic or Goexit (spawn then counts
// the item in hand as Failed). The writer counts the items whose results
// it hands over as Succeeded, or Canceled at close. So the loop counts
// only what it alone knows, locally: items a sink consumed, and items that
// succeeded with no result.
func (t *transform[T, U]) work(r *run, m *meter) {
	in := t.in.reader(r, m)
	defer in.close()
	var out *writer[U]
	var f flusher = noFlush{}
	if t.out != nil {
		out = t.out.writer(r, m, t.tally())
		defer out.close()
		f = out
	}
	var results []U
	var consumed int64 // items a sink finished, counted in batches
	var empty int64    // items that succeeded with no result, likewise
	defer func() {
		m.c.out.Add(consumed)
		m.c.succeeded.Add(empty)
	}()
	ctx := r.ctx
	plain := t.opts.waiter == nil && t.opts.timeout == 0
	for {
		// Take every item ready in the current hand-off slice at once, so
		// the loop below costs no call into the reader per item.
		items, ok := in.take(f)
		if !ok {
			return
		}
		for _, item := range items {
			if r.stopped() {
				return // the items left are NotStarted
			}
			in.rest--
			res := succeeded
			if plain {
				var err error
				if results, err = t.step(ctx, item, results[:0]); err != nil {
					res = t.failed(r, m, item, results, err)
				}
			} else {
				results, res = t.handle(r, m, in, f, item, results[:0])
			}
			switch {
			case res == skipped:
				continue
			case res == stopped:
				return
			case out == nil:
				if consumed++; consumed == countEvery {
					m.c.out.Add(consumed)
					consumed = 0
				}
				continue
			case len(results) == 0:
				if empty++; empty == countEvery {
					m.c.succeeded.Add(empty)
					empty = 0
				}
				continue
			}
			for j, v := range results {
				if !out.put(v) {
					clear(results[j:])
					if t.multi {
						m.c.canceled.Add(1)
					}
					return
				}
			}
			if t.multi {
				out.hold(1)
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
			// never handed over: their items are canceled.
			m.c.canceled.Add(int64(o.win.Pending()))
			o.out.m = m
			o.out.close()
		}
	}()
	// emit and idle run in one worker at a time (the emitter), which
	// meters the shared writer's waits.
	emit := func(vals []U) bool {
		if len(vals) == 0 {
			return true // filtered out or skipped, and counted so
		}
		o.out.m = m
		for _, v := range vals {
			if !o.out.put(v) {
				if t.multi {
					m.c.canceled.Add(1)
				}
				return false
			}
		}
		if t.multi {
			o.out.hold(1)
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
	var empty int64 // items that succeeded with no result, counted in batches
	defer func() { m.c.succeeded.Add(empty) }()
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
			in.giveBack()
			return
		}
		var res outcome
		switch results, res = t.handle(r, m, in, noFlush{}, item, results[:0]); {
		case res == stopped:
			return
		case res == succeeded && len(results) == 0:
			if empty++; empty == countEvery {
				m.c.succeeded.Add(empty)
				empty = 0
			}
		}
		if numbered && !o.win.WaitRoom(r.ctx, ticket, wake) {
			// An item with no results succeeded and is counted; one
			// with results can no longer be handed on.
			if len(results) > 0 {
				m.c.canceled.Add(1)
			}
			clear(results)
			return
		}
		ok := o.win.Done(ticket, results, emit, idle)
		clear(results)
		if !ok {
			return
		}
	}
}

// handle paces and runs the step for one item and applies the error policy.
func (t *transform[T, U]) handle(r *run, m *meter, in *reader[T], f flusher, item T, results []U) ([]U, outcome) {
	ctx := r.ctx
	if t.opts.waiter != nil {
		if !f.flush() { // hand over what is ready before waiting
			in.giveBack()
			return results, stopped
		}
		start := m.beginWait(waitPace)
		err := t.opts.waiter.WaitN(ctx, 1)
		m.endWait(waitPace, start)
		if err != nil {
			if ctx.Err() != nil {
				in.giveBack() // the item never began
			} else {
				m.c.failed.Add(1)
				r.fail(err)
			}
			return results, stopped
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
		return results, succeeded
	}
	return results, t.failed(r, m, item, results, err)
}

// failed applies the error policy to an item whose step failed and counts
// the item. It counts it after OnError returns, so that a panic in OnError
// counts it once, as Failed (spawn).
func (t *transform[T, U]) failed(r *run, m *meter, item T, results []U, err error) outcome {
	ctx := r.ctx
	clear(results)
	if ctx.Err() != nil { // the pipeline stopped: the item did not fail
		m.c.canceled.Add(1)
		return stopped
	}
	if t.onError != nil {
		err = t.onError(ctx, item, err)
	}
	m.c.failed.Add(1)
	if err == nil {
		return skipped
	}
	r.fail(err)
	return stopped
}
