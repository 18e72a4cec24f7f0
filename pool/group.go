package pool

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/tandem-go/tandem/internal/catch"
	"github.com/tandem-go/tandem/internal/misuse"
)

// Group runs a scoped set of tasks, at most workers at once, and Wait waits
// for all of them: when Wait returns, none of them is running and no
// goroutine the group started is left. Tasks receive the group's ctx, which
// is derived from the ctx given to NewGroup and cancelled on the first
// error (FailFast, the default), on a panic, and when Wait returns.
//
// By default a Group starts its own workers, reused from task to task and
// stopped by Wait. With OnPool(p) it runs on p's workers instead, so many
// groups (one per request, say) share one service-wide bound.
//
// A Group must be created with NewGroup, must not be copied, and is used
// once: Go after Wait has returned panics. Its tasks must not call its
// Wait, which would wait for them: that deadlocks, and is not detected
// (telling the calling goroutine apart would cost every Wait a stack walk).
type Group struct {
	g group
}

// NewGroup returns a Group whose tasks run with a ctx derived from ctx, at
// most workers at once, or all at once with Unlimited. Options: OnPool,
// FailFast, CollectAll, Timeout. Memory follows the tasks given to Go, not
// workers. NewGroup panics if ctx is nil, if workers < 1 and is not
// Unlimited, or when given a nil Option or an option of New.
func NewGroup(ctx context.Context, workers int, opts ...Option) *Group {
	g := &Group{}
	g.g.init("pool: NewGroup", "pool: Group", ctx, workers, groupOptions("pool: NewGroup", opts), runGroupTask, nil)
	return g
}

func runGroupTask(ctx context.Context, task any, _ int) error {
	return task.(func(context.Context) error)(ctx)
}

// Go starts task, or holds it in the group while the group's workers are
// all busy. It does not block while any task of the group is in flight, so
// a task may call Go on its own group; with none in flight on a shared pool
// that is full, it waits for room there, or until the group's ctx is done,
// unless it is called from a task of that pool: then it runs task itself,
// inline (see Submit and OnPool).
// A task that cannot start counts as not started and is reported by Wait
// (see Wait). Tasks may call Go while Wait waits; any other goroutine must
// call it before Wait, as with sync.WaitGroup's Add. Go costs a lock and no
// allocation besides the task's closure. Go panics if task is nil or if
// Wait has returned.
func (g *Group) Go(task func(ctx context.Context) error) {
	if task == nil {
		misuse.Panicf("pool: Group.Go", "nil function")
	}
	g.g.submit(task)
}

// Wait waits for every task given to Go, including those that tasks gave
// to Go while Wait waited, then cancels the group's ctx and stops the
// group's own workers. If a task panicked, Wait panics with a
// *tandem.PanicError that holds every panic of the group (Others). Else it
// returns, with FailFast, the first error a task returned (the cause, not
// the context.Canceled its siblings saw), or with CollectAll errors.Join
// of all of them in submission order. Tasks that never started (the ctx
// given to NewGroup ended, or the pool refused or dropped them) make Wait
// return the ctx's cause (or ErrClosed) when no task error is reported
// instead. A task that called runtime.Goexit failed with tandem.ErrGoexit.
// Wait may be called again and returns the same.
func (g *Group) Wait() error {
	return g.g.wait()
}

// group is the machinery behind Group, ResultGroup and Do.
type group struct {
	ctx     context.Context
	cancel  context.CancelCauseFunc
	pool    *Pool
	ownPool bool // started by the group, closed by Wait
	// nested: the group runs on a shared pool and was made with the ctx of
	// one of its tasks, which is likely to wait for the group on a worker
	// of that pool. If every worker did while the group's tasks waited in
	// the pool's queue, nothing would run them: a nested group's tasks never
	// queue there. They take free workers, run inline on the waiting
	// worker (the first, see Pool.submit), or wait in the group for its
	// tasks in flight, which never queue either.
	nested  bool
	workers int // the bound; math.MaxInt for Unlimited
	collect bool
	timeout time.Duration
	name    string // "pool: Group", for misuse messages
	// run runs one task and returns its error; ResultGroup's also stores
	// the value. grow is called under mu when a task is added.
	run  func(ctx context.Context, task any, index int) error
	grow func()

	tasks    sync.WaitGroup
	panics   catch.Panics
	finalize sync.Once // runs seal for the first Wait; the others wait for it

	mu       sync.Mutex
	n        int           // tasks given to Go: the next index
	inPool   int           // tasks handed to the pool and not finished
	pending  []pendingTask // tasks waiting for the group's bound, FIFO from head
	head     int
	waited   bool
	err      error // Wait's result once waited
	first    error // the first task error
	errs     []indexedError
	skipped  error // why the first task that never started did not
	itemErrs []error
	keepErrs bool // itemErrs are kept (ResultGroup)
}

// pendingTask is a task held back by the group's bound: the rest of its
// job is the group's own.
type pendingTask struct {
	task  any
	index int
}

type indexedError struct {
	index int
	err   error
}

// init sets g up. where is the constructor, for misuse messages; name the
// type, for those of its methods.
func (g *group) init(where, name string, ctx context.Context, workers int, o options, run func(context.Context, any, int) error, grow func()) {
	misuse.Ctx(where, ctx)
	if workers < 1 && workers != Unlimited {
		misuse.Panicf(where, "workers must be at least 1 or Unlimited, got %d", workers)
	}
	g.ctx, g.cancel = context.WithCancelCause(ctx)
	g.workers, g.collect, g.timeout, g.name = workers, o.collect, o.timeout, name
	if workers == Unlimited {
		g.workers = math.MaxInt
	}
	g.run, g.grow = run, grow
	g.pool = o.on
	if g.pool != nil {
		g.nested = g.ctx.Value(insidePool{g.pool}) != nil
	} else {
		g.pool, g.ownPool = newOwnPool(workers), true
	}
}

func (g *group) submit(task any) {
	g.mu.Lock()
	if g.waited {
		g.mu.Unlock()
		misuse.Panicf(g.name+".Go", "called after Wait returned")
	}
	j := job{ctx: g.ctx, task: task, group: g, index: g.n}
	g.n++
	g.tasks.Add(1)
	if g.grow != nil {
		g.grow()
	}
	if err := g.ctx.Err(); err != nil {
		// Refused at the door, as Submit refuses a done ctx.
		g.skipLocked(j.index, err, context.Cause(g.ctx))
		g.mu.Unlock()
		g.pool.reject()
		g.tasks.Done()
		return
	}
	if g.inPool >= g.workers {
		g.pending = append(g.pending, pendingTask{task, j.index})
		g.mu.Unlock()
		return
	}
	if g.inPool > 0 {
		// A task of ours is in flight and will take pending work when it
		// finishes, so never block here: the caller may be that task.
		taken, ok := g.pool.handOver(j)
		switch {
		case taken:
			g.inPool++
		case ok:
			g.pending = append(g.pending, pendingTask{task, j.index})
		default:
			g.failLocked(j.index, ErrClosed)
			g.mu.Unlock()
			g.pool.reject()
			g.tasks.Done()
			return
		}
		g.mu.Unlock()
		return
	}
	g.inPool++
	g.mu.Unlock()
	// Nothing of ours in flight: wait for room in the pool, outside the
	// lock so that tasks of the group can finish meanwhile. The pool counts
	// a refusal (Rejected).
	err := g.pool.submit(j.ctx, j, blocking)
	if err == nil {
		return
	}
	g.mu.Lock()
	g.inPool--
	g.endLocked(j.index, err)
	dropped := 0
	if g.inPool == 0 {
		// Tasks held behind ours while we waited have nobody to start
		// them: they end the same way.
		dropped = g.dropPendingLocked(err)
	}
	g.mu.Unlock()
	g.pool.countDropped(dropped)
	g.tasks.Add(-1 - dropped)
}

// endLocked records a task that the pool refused: closed, it failed; its
// ctx ended while it waited for room, it never started.
func (g *group) endLocked(index int, err error) {
	if err == ErrClosed {
		g.failLocked(index, err)
	} else {
		g.skipLocked(index, err, context.Cause(g.ctx))
	}
}

// dropPendingLocked records every task held in the group as never started
// because of err, and returns how many.
func (g *group) dropPendingLocked(err error) int {
	n := len(g.pending) - g.head
	cause := context.Cause(g.ctx)
	for _, p := range g.pending[g.head:] {
		g.skipLocked(p.index, err, cause)
	}
	g.pending, g.head = nil, 0
	return n
}

// record records how j ended and returns the group's next task for the
// same goroutine, if any and if it may still start, and how many of the
// tasks it held it dropped instead (its ctx is done, or the pool is
// stopping). The caller counts them in the pool, then passes the total to
// g.done, so that after Wait the Stats of a shared pool include every task
// of the group.
func (g *group) record(j *job, r result, stopping bool) (next job, more bool, dropped int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var cause error
	switch r.out {
	case failed, canceled:
		g.failLocked(j.index, r.err)
		if !g.collect {
			cause = r.err
		}
	case panicked:
		g.panics.Add(r.panic)
		g.setItemErrLocked(j.index, r.panic)
		cause = r.panic
	case notStarted:
		g.skipLocked(j.index, r.err, context.Cause(g.ctx))
	}
	if cause != nil {
		g.cancel(cause) // first cause wins; later calls do nothing
	}
	reason := g.ctx.Err()
	if stopping {
		reason = ErrClosed
	}
	if reason != nil {
		// Held tasks would only be dropped one by one: do it here.
		dropped = g.dropPendingLocked(reason)
	}
	if g.head < len(g.pending) {
		p := g.pending[g.head]
		next, more = job{ctx: g.ctx, task: p.task, group: g, index: p.index}, true
		g.pending[g.head] = pendingTask{}
		g.head++
		if g.head == len(g.pending) {
			g.pending, g.head = g.pending[:0], 0
		}
	} else {
		g.inPool--
	}
	return next, more, dropped
}

// drop ends j, the next task that record had handed over, and every task
// the group still holds, with err, for a pool that turned out to be
// stopping. It returns how many, j included.
func (g *group) drop(j job, err error) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.skipLocked(j.index, err, nil)
	g.inPool--
	return 1 + g.dropPendingLocked(err)
}

// done marks n tasks of the group done.
func (g *group) done(n int) { g.tasks.Add(-n) }

func (g *group) failLocked(index int, err error) {
	if g.first == nil {
		g.first = err
	}
	if g.collect {
		g.errs = append(g.errs, indexedError{index, err})
	}
	g.setItemErrLocked(index, err)
}

// skipLocked records a task that never started: err is its own error,
// cause what Wait reports for it.
func (g *group) skipLocked(index int, err, cause error) {
	if err == ErrClosed {
		cause = ErrClosed
	}
	if g.skipped == nil {
		g.skipped = cause
	}
	g.setItemErrLocked(index, err)
}

func (g *group) setItemErrLocked(index int, err error) {
	if !g.keepErrs {
		return
	}
	if len(g.itemErrs) <= index {
		g.itemErrs = slices.Grow(g.itemErrs, g.n-len(g.itemErrs))[:g.n]
	}
	g.itemErrs[index] = err
}

func (g *group) wait() error {
	g.tasks.Wait()
	// Concurrent Waits all wait here for the first to finish the group, so
	// that none returns before the group's pool is closed and its error
	// built.
	g.finalize.Do(g.seal)
	g.panics.Raise()
	return g.err
}

// seal ends the group once its tasks are done: it stops the group's own
// pool, cancels its ctx and builds Wait's error. It runs once.
func (g *group) seal() {
	g.mu.Lock()
	g.waited = true // Go panics from now on
	g.mu.Unlock()
	if g.ownPool {
		g.pool.Close()
	}
	g.cancel(context.Canceled)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.err = g.first
	if g.collect {
		slices.SortFunc(g.errs, func(a, b indexedError) int { return a.index - b.index })
		list := make([]error, 0, len(g.errs)+1)
		for _, e := range g.errs {
			list = append(list, e.err)
		}
		if g.skipped != nil {
			list = append(list, g.skipped)
		}
		g.err = errors.Join(list...)
	} else if g.err == nil {
		g.err = g.skipped
	}
	if g.keepErrs && g.itemErrs != nil {
		g.itemErrs = slices.Grow(g.itemErrs, g.n-len(g.itemErrs))[:g.n]
	}
}
