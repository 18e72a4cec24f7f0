package pool

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem"
)

// Pool runs tasks on at most Limit worker goroutines, with a bounded queue
// in front of them. It is meant to be long-lived and shared, for example by
// all the requests of a server, so that the whole service stays under one
// limit; groups (NewGroup with OnPool) share it too.
//
// Workers start on demand, run queued tasks one after another, and exit
// once they have found nothing to do for 100 ms, so an idle Pool soon has
// no goroutine and forgetting Close leaks nothing once the tasks are done.
// A Pool must be created with New and must not be copied.
type Pool struct {
	mu        sync.Mutex
	limit     int
	queueSize int
	workers   int // worker goroutines started and not yet exited
	queue     ring
	idle      []*idler   // parked workers, most recent last
	waking    bool       // a parked worker was handed a task and has not yet run
	waiters   waiterList // submitters blocked in Submit, FIFO
	closed    bool
	isDrained bool // drained is closed

	// stopping is set when Shutdown's ctx ends: work that has not started is
	// canceled instead of run. Read by groups without the Pool's lock.
	stopping atomic.Bool

	drained chan struct{} // closed when closed and every worker has exited

	// mark is the marked ctx a worker made last, passed on to new workers
	// so that a server's base ctx is marked once, not once per worker.
	mark mark

	onPanic     func(*tandem.PanicError)
	taskTimeout time.Duration

	submitted, running, completed, failed, panicked, canceled, rejected int
}

// New returns a Pool that runs at most limit tasks at once and queues up to
// the queue size (WithQueueSize, default limit) more. It starts no
// goroutine. New panics if limit < 1.
func New(limit int, opts ...Option) *Pool {
	if limit < 1 {
		panic(fmt.Sprintf("pool: New(%d): limit must be >= 1", limit))
	}
	o := poolOptions(limit, opts)
	return &Pool{
		limit:       limit,
		queueSize:   o.queueSize,
		queue:       ring{buf: make([]job, o.queueSize)},
		drained:     make(chan struct{}),
		onPanic:     o.onPanic,
		taskTimeout: o.taskTimeout,
	}
}

// Submit hands task to the pool, to run with ctx. When every worker is busy
// and the queue is full, Submit blocks until there is room, until ctx is
// done (it returns ctx.Err() and task never runs), or until the pool is
// closed (ErrClosed). A task whose ctx is done before a worker starts it
// never starts and is counted as canceled.
//
// Called from a task of this pool with that task's ctx (or one derived from
// it) while the queue is full, Submit runs task inline instead of blocking,
// on the calling worker, whose own task waits for it: blocking could
// deadlock once every worker does the same (the ants #197 trap), and
// running inline keeps the number of busy workers within the limit.
//
// A task's error only counts as failed in Stats. A panic calls the
// WithPanicHandler handler, or else crashes the program as in a go
// statement; a task run inline without a handler panics instead into the
// task that called Submit, as a function call would, so it reaches that
// task's waiter (a group's Wait re-raises it) or crashes the program.
// Submit panics if ctx or task is nil.
func (p *Pool) Submit(ctx context.Context, task func(ctx context.Context) error) error {
	if ctx == nil || task == nil {
		panic("pool: Submit with a nil ctx or task")
	}
	return p.submit(ctx, job{ctx: ctx, task: task}, true)
}

// TrySubmit is Submit that never blocks: when the queue is full (with no
// queue, when no worker is free) it returns ErrFull at once, and ErrClosed
// after Close. The task never runs then. TrySubmit panics if ctx or task
// is nil.
func (p *Pool) TrySubmit(ctx context.Context, task func(ctx context.Context) error) error {
	if ctx == nil || task == nil {
		panic("pool: TrySubmit with a nil ctx or task")
	}
	return p.submit(ctx, job{ctx: ctx, task: task}, false)
}

// insidePool is the key of the ctx value by which a pool's workers mark
// their tasks' contexts, so that Submit can tell a task submitting into its
// own pool from any other caller. A struct with the pool in it, so that
// tasks of one pool submitting into another are told apart too.
type insidePool struct{ p *Pool }

func (p *Pool) submit(ctx context.Context, j job, block bool) error {
	p.mu.Lock()
	if p.closed && (p.stopping.Load() || ctx.Value(insidePool{p}) == nil) {
		p.rejected++
		p.mu.Unlock()
		return ErrClosed
	}
	if len(p.idle) > 0 && (!p.waking || p.queueSize == 0) {
		p.submitted++
		if p.queue.n > 0 { // first come, first served
			head, _ := p.queue.pop()
			p.queue.push(j)
			j = head
		}
		p.handLocked(j)
		p.mu.Unlock()
		return nil
	}
	if p.workers < p.limit && len(p.idle) == 0 {
		p.workers++
		p.submitted++
		p.running++
		m := p.mark
		p.mu.Unlock()
		go p.work(j, m)
		return nil
	}
	if p.queue.n < p.queueSize && p.waiters.empty() { // no cutting in line
		p.queue.push(j)
		p.submitted++
		p.mu.Unlock()
		return nil
	}
	if !block {
		p.rejected++
		p.mu.Unlock()
		return ErrFull
	}
	if ctx.Value(insidePool{p}) != nil {
		p.submitted++
		p.running++
		p.mu.Unlock()
		p.runInline(j)
		return nil
	}
	return p.wait(ctx, j)
}

// wait blocks the submitter of j, called with p.mu held, until a worker
// moves j into the pool, the pool is closed, or ctx is done.
func (p *Pool) wait(ctx context.Context, j job) error {
	w := p.waiters.get()
	w.j = j
	p.waiters.pushBack(w)
	p.mu.Unlock()
	select {
	case <-w.ready:
	case <-ctx.Done():
		p.mu.Lock()
		if !w.settled {
			p.waiters.remove(w)
			p.rejected++
			p.waiters.put(w)
			p.mu.Unlock()
			return ctx.Err()
		}
		p.mu.Unlock()
		<-w.ready // settled meanwhile: the task is in, or was refused by Close
	}
	p.mu.Lock()
	err := w.err
	p.waiters.put(w)
	p.mu.Unlock()
	return err
}

// admitLocked moves blocked submitters' tasks into the queue while there is
// room in it.
// It reports whether it woke any.
func (p *Pool) admitLocked() (woke bool) {
	for p.queue.n < p.queueSize && !p.waiters.empty() {
		w := p.waiters.popFront()
		p.queue.push(w.j)
		p.submitted++
		w.settle(nil)
		woke = true
	}
	return woke
}

// takeWaiterLocked hands a worker the task of the first blocked submitter,
// when the queue is empty (or has no room at all) and the worker would
// otherwise exit.
func (p *Pool) takeWaiterLocked() (job, bool) {
	w := p.waiters.popFront()
	if w == nil {
		return job{}, false
	}
	j := w.j
	p.submitted++
	p.running++
	w.settle(nil)
	return j, true
}

// Close stops intake (Submit and TrySubmit return ErrClosed from now on,
// and blocked submitters return it too), lets the workers run every task
// already accepted, and returns when every worker has exited. Tasks of the
// pool may still submit with their ctx, so that work they fan out drains
// too (until Shutdown's deadline). It is
// idempotent and safe to call concurrently with Submit. Calling it from a
// task of the pool deadlocks, as the task would wait for itself.
func (p *Pool) Close() {
	p.close()
	<-p.drained
}

func (p *Pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	for w := p.waiters.popFront(); w != nil; w = p.waiters.popFront() {
		p.rejected++
		w.settle(ErrClosed)
	}
	p.dismissIdleLocked(0)
}

func (p *Pool) closeDrainedLocked() {
	if p.closed && p.workers == 0 && !p.isDrained {
		p.isDrained = true
		close(p.drained)
	}
}

// Shutdown is Close with a deadline: it stops intake and waits for the
// accepted tasks to finish, until ctx is done. Then the tasks that have not
// started are dropped, counted as canceled (a group's tasks fail with
// ErrClosed), and Shutdown returns ctx.Err() once the running tasks have
// returned and every worker has exited. Running tasks are not interrupted:
// they hold the ctx they were submitted with; cancel that to stop them.
// Shutdown returns nil when everything finished in time.
func (p *Pool) Shutdown(ctx context.Context) error {
	p.close()
	select {
	case <-p.drained:
		return nil
	case <-ctx.Done():
	}
	p.stopping.Store(true)
	var dropped []job
	p.mu.Lock()
	for {
		j, ok := p.queue.pop()
		if !ok {
			break
		}
		p.canceled++
		if j.group != nil {
			dropped = append(dropped, j)
		}
	}
	p.mu.Unlock()
	for i := range dropped {
		// The pool has counted it; its group needs its error and count.
		g := dropped[i].group
		_, _, done := g.finish(&dropped[i], result{out: canceled, err: ErrClosed}, true)
		g.done(done)
	}
	<-p.drained
	return ctx.Err()
}

// Resize changes the limit. Growing starts workers for queued tasks at
// once; shrinking dismisses idle workers at once and lets busy workers
// finish their current task and exit, so no more than the new limit run
// once those have returned. Resize panics if limit < 1.
func (p *Pool) Resize(limit int) {
	if limit < 1 {
		panic(fmt.Sprintf("pool: Resize(%d): limit must be >= 1", limit))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.limit = limit
	p.dismissIdleLocked(limit)
	for p.workers < p.limit {
		j, ok := p.queue.pop()
		if ok {
			p.running++
		} else if j, ok = p.takeWaiterLocked(); !ok {
			break
		}
		p.workers++
		go p.work(j, p.mark)
	}
	p.admitLocked()
}

// Limit returns the current limit.
func (p *Pool) Limit() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.limit
}
