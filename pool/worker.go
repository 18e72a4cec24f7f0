package pool

import (
	"context"

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
	// submitted is the ctx of the last task, marked is it with the
	// insidePool value; kept so tasks sharing a ctx (a group's, or a
	// server's base ctx) cost no allocation to mark.
	submitted, marked context.Context
}

// work is the body of a worker goroutine: it runs j, then whatever the Pool
// hands it next, and returns when the Pool has nothing more for it.
func (p *Pool) work(j job) {
	w := worker{pool: p}
	for {
		r := w.execute(&j, false)
		var more bool
		if j, more = p.finish(&j, r, false); !more {
			return
		}
	}
}

// runInline runs j on the calling goroutine, a worker of p that is inside a
// task: see Submit. A group may hand over its next pending task; that runs
// here too.
func (p *Pool) runInline(j job) {
	w := worker{pool: p}
	for {
		r := w.execute(&j, true)
		var more bool
		if j, more = p.finish(&j, r, true); !more {
			return
		}
	}
}

// execute runs one task unless its ctx is already done, and reports how it
// ended. A panic of a Pool task goes to the panic handler, or crashes.
func (w *worker) execute(j *job, inline bool) (r result) {
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
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	r.panic = catch.Call(func() {
		if j.group != nil {
			r.err = j.group.run(ctx, j.task, j.index)
		} else {
			r.err = j.task.(func(context.Context) error)(ctx)
		}
	}, func() { w.pool.goexit(j, inline) })
	switch {
	case r.panic != nil:
		r.out, r.err = panicked, r.panic
		if j.group == nil {
			w.pool.taskPanicked(r.panic)
		}
	case r.err != nil:
		r.out = failed
	}
	return r
}

func (w *worker) taskContext(ctx context.Context) context.Context {
	if w.marked == nil || !sameContext(ctx, w.submitted) {
		w.submitted = ctx
		w.marked = context.WithValue(ctx, insidePool{w.pool}, true)
	}
	return w.marked
}

// sameContext is ctx == other, except that a Context of an uncomparable
// dynamic type (a struct holding a map, say) counts as different instead of
// panicking.
func sameContext(ctx, other context.Context) (same bool) {
	defer func() { _ = recover() }() // only the comparison can panic
	return ctx == other
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
func (p *Pool) goexit(j *job, inline bool) {
	next, more := p.finish(j, result{out: failed, err: tandem.ErrGoexit}, inline)
	if !more {
		return
	}
	if inline {
		p.requeue(next)
		return
	}
	go p.work(next)
}

// requeue gives a worker a task that finish had already counted as
// running: a new one when there is room for it (the goroutine that ran the
// task inline need not be a worker, if a task handed its ctx to another
// goroutine), or else the queue, which the busy workers drain.
func (p *Pool) requeue(j job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.workers < p.limit {
		p.workers++
		go p.work(j)
		return
	}
	p.running--
	p.queue.push(j) // accepted work: may exceed the queue size
}

// finish accounts for the end of j and returns what the same goroutine
// should run next, if anything: the next pending task of j's group, or
// else (for a worker, not inline) the head of the queue. A worker that gets
// nothing has been counted out and must return.
func (p *Pool) finish(j *job, r result, inline bool) (next job, more bool) {
	if j.group != nil {
		next, more = j.group.finish(j, r, p.stopping.Load())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
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
			return next, true
		case p.workers > p.limit:
			p.queue.push(next) // the pool shrank: this worker leaves it queued
		case p.queue.n > 0:
			// Others were queued first: the group's task goes behind them,
			// so that a big group cannot keep the workers it has to itself.
			// One in, one out: the queue does not grow.
			p.queue.push(next)
			next, _ = p.queue.pop()
			p.running++
			return next, true
		default:
			p.running++
			return next, true
		}
	}
	if inline {
		return job{}, false
	}
	if p.workers <= p.limit {
		if next, ok := p.queue.pop(); ok {
			p.running++
			p.passRoomLocked()
			return next, true
		}
	}
	p.workers--
	p.passRoomLocked() // a submitter may start a worker in its place
	p.closeDrainedLocked()
	return job{}, false
}
