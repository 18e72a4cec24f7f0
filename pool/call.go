package pool

import (
	"context"
	"sync/atomic"

	"github.com/tandem-go/tandem/internal/misuse"
)

// Call runs task on one of p's workers, with a ctx derived from ctx, and
// returns its error: Do for a task with no value, at the cost of a few
// locks and a wake-up when the task ends, and no allocation. task is handed
// to p as Submit hands it, first come first served with every other
// submission: it takes a free worker, or waits in p's queue, or, when that
// is full too, for room in it. Until task starts, Call returns as soon as
// ctx is done, with ctx's cause, and task never runs; it returns ErrClosed
// once p is closed. Once task runs, Call waits for it to return: task
// should honour its ctx. p's Timeout applies, and the task counts in p's
// Stats like any other.
//
// Called from a task of p with its ctx (see InTask), Call never queues
// task behind workers that may all be waiting: it takes a free worker or
// runs task inline, on the calling worker, as Do does.
//
// A panic in task is re-raised in the caller as a *tandem.PanicError (p's
// OnPanic handler is not called: the caller is the waiter), and its error
// does not go to OnError; a task that calls runtime.Goexit fails with
// tandem.ErrGoexit. Call panics if ctx or task is nil.
func (p *Pool) Call(ctx context.Context, task func(ctx context.Context) error) error {
	misuse.Ctx("pool: Call", ctx)
	misuse.Nil("pool: Call", "function", task)
	return p.call(ctx, task, true)
}

// TryCall is Call that never waits for room: it starts task at once on a
// free worker (parked, or not yet started) and waits for it to return, or
// returns ErrFull at once and task never runs. Unlike TrySubmit, it never queues task: its caller would wait in
// the queue anyway, and waits are what TryCall is for avoiding. It never
// runs task inline either. A refusal counts as Rejected, as TrySubmit's
// do. TryCall panics if ctx or task is nil.
func (p *Pool) TryCall(ctx context.Context, task func(ctx context.Context) error) error {
	misuse.Ctx("pool: TryCall", ctx)
	misuse.Nil("pool: TryCall", "function", task)
	return p.call(ctx, task, false)
}

// InTask reports whether the calling goroutine is running a task (or a
// handler) of p and ctx is that task's ctx or derived from it: where
// Submit, Call and Do on a full pool run the new task inline rather than
// wait, and where waiting for room in p could mean waiting for the caller
// itself. A construct that waits for work it hands to p from goroutines of
// its own, as a fanout.OnPool fan-out does, asks it once, to lend its
// caller's worker to that work rather than deadlock. It costs a ctx.Value
// when ctx is not a task's and, when it is, a walk of the caller's stack.
// InTask panics if ctx is nil.
func (p *Pool) InTask(ctx context.Context) bool {
	misuse.Ctx("pool: InTask", ctx)
	return p.insideTask(ctx)
}

// caller is the waiter of one Call. Callers are recycled through the
// Pool's free list, so that a Call allocates nothing once warm; per Pool
// rather than a sync.Pool, as a channel must not cross synctest bubbles.
type caller struct {
	// state goes from waiting to started (the worker, when it starts the
	// task) or to abandoned (Call, when its ctx ends first), exactly once:
	// the CAS decides whether the task runs.
	state atomic.Int32
	done  chan struct{} // capacity 1: signalled once the task has ended
	r     result
}

const (
	callWaiting int32 = iota
	callStarted
	callAbandoned // Call returned; whoever ends the job recycles the caller
)

func (p *Pool) getCaller() *caller {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.callers); n > 0 {
		c := p.callers[n-1]
		p.callers[n-1] = nil
		p.callers = p.callers[:n-1]
		return c
	}
	return &caller{done: make(chan struct{}, 1)}
}

func (p *Pool) putCaller(c *caller) {
	c.state.Store(callWaiting)
	c.r = result{}
	p.mu.Lock()
	p.callers = append(p.callers, c)
	p.mu.Unlock()
}

func (p *Pool) call(ctx context.Context, task func(context.Context) error, block bool) error {
	c := p.getCaller()
	mode := startNow
	if block {
		mode = blocking
	}
	if err := p.submit(ctx, job{ctx: ctx, task: task, call: c}, mode); err != nil {
		p.putCaller(c)
		if err != ErrClosed && err != ErrFull {
			err = context.Cause(ctx)
		}
		return err
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		if c.state.CompareAndSwap(callWaiting, callAbandoned) {
			// Still queued: the worker that takes the job finds its ctx
			// done, counts it NotStarted and recycles c.
			return context.Cause(ctx)
		}
		<-c.done // started meanwhile: wait for it, as for any started task
	}
	r := c.r
	p.putCaller(c)
	switch r.out {
	case succeeded:
		return nil
	case panicked:
		panic(r.panic)
	case notStarted:
		if r.err != ErrClosed {
			return context.Cause(ctx)
		}
	}
	return r.err
}

// start is called by the worker about to run the task: it reports false
// when Call gave up on it first.
func (c *caller) start() bool { return c.state.CompareAndSwap(callWaiting, callStarted) }

// finish hands r to the Call waiting for the job, or recycles the caller
// of one that gave up. A job that ends without having started (Shutdown
// dropped it) settles the race with Call's ctx here.
func (p *Pool) finish(c *caller, r result) {
	if c.start() || c.state.Load() == callStarted {
		c.r = r
		c.done <- struct{}{}
		return
	}
	p.putCaller(c) // abandoned: Call has returned
}
