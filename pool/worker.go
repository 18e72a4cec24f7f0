package pool

import (
	"context"
	"reflect"
	"runtime"
	"time"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/catch"
)

type outcome uint8

const (
	completed outcome = iota
	failed            // returned an error, or called runtime.Goexit
	panicked
	canceled // ctx done before it started, or dropped by Shutdown
)

type result struct {
	out   outcome
	err   error
	panic *tandem.PanicError
}

// worker is the state one worker goroutine keeps across tasks.
type worker struct {
	pool *Pool
	mark
	idle          idler // where it waits when the queue is empty
	wokeSubmitter bool
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
	for {
		pe := catch.Call(func() { w.loop(&j) }, func() { p.goexit(&w, &j, false) })
		if pe == nil {
			return // the pool has nothing more for this worker
		}
		if j.group == nil {
			p.taskPanicked(pe) // crashes, unless there is a handler
		}
		next, more, _ := p.finish(&w, &j, result{out: panicked, err: pe, panic: pe}, false, false)
		if !more {
			return
		}
		j = next
	}
}

func (w *worker) loop(j *job) {
	p := w.pool
	for {
		r := w.run(j)
		next, more, parked := p.finish(w, j, r, false, true)
		if !more {
			if !parked {
				return
			}
			// The queue is empty. Rather than exit, and have the next
			// Submit start a goroutine and regrow a stack, wait a little
			// for Submit to hand over a task.
			if next, more = p.await(w); !more {
				return
			}
		}
		*j = next
		if w.wokeSubmitter {
			// The woken submitter waits in this P's run queue behind this
			// worker, which would otherwise drain the queue and park before
			// the submitter refills it: let it refill the queue now, so
			// that the workers neither park nor hand over to cold stacks.
			// (Measured: 16% less CPU per deep-stack task.)
			w.wokeSubmitter = false
			runtime.Gosched()
		}
	}
}

// runInline runs j on the calling goroutine, a worker of p that is inside a
// task: see Submit. A group may hand over its next pending task; that runs
// here too.
func (p *Pool) runInline(j job) {
	w := worker{pool: p}
	for {
		var r result
		if pe := catch.Call(func() { r = w.run(&j) }, func() { p.goexit(&w, &j, true) }); pe != nil {
			r = result{out: panicked, err: pe, panic: pe}
			if j.group == nil {
				// Count it before the panic goes on into the enclosing
				// task; a plain task hands over no next task.
				p.finish(&w, &j, r, true, false)
				p.taskPanicked(pe)
				return
			}
		}
		var more bool
		if j, more, _ = p.finish(&w, &j, r, true, false); !more {
			return
		}
	}
}

// run runs one task unless its ctx is already done, and reports how it
// ended, unless it panics or calls Goexit: the caller catches those.
func (w *worker) run(j *job) result {
	if done := j.ctx.Done(); done != nil {
		select {
		case <-done:
			return result{out: canceled, err: j.ctx.Err()}
		default:
		}
	}
	ctx := w.taskContext(j.ctx)
	timeout := w.pool.taskTimeout
	if j.group != nil {
		timeout = j.group.taskTimeout
	}
	var err error
	if timeout > 0 {
		err = callWithTimeout(ctx, j, timeout)
	} else {
		err = call(ctx, j)
	}
	if err != nil {
		return result{out: failed, err: err}
	}
	return result{}
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

func (w *worker) taskContext(ctx context.Context) context.Context {
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

// taskPanicked handles the panic of a task that nobody waits for: a
// deliberate crash unless a handler was configured, as a go statement would.
func (p *Pool) taskPanicked(pe *tandem.PanicError) {
	if p.onPanic == nil {
		panic(pe)
	}
	p.onPanic(pe)
}

// goexit runs while a task's goroutine unwinds from runtime.Goexit: the
// task is counted as failed with tandem.ErrGoexit and a new goroutine takes
// over the worker's place, so that capacity never shrinks and nobody waits
// forever. Inline, the task's caller is unwinding too and its own worker
// is replaced; work handed over here goes back to the queue.
func (p *Pool) goexit(w *worker, j *job, inline bool) {
	next, more, _ := p.finish(w, j, result{out: failed, err: tandem.ErrGoexit}, inline, false)
	if !more {
		return
	}
	if inline {
		p.requeue(next)
		return
	}
	go p.work(next, w.mark)
}

// requeue gives a worker a task that finish had already counted as
// running: a new one when there is room for it (the goroutine that ran the
// task inline need not be a worker, if a task handed its ctx to another
// goroutine), or else the queue, which the busy workers drain.
func (p *Pool) requeue(j job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) > 0 {
		p.running-- // handLocked counts it again
		p.handLocked(j)
		return
	}
	if p.workers < p.limit {
		p.workers++
		go p.work(j, p.mark)
		return
	}
	p.running--
	p.queue.push(j) // accepted work: may exceed the queue size
}

// finish accounts for the end of j and returns what the same goroutine
// should run next, if anything: the next pending task of j's group, or
// else (for a worker, not inline) the head of the queue. A worker that gets
// nothing has been counted out and must return, unless it may park and
// parked is true: then it is on the idle stack and must call await.
func (p *Pool) finish(w *worker, j *job, r result, inline, mayPark bool) (next job, more, parked bool) {
	var dropped job // next, when Shutdown's deadline passed meanwhile
	if j.group != nil {
		var done int
		next, more, done = j.group.finish(j, r, p.stopping.Load())
		defer func() { // after the Unlock below: g.mu comes before p.mu
			if dropped.group != nil {
				_, _, n := dropped.group.finish(&dropped, result{out: canceled, err: ErrClosed}, true)
				done += n
			}
			j.group.done(done)
		}()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if w.newMark {
		w.newMark = false
		p.mark = w.mark
	}
	if more && p.stopping.Load() {
		// Shutdown passed its deadline and emptied the queue after the
		// group looked: next must not start, nor go onto the queue.
		// Counted as Shutdown counts what it drops.
		p.submitted++
		p.canceled++
		dropped, next, more = next, job{}, false
	}
	p.running--
	switch r.out {
	case completed:
		p.completed++
	case failed:
		p.failed++
	case panicked:
		p.panicked++
	case canceled:
		p.canceled++
	}
	if more {
		p.submitted++
		switch {
		case inline:
			p.running++
			return next, true, false
		case p.workers > p.limit:
			p.queue.push(next) // the pool shrank: this worker leaves it queued
		case p.queue.n > 0:
			// Others were queued first: the group's task goes behind them,
			// so that a big group cannot keep the workers it has to itself.
			// One in, one out: the queue does not grow.
			p.queue.push(next)
			next, _ = p.queue.pop()
			p.running++
			return next, true, false
		default:
			p.running++
			return next, true, false
		}
	}
	if inline {
		return job{}, false, false
	}
	if mayPark && p.queue.n == 0 && p.waiters.empty() && p.workers <= p.limit && !p.closed {
		p.parkLocked(w)
		return job{}, false, true
	}
	next, more = p.nextLocked(w)
	return next, more, false
}

// nextLocked pops the head of the queue for a worker, or counts the worker
// out when the queue is empty or the pool has shrunk below the workers.
func (p *Pool) nextLocked(w *worker) (job, bool) {
	if p.workers <= p.limit {
		if next, ok := p.queue.pop(); ok {
			p.running++
			if p.queue.n <= p.queueSize/2 {
				// Wake blocked submitters only once the queue is half
				// empty: then a producer refills it in one go instead of
				// sleeping and waking for every task, and the half still
				// queued keeps the workers busy meanwhile.
				w.wokeSubmitter = p.admitLocked()
			}
			return next, true
		}
		if next, ok := p.takeWaiterLocked(); ok {
			return next, true
		}
	}
	p.workers--
	p.closeDrainedLocked()
	return job{}, false
}
