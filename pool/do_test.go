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

func TestDoReturnsTheTasksValueAndErrorAndCountsIt(t *testing.T) {
	p := pool.New(2)
	v, err := pool.Do(t.Context(), p, func(context.Context) (string, error) { return "report", nil })
	assert.Equal(t, "report", v)
	assert.NoError(t, err)
	boom := errors.New("boom")
	v, err = pool.Do(t.Context(), p, func(context.Context) (string, error) { return "partial", boom })
	assert.Equal(t, "partial", v, "a failed task's value comes back with its error")
	assert.Same(t, boom, err)
	p.Close()
	assert.Equal(t, pool.Stats{Workers: 2, Submitted: 2, Succeeded: 1, Failed: 1}, p.Stats())
}

func TestDoRaisesTheTasksPanicInTheCallerNotInTheHandler(t *testing.T) {
	handled := false
	p := pool.New(1, pool.OnPanic(func(*tandem.PanicError) { handled = true }))
	defer p.Close()
	var raised any
	func() {
		defer func() { raised = recover() }()
		_, _ = pool.Do(t.Context(), p, func(context.Context) (int, error) { panicInATask(7); return 0, nil })
	}()
	pe, ok := raised.(*tandem.PanicError)
	require.True(t, ok, "Do raised %T (%v), want *tandem.PanicError", raised, raised)
	assert.Equal(t, "task 7 panicked", pe.Value)
	assert.Contains(t, pe.Stack, "panicInATask", "the stack is the task's")
	assert.False(t, handled, "OnPanic is for tasks with no waiter")
	assert.Equal(t, 1, p.Stats().Panicked)
}

func TestDoReportsGoexitAsErrGoexit(t *testing.T) {
	p := pool.New(1)
	defer p.Close()
	_, err := pool.Do(t.Context(), p, func(context.Context) (int, error) { runtime.Goexit(); return 1, nil })
	assert.ErrorIs(t, err, tandem.ErrGoexit)
}

// Do waits for room on a full pool only until its ctx is done: the task
// then never runs and the pool counts it Rejected.
func TestDoHonoursItsCtxWhileWaitingForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(0))
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { time.Sleep(time.Hour); return nil }))
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		_, err := pool.Do(ctx, p, func(context.Context) (int, error) { t.Error("ran"); return 0, nil })
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))
		assert.Equal(t, 1, p.Stats().Rejected)
		p.Close()
		_, err = pool.Do(t.Context(), p, func(context.Context) (int, error) { t.Error("ran"); return 0, nil })
		assert.ErrorIs(t, err, pool.ErrClosed)
	})
}

func TestDoAppliesThePoolsTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.Timeout(time.Second))
		defer p.Close()
		start := time.Now()
		_, err := pool.Do(t.Context(), p, func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, ctx.Err() })
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))
	})
}

// From a task of a full pool, Do runs the task inline, as Submit does.
func TestDoFromATaskOfAFullPoolRunsTheTaskInline(t *testing.T) {
	p := pool.New(1, pool.QueueSize(0))
	var outer, inner int64
	require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
		outer = goroutineID()
		v, err := pool.Do(ctx, p, func(ctx context.Context) (int, error) { inner = goroutineID(); return 1, nil })
		assert.Equal(t, 1, v)
		return err
	}))
	p.Close()
	assert.Equal(t, outer, inner, "the task ran on another goroutine")
	assert.Equal(t, pool.Stats{Workers: 1, Submitted: 2, Succeeded: 2}, p.Stats())
}
