package pool_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/pool"
)

// Regression tests for bugs reported against the peers (see the prior-art
// notes); the others sit next to the feature they test.

// ants #146: once every worker had panicked, callers waiting for a worker
// stayed blocked until the next purge tick.
func TestPoolBlockedSubmittersProceedWhenEveryTaskPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var panics atomic.Int64
		p := pool.New(2, pool.QueueSize(0), pool.OnPanic(func(*tandem.PanicError) { panics.Add(1) }))
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				assert.NoError(t, p.Submit(t.Context(), func(context.Context) error {
					time.Sleep(time.Millisecond)
					panic("every task panics")
				}))
			})
		}
		wg.Wait() // a hang here is the bug
		p.Close()
		assert.Equal(t, int64(10), panics.Load())
		assert.Equal(t, pool.Stats{Workers: 2, Submitted: 10, Panicked: 10}, p.Stats())
	})
}

// pond #108: a deadlock among blocked submitters of a bounded queue. Here
// blocked submitters whose ctx ends at random moments race the workers
// that hand them slots; every call returns and everything adds up.
func TestPoolBlockedSubmittersWithExpiringCtxsNeverDeadlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(1))
		var wg sync.WaitGroup
		var accepted, ran atomic.Int64
		for g := range 8 {
			wg.Go(func() {
				for i := range 20 {
					ctx, cancel := context.WithTimeout(t.Context(), time.Duration((g*7+i*3)%10)*time.Millisecond)
					err := p.Submit(ctx, func(context.Context) error { time.Sleep(time.Millisecond); ran.Add(1); return nil })
					cancel()
					if err == nil {
						accepted.Add(1)
					} else {
						assert.ErrorIs(t, err, context.DeadlineExceeded)
					}
				}
			})
		}
		wg.Wait()
		p.Close()
		s := p.Stats()
		checkAddsUp(t, s)
		assert.Equal(t, 160, s.Submitted+s.Rejected)
		assert.Equal(t, int64(s.Submitted), accepted.Load())
		assert.Equal(t, ran.Load()+int64(s.NotStarted), accepted.Load())
	})
}

// errgroup (golang/go #54045): Go after an error still ran the task.
func TestGroupGoAfterTheGroupFailedNeverStartsTheTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := pool.NewGroup(t.Context(), 2)
		boom := errors.New("boom")
		g.Go(func(context.Context) error { return boom })
		synctest.Wait() // the failure is recorded and the group cancelled
		ran := false
		g.Go(func(context.Context) error { ran = true; return nil })
		assert.Same(t, boom, g.Wait())
		assert.False(t, ran, "a task given to Go after the failure ran")
	})
}

// pond #135 for the inline path: a task run inline (submitted from a task
// of a full pool) that calls Goexit fails, and the pool goes on.
func TestPoolInlineTaskCallingGoexitNeverHangsThePool(t *testing.T) {
	p := pool.New(1, pool.QueueSize(0))
	var after atomic.Bool
	require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
		_ = p.Submit(ctx, func(context.Context) error { runtime.Goexit(); return nil })
		after.Store(true) // not reached: Goexit ends the whole goroutine
		return nil
	}))
	var ran atomic.Int64
	for range 3 {
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { ran.Add(1); return nil }))
	}
	p.Close() // a hang here is the bug
	assert.False(t, after.Load())
	assert.Equal(t, int64(3), ran.Load())
	s := p.Stats()
	checkAddsUp(t, s)
	assert.Equal(t, 2, s.Failed, "the inline task and the task that called it")
}

// A panic in a group task run inline on a full shared pool is the group's,
// raised by Wait, and never crashes the pool's worker.
func TestGroupPanicInAnInlineTaskIsRaisedByWait(t *testing.T) {
	p := pool.New(1, pool.QueueSize(0))
	defer p.Close()
	raised := make(chan any, 1)
	require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
		defer func() { raised <- recover() }()
		g := pool.NewGroup(ctx, 1, pool.OnPool(p))
		g.Go(func(context.Context) error { panic("inline boom") })
		return g.Wait()
	}))
	r := <-raised
	pe, ok := r.(*tandem.PanicError)
	require.True(t, ok, "Wait raised %T (%v), want *tandem.PanicError", r, r)
	assert.Equal(t, "inline boom", pe.Value)
}

// uncomparableCtx is a Context whose dynamic type makes == panic.
type uncomparableCtx struct {
	context.Context
	tags map[string]string
}

// A worker compares each task's ctx with the last one's to reuse its
// marked ctx: that must never panic, whatever the ctx types in a row.
func TestPoolAcceptsContextsOfUncomparableTypes(t *testing.T) {
	p := pool.New(1)
	ctxs := []context.Context{
		uncomparableCtx{t.Context(), map[string]string{"a": "1"}},
		uncomparableCtx{t.Context(), map[string]string{"b": "2"}},
		t.Context(),
		uncomparableCtx{t.Context(), nil},
		t.Context(),
		t.Context(),
	}
	var ran atomic.Int64
	for _, ctx := range ctxs {
		require.NoError(t, p.Submit(ctx, func(context.Context) error { ran.Add(1); return nil }))
	}
	p.Close()
	assert.Equal(t, int64(len(ctxs)), ran.Load(), "tasks run")
	assert.Equal(t, len(ctxs), p.Stats().Succeeded, "tasks completed")
}
