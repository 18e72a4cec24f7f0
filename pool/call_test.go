package pool_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/pool"
)

func TestCallReturnsTheTasksErrorAndCountsIt(t *testing.T) {
	var reported []error
	p := pool.New(2, pool.OnError(func(err error) { reported = append(reported, err) }))
	assert.NoError(t, p.Call(t.Context(), func(context.Context) error { return nil }))
	boom := errors.New("boom")
	assert.Same(t, boom, p.Call(t.Context(), func(context.Context) error { return boom }))
	canceled, cancel := context.WithCancel(t.Context())
	err := p.Call(canceled, func(context.Context) error { cancel(); return context.Canceled })
	assert.ErrorIs(t, err, context.Canceled)
	p.Close()
	assert.Equal(t, pool.Stats{Workers: 2, Submitted: 3, Succeeded: 1, Failed: 1, Canceled: 1}, p.Stats())
	assert.Empty(t, reported, "OnError is for tasks with no waiter")
}

func TestCallRaisesTheTasksPanicInTheCallerNotInTheHandler(t *testing.T) {
	handled := false
	p := pool.New(1, pool.OnPanic(func(*tandem.PanicError) { handled = true }))
	defer p.Close()
	var raised any
	func() {
		defer func() { raised = recover() }()
		_ = p.Call(t.Context(), func(context.Context) error { panicInATask(3); return nil })
	}()
	pe, ok := raised.(*tandem.PanicError)
	require.True(t, ok, "Call raised %T (%v), want *tandem.PanicError", raised, raised)
	assert.Equal(t, "task 3 panicked", pe.Value)
	assert.Contains(t, pe.Stack, "panicInATask", "the stack is the task's")
	assert.False(t, handled, "OnPanic is for tasks with no waiter")
	assert.Equal(t, 1, p.Stats().Panicked)
	assert.NoError(t, p.Call(t.Context(), func(context.Context) error { return nil }), "the pool goes on")
}

func TestCallReportsGoexitAsErrGoexit(t *testing.T) {
	p := pool.New(1)
	err := p.Call(t.Context(), func(context.Context) error { runtime.Goexit(); return nil })
	assert.ErrorIs(t, err, tandem.ErrGoexit)
	assert.NoError(t, p.Call(t.Context(), func(context.Context) error { return nil }), "the worker was replaced")
	p.Close()
	assert.Equal(t, pool.Stats{Workers: 1, Submitted: 2, Succeeded: 1, Failed: 1}, p.Stats())
}

func TestCallAppliesThePoolsTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.Timeout(time.Second))
		defer p.Close()
		start := time.Now()
		err := p.Call(t.Context(), func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))
	})
}

// A Call waiting in the queue returns as soon as its ctx ends, not when a
// worker comes to its task: the worker then finds the ctx done and counts
// the task NotStarted. The caller given up on is recycled only then.
func TestCallGivesUpAQueuedTaskAsSoonAsItsCtxEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1) // a queue of 1
		release := make(chan struct{})
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-release; return nil }))
		ctx, cancel := context.WithTimeoutCause(t.Context(), time.Second, errors.New("gave up"))
		defer cancel()
		start := time.Now()
		err := p.Call(ctx, func(context.Context) error { t.Error("the given-up task ran"); return nil })
		assert.EqualError(t, err, "gave up", "Call returns its ctx's cause")
		assert.Equal(t, time.Second, time.Since(start))
		assert.Equal(t, 1, p.Stats().Queued, "the task waits in the queue for a worker to drop it")
		close(release)
		for range 3 { // the recycled caller serves the next Calls
			assert.NoError(t, p.Call(t.Context(), func(context.Context) error { return nil }))
		}
		p.Close()
		assert.Equal(t, pool.Stats{Workers: 1, Submitted: 5, Succeeded: 4, NotStarted: 1}, p.Stats())
	})
}

// With the queue full too, Call waits for room as Submit does, until its
// ctx ends: the task was never accepted (Rejected).
func TestCallWaitsForRoomOnAFullPoolUntilItsCtxEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(0))
		release := make(chan struct{})
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-release; return nil }))
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		err := p.Call(ctx, func(context.Context) error { t.Error("ran"); return nil })
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorIs(t, p.Call(ctx, func(context.Context) error { t.Error("ran"); return nil }), context.DeadlineExceeded,
			"a ctx already done is refused at once")
		close(release)
		p.Close()
		assert.Equal(t, pool.Stats{Workers: 1, Submitted: 1, Succeeded: 1, Rejected: 2}, p.Stats())
	})
}

func TestCallOnAClosedPoolOrDroppedByShutdownReturnsErrClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1)
		release := make(chan struct{})
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-release; return nil }))
		dropped := make(chan error)
		go func() { dropped <- p.Call(t.Context(), func(context.Context) error { t.Error("ran"); return nil }) }()
		synctest.Wait() // the Call's task is queued
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		shutdown := make(chan error)
		go func() { shutdown <- p.Shutdown(ctx) }()
		assert.ErrorIs(t, <-dropped, pool.ErrClosed, "Shutdown's deadline dropped the queued task")
		close(release)
		assert.ErrorIs(t, <-shutdown, context.DeadlineExceeded)
		assert.ErrorIs(t, p.Call(t.Context(), func(context.Context) error { t.Error("ran"); return nil }), pool.ErrClosed)
		assert.ErrorIs(t, p.TryCall(t.Context(), func(context.Context) error { t.Error("ran"); return nil }), pool.ErrClosed)
		assert.Equal(t, pool.Stats{Workers: 1, Submitted: 2, Succeeded: 1, NotStarted: 1, Rejected: 2}, p.Stats())
	})
}

// From a task of the pool with its ctx, Call never queues behind the
// workers, which may all be waiting for it: with no worker free it runs
// the task inline, even while the queue has room.
func TestCallFromATaskOfThePoolRunsInlineRatherThanQueue(t *testing.T) {
	p := pool.New(1, pool.QueueSize(8))
	var outer, inner int64
	require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
		outer = goroutineID()
		return p.Call(ctx, func(context.Context) error { inner = goroutineID(); return nil })
	}))
	p.Close()
	assert.Equal(t, outer, inner, "the task ran on another goroutine")
	assert.Equal(t, pool.Stats{Workers: 1, Submitted: 2, Succeeded: 2}, p.Stats())
}

// TryCall starts its task on a free worker or not at all: with every
// worker busy it never queues, even with room in the queue.
func TestTryCallStartsTheTaskNowOrReturnsErrFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(4))
		assert.NoError(t, p.TryCall(t.Context(), func(context.Context) error { return nil }), "a worker not yet started is free")
		assert.NoError(t, p.TryCall(t.Context(), func(context.Context) error { return nil }), "a parked worker is free")
		release := make(chan struct{})
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-release; return nil }))
		assert.ErrorIs(t, p.TryCall(t.Context(), func(context.Context) error { t.Error("ran"); return nil }), pool.ErrFull)
		var fromTask error
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			fromTask = p.TryCall(ctx, func(context.Context) error { t.Error("ran inline"); return nil })
			return nil
		}))
		close(release)
		p.Close()
		assert.ErrorIs(t, fromTask, pool.ErrFull, "TryCall never runs inline")
		assert.Equal(t, pool.Stats{Workers: 1, Submitted: 4, Succeeded: 4, Rejected: 2}, p.Stats())
	})
}

func TestInTaskIsTrueOnlyOnTheTasksGoroutineWithItsCtx(t *testing.T) {
	p := pool.New(2)
	other := pool.New(1)
	assert.False(t, p.InTask(t.Context()), "outside any task")
	var withCtx, derived, withBackground, inGoroutine, ofOtherPool bool
	kept := make(chan context.Context, 1)
	require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
		withCtx = p.InTask(ctx)
		sub, cancel := context.WithCancel(ctx)
		defer cancel()
		derived = p.InTask(sub)
		withBackground = p.InTask(context.Background())
		ofOtherPool = other.InTask(ctx)
		done := make(chan struct{})
		go func() { defer close(done); inGoroutine = p.InTask(ctx) }()
		<-done
		kept <- ctx
		return nil
	}))
	p.Close()
	other.Close()
	assert.True(t, withCtx, "the task, with its ctx")
	assert.True(t, derived, "the task, with a ctx derived from its own")
	assert.False(t, withBackground, "the task, with another ctx")
	assert.False(t, ofOtherPool, "another pool")
	assert.False(t, inGoroutine, "a goroutine the task started")
	assert.False(t, p.InTask(<-kept), "the task's ctx kept after the task")
}

func TestCallAllocatesNothingOnceWarm(t *testing.T) {
	p := pool.New(1)
	defer p.Close()
	ctx := context.Background()
	task := func(context.Context) error { return nil }
	allocs := testing.AllocsPerRun(100, func() { _ = p.Call(ctx, task) })
	assert.Zero(t, allocs, "allocations per Call")
}

// Run inline, a Call's task that panics raises the panic in the task that
// made the Call, once the pool has counted it, as a function call would.
func TestACallRunInlineThatPanicsRaisesItInTheCallingTask(t *testing.T) {
	p := pool.New(1, pool.QueueSize(0))
	var raised any
	require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
		defer func() { raised = recover() }()
		return p.Call(ctx, func(context.Context) error { panicInATask(5); return nil })
	}))
	p.Close()
	pe, ok := raised.(*tandem.PanicError)
	require.True(t, ok, "Call raised %T (%v), want *tandem.PanicError", raised, raised)
	assert.Equal(t, "task 5 panicked", pe.Value)
	assert.Equal(t, pool.Stats{Workers: 1, Submitted: 2, Succeeded: 1, Panicked: 1}, p.Stats())
}
