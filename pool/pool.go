package pool

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/misuse"
)

// Pool runs tasks on at most Workers goroutines, with a bounded queue in
// front of them. It is meant to be long-lived and shared, for example by
// all the requests of a server, so that the whole service stays under one
// bound; groups (NewGroup with OnPool) and Do share it too.
//
// Workers start on demand, run queued tasks one after another, and exit
// once they have found nothing to do for a while, so an idle Pool soon has
// no goroutine and forgetting Close leaks nothing once the tasks are done.
// A Pool must be created with New and must not be copied. Its methods are
// safe for concurrent use.
type Pool struct {
	mu         sync.Mutex
	workers    int // the bound
	queueSize  int
	goroutines int // workers started and not yet counted out; toward the bound
	exiting    int // workers dismissed, not yet gone: Close waits for them too
	queue      ring
	idle       []*idler   // parked workers, most recent last
	waking     bool       // a parked worker was handed a task and has not yet run
	waiters    waiterList // submitters blocked in Submit, FIFO
	closed     bool
	isDrained  bool // drained is closed

	// stopping is set when Shutdown's ctx ends: work that has not started is
	// dropped instead of run. Read by groups without the Pool's lock.
	stopping atomic.Bool

	drained chan struct{} // closed when closed and every worker has exited

	// mark is the marked ctx a worker made last, passed on to new workers
	// so that a server's base ctx is marked once, not once per worker.
	mark mark
	// ids holds the goroutine ids of the workers (see self.go); nil for a
	// group's own pool, which does without them.
	ids map[int64]struct{}
	// callers recycles the waiters of Call and TryCall (see call.go).
	callers []*caller

	onPanic func(*tandem.PanicError)
	onError func(error)
	timeout time.Duration

	n counts
}

// New returns a Pool that runs at most workers tasks at once and queues up
// to QueueSize (default: workers) more. It starts no goroutine and
// allocates nothing in proportion to workers. Options: QueueSize, OnPanic,
// OnError, Timeout. New panics if workers < 1 (Unlimited is for groups), or
// when given a nil Option or an option of groups.
func New(workers int, opts ...Option) *Pool {
	if workers == Unlimited {
		misuse.Panicf("pool: New", "a Pool cannot be Unlimited (groups can)")
	}
	if workers < 1 {
		misuse.Panicf("pool: New", "workers must be at least 1, got %d", workers)
	}
	o := poolOptions(opts)
	if o.queueSize < 0 {
		o.queueSize = workers
	}
	return &Pool{
		workers:   workers,
		queueSize: o.queueSize,
		drained:   make(chan struct{}),
		ids:       make(map[int64]struct{}),
		onPanic:   o.onPanic,
		onError:   o.onError,
		timeout:   o.timeout,
	}
}

// newOwnPool returns the pool a group runs on when it has none to share:
// room for every task the group lets in flight, so it never blocks and
// never refuses; Unlimited becomes the largest bound.
func newOwnPool(workers int) *Pool {
	if workers == Unlimited {
		workers = math.MaxInt
	}
	return &Pool{workers: workers, queueSize: workers, drained: make(chan struct{})}
}

// Submit hands task to the pool, to run with ctx. When a worker is free
// (parked, or not yet started) or the queue has room, it returns nil at
// once. When every worker is busy and the queue is full, Submit blocks
// until there is room, until ctx is done (it returns ctx.Err()), or until
// the pool is closed (ErrClosed); the task then never runs. A ctx that is
// already done is refused at once with its error. A task whose ctx ends
// while it is queued never starts (Stats.NotStarted). Accepting costs a
// lock and no allocation.
//
// A task of this pool that submits into it, on its own goroutine with its
// ctx (or one derived from it), may run the submitted task inline rather
// than block when the pool is full: blocking could deadlock once every
// worker does it (ants #197). The submitting task waits in Submit while
// its worker runs the new one, so no more than Workers goroutines ever run
// tasks (Stats.Running counts both tasks). Only the task's own goroutine
// counts as the pool's: a goroutine the task started, or the task's ctx
// kept after the task returned, submits like any other caller and blocks.
// A task of the pool may also still submit once Close has begun, so that
// work it fans out drains too; nothing else can.
//
// The task's error goes to the OnError handler, if any, and is counted in
// Stats. A panic calls the OnPanic handler, or else crashes the program as
// in a go statement. A task run inline without an OnPanic handler panics
// into the task that called Submit instead, as a function call would.
//
// Submit panics if ctx or task is nil.
func (p *Pool) Submit(ctx context.Context, task func(ctx context.Context) error) error {
	misuse.Ctx("pool: Submit", ctx)
	if task == nil {
		misuse.Panicf("pool: Submit", "nil function")
	}
	return p.submit(ctx, job{ctx: ctx, task: task}, blocking)
}

// TrySubmit is Submit that never blocks: when every worker is busy and the
// queue is full (with no queue, when no worker is free) it returns ErrFull
// at once, never while a worker is parked. It returns ErrClosed after
// Close, and the ctx's error when ctx is already done. The task never runs
// then. TrySubmit never runs a task inline. It panics if ctx or task is
// nil.
func (p *Pool) TrySubmit(ctx context.Context, task func(ctx context.Context) error) error {
	misuse.Ctx("pool: TrySubmit", ctx)
	if task == nil {
		misuse.Panicf("pool: TrySubmit", "nil function")
	}
	return p.submit(ctx, job{ctx: ctx, task: task}, tryQueue)
}

// submitMode says what submit does when no worker is free.
type submitMode uint8

const (
	blocking submitMode = iota // queue, or wait for room, or run inline (Submit, Call)
	tryQueue                   // queue, or fail with ErrFull (TrySubmit)
	startNow                   // fail with ErrFull (TryCall)
)

func (p *Pool) submit(ctx context.Context, j job, mode submitMode) error {
	if err := ctx.Err(); err != nil {
		p.mu.Lock()
		p.n.rejected++
		p.mu.Unlock()
		return err
	}
	// inside: the submitter is a task of this pool on its worker. Checked
	// only where it matters (a closed or full pool), and with no lock held,
	// since it calls ctx.Value; the state is looked at again after.
	inside, checked := false, false
	p.mu.Lock()
	for {
		switch {
		case p.closed && (p.stopping.Load() || checked && !inside):
			p.n.rejected++
			p.mu.Unlock()
			return ErrClosed
		case p.closed && !checked:
			// May be a task of the pool, which may submit while it drains.
		default:
			// A nested group's task, and a Call's, must not wait in the
			// queue behind workers that may all wait for it: it takes a
			// free worker or runs inline, and queues only for a submitter
			// that turned out to hold no worker. TryCall never queues.
			queue := mode != startNow && (j.mayQueue() || checked && !inside)
			switch p.admitLocked(j, queue) {
			case admitted:
				p.mu.Unlock()
				return nil
			case admittedNewWorker:
				m := p.mark
				p.mu.Unlock()
				go p.work(j, m)
				return nil
			}
			switch {
			case mode != blocking:
				p.n.rejected++
				p.mu.Unlock()
				return ErrFull
			case checked && inside:
				p.n.submitted++
				p.n.running++
				p.mu.Unlock()
				p.runInline(j)
				return nil
			case checked:
				return p.wait(ctx, j)
			}
		}
		p.mu.Unlock()
		inside, checked = p.insideTask(ctx), true
		p.mu.Lock()
	}
}

type admission uint8

const (
	full admission = iota
	admitted
	admittedNewWorker // the caller starts a worker for the job
)

// admitLocked takes j, counting it as submitted, if the pool has room for
// it now: a free worker, or room in the queue if queue is true. Parked
// workers are room, whatever the queue holds: a parked worker is handed j,
// or j queues for the worker being woken, which hands on what it finds
// queued (see idle.go). A j that must not queue takes the parked worker
// itself, ahead of what is queued for the worker being woken.
func (p *Pool) admitLocked(j job, queue bool) admission {
	if len(p.idle) > 0 {
		p.n.submitted++
		if queue && p.waking && p.queue.n < p.queueSize {
			p.queue.push(j)
			return admitted
		}
		if queue && p.queue.n > 0 { // first come, first served
			head, _ := p.queue.pop()
			p.queue.push(j)
			j = head
		}
		p.handLocked(j)
		return admitted
	}
	if p.goroutines < p.workers {
		p.goroutines++
		p.n.submitted++
		p.n.running++
		return admittedNewWorker
	}
	if queue && p.queue.n < p.queueSize && p.waiters.empty() { // no cutting in line
		p.queue.push(j)
		p.n.submitted++
		return admitted
	}
	return full
}

// handOver is admitLocked for a group with a task in flight on p, which
// must not block and need not: when p has no room, or is closed, the task
// waits in the group, whose task in flight takes it on when it ends; a
// nested group's task takes only a free worker. It counts nothing unless
// it takes j. It reports false only when p is stopping, and j must then
// fail with ErrClosed.
func (p *Pool) handOver(j job) (taken, ok bool) {
	p.mu.Lock()
	if p.stopping.Load() {
		p.mu.Unlock()
		return false, false
	}
	if p.closed {
		p.mu.Unlock()
		return false, true
	}
	a := p.admitLocked(j, !j.group.nested)
	m := p.mark
	p.mu.Unlock()
	if a == admittedNewWorker {
		go p.work(j, m)
	}
	return a != full, true
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
			p.n.rejected++
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

// admitWaitersLocked moves blocked submitters' tasks into the queue while
// there is room in it. It reports whether it woke any.
func (p *Pool) admitWaitersLocked() (woke bool) {
	for p.queue.n < p.queueSize && !p.waiters.empty() {
		w := p.waiters.popFront()
		p.queue.push(w.j)
		p.n.submitted++
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
	p.n.submitted++
	p.n.running++
	w.settle(nil)
	return j, true
}

// Close stops intake (Submit and TrySubmit return ErrClosed from now on,
// and blocked submitters return it too), lets the workers run every task
// already accepted, and returns when every worker has exited: no task of
// the pool runs after Close returns. Tasks of the pool may still submit
// (see Submit), and groups with tasks on the pool run their remaining
// tasks, so that the work they fan out drains too. Close is idempotent and
// safe to call concurrently with everything else.
//
// Close panics when called from a task or handler of the pool, which it
// would wait for. A goroutine that such a task waits for cannot be told
// apart: its Close deadlocks.
func (p *Pool) Close() {
	if p.ids != nil {
		p.notFromWorker("pool: Close")
	}
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
		p.n.rejected++
		w.settle(ErrClosed)
	}
	p.dismissIdleLocked(0)
}

func (p *Pool) closeDrainedLocked() {
	if p.closed && p.goroutines == 0 && p.exiting == 0 && !p.isDrained {
		p.isDrained = true
		close(p.drained)
	}
}

// Shutdown is Close with a deadline: it stops intake and waits for the
// accepted tasks to finish, until ctx is done. Then the tasks that have not
// started are dropped (Stats.NotStarted; a group's fail with ErrClosed) and
// Shutdown returns ctx.Err() once the running tasks have returned and
// every worker has exited. Running tasks are not interrupted: they hold
// the ctx they were submitted with; cancel that to stop them. Shutdown
// returns nil when everything finished in time.
//
// Shutdown panics if ctx is nil, and when called from a task or handler of
// the pool, which it would wait for.
func (p *Pool) Shutdown(ctx context.Context) error {
	misuse.Ctx("pool: Shutdown", ctx)
	if p.ids != nil {
		p.notFromWorker("pool: Shutdown")
	}
	p.close()
	select {
	case <-p.drained:
		return nil
	case <-ctx.Done():
	}
	p.stopping.Store(true)
	var groupJobs []job
	p.mu.Lock()
	for {
		j, ok := p.queue.pop()
		if !ok {
			break
		}
		p.n.notStarted++
		if j.group != nil || j.call != nil {
			groupJobs = append(groupJobs, j)
		}
	}
	p.mu.Unlock()
	for i := range groupJobs {
		// The pool has counted the job; its group records it, and drops
		// what it still holds, or its Call returns ErrClosed.
		if j := &groupJobs[i]; j.call != nil {
			p.finish(j.call, result{out: notStarted, err: ErrClosed})
		} else {
			p.dropped(j)
		}
	}
	<-p.drained
	return ctx.Err()
}

// Resize changes the bound. Growing starts workers for queued tasks at
// once; shrinking dismisses parked workers at once and lets busy workers
// finish their current task and exit, so that no more than the new bound
// run once those have returned. Resize panics if workers < 1.
func (p *Pool) Resize(workers int) {
	if workers < 1 {
		misuse.Panicf("pool: Resize", "workers must be at least 1, got %d", workers)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.workers = workers
	p.dismissIdleLocked(workers)
	for p.goroutines < p.workers {
		j, ok := p.queue.pop()
		if ok {
			p.n.running++
		} else if j, ok = p.takeWaiterLocked(); !ok {
			break
		}
		p.goroutines++
		go p.work(j, p.mark)
	}
	p.admitWaitersLocked()
}

// Workers returns the current bound.
func (p *Pool) Workers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.workers
}
