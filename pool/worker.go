package pool

import (
	"context"
	"reflect"
	"runtime"
	"time"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/catch"
)

// worker is the state one worker goroutine keeps across tasks; runInline
// makes a short-lived one for the task it runs.
type worker struct {
	pool *Pool
	mark
	id            int64 // goroutine id, when the pool keeps them (see self.go)
	idle          idler // where it waits when the queue is empty
	wokeSubmitter bool
	// gone is set once a goroutine unwinding from Goexit has accounted for
	// its task, so that the hooks further out do nothing.
	gone bool
}

// mark is the ctx of the last task, submitted, and marked, the same with
// the insidePool value; kept so that tasks sharing a ctx (a group's, or a
// server's base ctx) cost no allocation to mark.
type mark struct {
	submitted, marked context.Context
	comparable        bool // == on submitted's type cannot panic
	newMark           bool // marked was made by this worker, not yet shared
}

// work is the body of a worker goroutine: it runs j, then whatever the Pool
// hands it next, and returns when the Pool has nothing more for it.
//
// Panics are caught around the whole loop, not around each task: the hot
// path has no defer, and the rare panic restarts the loop on the same
// goroutine. j is always the task in flight, so a panic or a Goexit is
// accounted to it.
func (p *Pool) work(j job, m mark) {
	w := worker{pool: p, mark: m}
	p.enter(&w)
	for {
		pe := catch.Call(func() { w.loop(&j) }, func() { p.goexit(&w, &j, onWorker) })
		if pe == nil {
			return // the pool has nothing more for this worker
		}
		if h, ok := pe.Value.(handlerPanic); ok {
			panic(h) // past every recovery of the pool: the program crashes
		}
		var st step
		j, st = p.conclude(&w, &j, result{out: panicked, err: pe, panic: pe}, onWorker)
		if st == park {
			var ok bool
			j, ok = p.await(&w)
			st = leave
			if ok {
				st = runNext
			}
		}
		if st == leave {
			return
		}
	}
}

func (w *worker) loop(j *job) {
	p := w.pool
	for {
		next, st := p.conclude(w, j, w.run(j), onWorker)
		switch st {
		case leave:
			return
		case park:
			// The queue is empty. Rather than exit, and have the next
			// Submit start a goroutine and regrow a stack, wait a little
			// for Submit to hand over a task.
			var ok bool
			if next, ok = p.await(w); !ok {
				return
			}
		}
		*j = next
		if w.wokeSubmitter {
			// The woken submitter waits in this P's run queue behind this
			// worker, which would otherwise drain the queue and park before
			// the submitter refills it: let it refill the queue now, so
			// that the workers neither park nor hand over to cold stacks.
			w.wokeSubmitter = false
			runtime.Gosched()
		}
	}
}

// runInline runs j on the calling goroutine, a worker of p inside a task
// or handler (see Submit). A group may hand over its next task; that runs
// here too.
func (p *Pool) runInline(j job) {
	w := worker{pool: p}
	for {
		var r result
		pe := catch.Call(func() { r = w.run(&j) }, func() { p.goexit(&w, &j, inline) })
		if pe != nil {
			r = result{out: panicked, err: pe, panic: pe}
			h, ofHandler := pe.Value.(handlerPanic)
			if ofHandler || j.plain() && p.onPanic == nil {
				// A handler's panic on its way to crash the program, or a
				// plain task's with no handler: either goes on into the
				// task that called Submit, as from a function call, once
				// j is counted.
				if next, st := p.end(&w, &j, r, inline); st == runNext {
					p.requeue(next)
				}
				if ofHandler {
					panic(h)
				}
				panic(pe)
			}
		}
		next, st := p.conclude(&w, &j, r, inline)
		if st != runNext {
			return
		}
		j = next
	}
}

// run runs one task unless its ctx is already done, and reports how it
// ended, unless it panics or calls Goexit: the caller catches those.
func (w *worker) run(j *job) result {
	if j.call != nil && !j.call.start() {
		return result{out: notStarted, err: j.ctx.Err()} // its Call gave up on it
	}
	if err := j.ctx.Err(); err != nil {
		return result{out: notStarted, err: err}
	}
	ctx := w.taskContext(j.ctx)
	timeout := w.pool.timeout
	if j.group != nil {
		timeout = j.group.timeout
	}
	var err error
	if timeout > 0 {
		err = callWithTimeout(ctx, j, timeout)
	} else {
		err = call(ctx, j)
	}
	switch {
	case err == nil:
		return result{}
	case j.ctx.Err() != nil: // stopped by its ctx, not by its Timeout alone
		return result{out: canceled, err: err}
	default:
		return result{out: failed, err: err}
	}
}

func call(ctx context.Context, j *job) error {
	if j.group != nil {
		return j.group.run(ctx, j.task, j.index)
	}
	return j.task.(func(context.Context) error)(ctx)
}

func callWithTimeout(ctx context.Context, j *job, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return call(ctx, j)
}

// conclude ends j, which ended as r on w: a plain task's failure goes to
// the pool's handler first, then j is accounted for and w handed its next
// step.
func (p *Pool) conclude(w *worker, j *job, r result, m mode) (job, step) {
	if j.plain() && r.out != succeeded && r.out != notStarted {
		p.report(w, j, r, m)
	}
	return p.end(w, j, r, m)
}

// report gives the failure of the plain task j to the pool's handler, on
// the goroutine that ran j. Without an OnPanic handler a panic crashes the
// program, as in a go statement. A handler is user code that must not
// break the pool: if it calls Goexit, j is accounted for and the worker
// replaced (exited); if it panics, j is accounted for and the panic raised
// as a handlerPanic, which the pool never recovers, so that it crashes the
// program (inline, the task that called Submit sees it first).
func (p *Pool) report(w *worker, j *job, r result, m mode) {
	var handle func()
	switch {
	case r.out == panicked && p.onPanic != nil:
		handle = func() { p.onPanic(r.panic) }
	case r.out == panicked:
		panic(r.panic)
	case p.onError != nil:
		handle = func() { p.onError(r.err) }
	default:
		return
	}
	pe := catch.Call(handle, func() { p.exited(w, j, r, m) })
	if pe == nil {
		return
	}
	if m == inline {
		if next, st := p.end(w, j, r, inline); st == runNext {
			p.requeue(next)
		}
	}
	panic(handlerPanic{pe})
}

// handlerPanic is the panic of an OnPanic or OnError handler on its way to
// crash the program: the pool's recovery lets it through.
type handlerPanic struct{ pe *tandem.PanicError }

func (h handlerPanic) Error() string { return "pool: a handler panicked: " + h.pe.Error() }
func (h handlerPanic) Unwrap() error { return h.pe }

// goexit runs while the goroutine that ran j unwinds from runtime.Goexit
// called by j: j fails with tandem.ErrGoexit, which goes to OnError for a
// plain task, and exited takes over.
func (p *Pool) goexit(w *worker, j *job, m mode) {
	if w.gone {
		return // a handler's Goexit, already accounted
	}
	if j.plain() {
		p.report(w, j, goexited, m)
	}
	p.exited(w, j, goexited, m)
}

// exited accounts for j, which ended as r on a goroutine that is unwinding
// from runtime.Goexit, and gives the next task to another goroutine, so
// that capacity never shrinks and nobody waits forever: a worker is
// replaced by a new goroutine; inline, the goroutine is unwinding into the
// task that called Submit, whose own hook accounts for that one, and the
// group's next task goes to another worker.
func (p *Pool) exited(w *worker, j *job, r result, m mode) {
	if w.gone {
		return
	}
	w.gone = true
	if m == inline {
		if next, st := p.end(w, j, r, inline); st == runNext {
			p.requeue(next)
		}
		return
	}
	if next, st := p.end(w, j, r, dying); st == runNext {
		go p.work(next, w.mark)
	}
}

func (w *worker) taskContext(ctx context.Context) context.Context {
	if w.pool.ids == nil {
		return ctx // a group's own pool: nobody submits with the task's ctx
	}
	if w.marked == nil || !w.sameContext(ctx) {
		w.submitted = ctx
		w.comparable = comparableWithoutPanic(reflect.TypeOf(ctx))
		w.marked = context.WithValue(ctx, insidePool{w.pool}, true)
		w.newMark = true
	}
	return w.marked
}

// sameContext reports whether ctx is the last task's ctx. A Context of an
// uncomparable dynamic type (a struct holding a map, say) would make == panic:
// it counts as different. == on two interfaces panics only when both hold
// the same dynamic type, so knowing that the last ctx's type is safe to
// compare is enough: no reflection per task.
func (w *worker) sameContext(ctx context.Context) bool {
	return w.comparable && ctx == w.submitted
}

// comparableWithoutPanic reports whether == on values of t never panics:
// t is comparable and holds no interface, whose dynamic value might not be.
func comparableWithoutPanic(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface:
		return false
	case reflect.Array:
		return comparableWithoutPanic(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !comparableWithoutPanic(t.Field(i).Type) {
				return false
			}
		}
		return true
	default:
		return t.Comparable()
	}
}
