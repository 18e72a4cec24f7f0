package parallel

import (
	"context"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/catch"
)

// shared is the state of a call once helpers may run: one allocation (plus
// the reduction's slots and, for For and Reduce, the context their functions
// receive), made only after the probe found more than its budget of work.
type shared[T, R any] struct {
	job        job[T, R]       // job.ctx is the caller's context
	ctx        context.Context // what bodies and folds receive: canceled at the first failure
	cancel     context.CancelCauseFunc
	workers    int // Workers, at most the caller plus the whole helper budget
	firstClaim int // the first chunk of each worker, in leaves
	limit      int // the process-wide helper budget
	base       int // first leaf handed out here; the caller folded the ones before
	slots      []R // reductions: one partial per leaf from base on

	cursor atomic.Int64 // next leaf to hand out
	_      [56]byte     // keep the cursor off the line the counters below share
	// finished counts the items done (or given up after a failure); target
	// is -1 until the caller has closed the cursor and knows what was
	// claimed. The completion that makes them equal wakes the caller.
	finished atomic.Int64
	target   atomic.Int64
	wake     chan struct{}
	failed   atomic.Bool // an error, a panic or a Goexit: hand out nothing more
	errSet   atomic.Bool
	err      error // the first error, written once by whoever set errSet
	panics   catch.Panics

	helpers int // started so far; the caller's alone
	// running counts the helpers that have not exited. closeAndWait waits
	// for it too, so a call returns only once every goroutine it started has
	// exited (a helper that claimed nothing exits at once, or as soon as it
	// is scheduled).
	running sync.WaitGroup
}

func newShared[T, R any](c *call[T, R], pos int) *shared[T, R] {
	limit := c.helperLimit
	if limit == 0 {
		// One helper per core besides the calling goroutine, which always
		// works on its own call.
		limit = runtime.GOMAXPROCS(0) - 1
	}
	s := &shared[T, R]{
		job:        c.job,
		ctx:        c.ctx,
		workers:    min(c.workers, 1+limit), // more can never run at once
		firstClaim: max(c.firstClaim, 1),
		limit:      limit,
		base:       pos,
		wake:       make(chan struct{}, 1),
	}
	if c.kind != mapKind {
		// Map's function receives no context, so only For and Reduce pay
		// for the one their functions see canceled at the first failure.
		s.ctx, s.cancel = context.WithCancelCause(c.ctx)
	}
	if c.kind == reduceKind {
		s.slots = make([]R, c.leaves-pos)
	}
	s.cursor.Store(int64(pos))
	s.finished.Store(int64(c.start(pos)))
	s.target.Store(-1)
	return s
}

// work claims and runs chunks until none is left or the call failed. The
// caller (c != nil) also recruits helpers and reports progress. The first
// chunk is what the probe's cost per leaf says takes chunkTarget; chunks
// double while they take less than chunkTarget and are capped at an equal
// share of half of what is left, so the tail is split finely and heavy items
// anywhere end up spread over the workers.
func (s *shared[T, R]) work(inflight *int, c *call[T, R]) {
	k := s.firstClaim
	start := elapsed()
	var last time.Duration // since start
	for {
		if c != nil {
			s.recruit()
			if c.progress != nil {
				c.report(int(s.finished.Load()))
			}
		}
		a, b, ok := s.claim(k)
		if !ok {
			return
		}
		lo, _ := s.job.bounds(a)
		_, hi := s.job.bounds(b - 1)
		*inflight = hi - lo
		if err := s.runLeaves(a, b); err != nil {
			s.fail(err)
		}
		now := elapsed() - start
		took := now - last // the claim's own cost included: one clock read per chunk
		last = now
		s.complete(*inflight)
		*inflight = 0
		switch {
		case took < chunkTarget:
			k = grow(k, 2, s.job.leaves)
		case took > 4*chunkTarget && k > 1:
			k /= 2
		}
	}
}

func (s *shared[T, R]) claim(k int) (a, b int, ok bool) {
	// The caller's context is not checked here: run and partial check it
	// before every call anyway, and a cancellation they see is recorded as
	// the call's error, which sets failed.
	if s.failed.Load() {
		return 0, 0, false
	}
	// A compare-and-swap, not an add: the cursor never passes leaves, so
	// it cannot overflow for any n (For's n may be math.MaxInt), and
	// closing it (see closeAndWait) needs no sentinel beyond every leaf.
	for {
		cur := s.cursor.Load()
		left := s.job.leaves - int(cur)
		if left <= 0 {
			return 0, 0, false
		}
		k = min(k, max(1, left/(2*s.workers)))
		if s.cursor.CompareAndSwap(cur, cur+int64(k)) {
			return int(cur), int(cur) + k, true
		}
	}
}

func (s *shared[T, R]) runLeaves(a, b int) error {
	if s.job.kind != reduceKind {
		return s.job.runLeaves(s.ctx, a, b, &s.failed)
	}
	for i := a; i < b; i++ {
		if s.failed.Load() {
			return nil
		}
		part, err := s.job.partial(s.ctx, i)
		if err != nil {
			return err
		}
		s.slots[i-s.base] = part
	}
	return nil
}

// recruit starts helpers while the call has fewer than it may use and the
// process-wide budget has tokens; the caller retries at every claim, so a
// call gets helpers back as other calls finish.
func (s *shared[T, R]) recruit() {
	want := s.workers - 1 - s.helpers
	if want <= 0 || s.job.leaves-int(s.cursor.Load()) < 2 {
		return
	}
	for range acquireHelpers(want, s.limit) {
		s.helpers++
		s.running.Add(1)
		go s.help()
	}
}

func (s *shared[T, R]) help() {
	defer s.running.Done() // runs last, also when a body calls Goexit
	defer releaseHelper()
	inflight := 0
	p := catch.Call(func() { s.work(&inflight, nil) }, func() { s.goexit(inflight) })
	if p != nil {
		s.panicked(p, inflight)
	}
}

func (s *shared[T, R]) complete(items int) {
	if items == 0 {
		return
	}
	if s.finished.Add(int64(items)) == s.target.Load() {
		s.wake <- struct{}{}
	}
}

// closeAndWait stops the hand-out (the cursor jumps to the end, and the
// value it held says exactly which leaves were claimed), waits until every
// claimed item is done and every helper has exited (its token given back),
// and returns how many items were claimed, the probe's included. Only the
// caller starts helpers and calls it, so no helper is added during the wait.
func (s *shared[T, R]) closeAndWait() int {
	claimed := s.job.start(int(s.cursor.Swap(int64(s.job.leaves))))
	s.target.Store(int64(claimed))
	if s.finished.Load() != int64(claimed) {
		<-s.wake
	}
	s.running.Wait()
	return claimed
}

func (s *shared[T, R]) fail(err error) {
	if s.errSet.CompareAndSwap(false, true) {
		s.err = err
		if s.cancel != nil {
			s.cancel(err)
		}
	}
	s.failed.Store(true)
}

func (s *shared[T, R]) panicked(p *tandem.PanicError, inflight int) {
	p = unnest(p)
	s.panics.Add(p)
	s.failed.Store(true)
	if s.cancel != nil {
		s.cancel(p)
	}
	s.complete(inflight)
}

// goexit accounts for a helper whose body called runtime.Goexit: For and
// Reduce fail with tandem.ErrGoexit; Map, whose only error is its context's,
// raises it in the caller as a *tandem.PanicError.
func (s *shared[T, R]) goexit(inflight int) {
	if s.job.kind != mapKind {
		s.fail(tandem.ErrGoexit)
	} else {
		s.panics.Add(&tandem.PanicError{Value: tandem.ErrGoexit, Stack: string(debug.Stack())})
		s.failed.Store(true)
	}
	s.complete(inflight)
}

// unnest returns the panic a nested call raised as is: a body that called
// For and got its *tandem.PanicError re-raised would otherwise wrap it again
// at every level, burying the stack of the goroutine that really panicked.
func unnest(p *tandem.PanicError) *tandem.PanicError {
	if inner, ok := p.Value.(*tandem.PanicError); ok {
		return inner
	}
	return p
}
