package pool_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/pool"
)

// checkAddsUp fails the test unless s accounts for every accepted task.
func checkAddsUp(t *testing.T, s pool.Stats) {
	t.Helper()
	sum := s.Queued + s.Running + s.Succeeded + s.Failed + s.Canceled + s.Panicked + s.NotStarted
	assert.Equal(t, s.Submitted, sum, "Submitted vs Queued+Running+Succeeded+Failed+Canceled+Panicked+NotStarted in %+v", s)
}

// TestPoolStatsAddUpUnderARandomMixOfOutcomes submits, from several
// goroutines, tasks that succeed, fail, panic, call Goexit, are stopped
// by their ctx, come with a ctx already done, and get rejected, and checks
// the counts while it runs and at the end.
func TestPoolStatsAddUpUnderARandomMixOfOutcomes(t *testing.T) {
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 42))
		limit, queue := 1+rng.IntN(6), rng.IntN(8)
		var panics sync.Map
		p := pool.New(limit, pool.QueueSize(queue), pool.OnPanic(func(pe *tandem.PanicError) {
			panics.Store(pe.Value, true)
		}))
		canceledCtx, cancel := context.WithCancel(t.Context())
		cancel()

		type tally struct{ accepted, rejected, completed, failed, canceled, panicked int }
		var mu sync.Mutex
		var want tally
		var wg sync.WaitGroup
		for g := range 4 {
			plan := make([]int, 150)
			for i := range plan {
				plan[i] = rng.IntN(8)
			}
			wg.Go(func() {
				for i, kind := range plan {
					ctx := t.Context()
					var task func(context.Context) error
					var outcome *int
					switch kind {
					case 0, 1:
						task, outcome = func(context.Context) error { runtime.Gosched(); return nil }, &want.completed
					case 2:
						task, outcome = func(context.Context) error { return errors.New("fails") }, &want.failed
					case 3:
						task, outcome = func(context.Context) error { panic([2]int{g, i}) }, &want.panicked
					case 4:
						task, outcome = func(context.Context) error { runtime.Goexit(); return nil }, &want.failed
					case 5:
						ctx = canceledCtx // refused at once with its error, never run
						task, outcome = func(context.Context) error { t.Error("a task with a done ctx ran"); return nil }, nil
					case 7:
						own, cancel := context.WithCancel(t.Context())
						ctx = own
						task, outcome = func(ctx context.Context) error { cancel(); return ctx.Err() }, &want.canceled
					case 6:
						task, outcome = func(context.Context) error { return nil }, &want.completed
					}
					var err error
					if kind == 6 {
						err = p.TrySubmit(ctx, task)
					} else {
						err = p.Submit(ctx, task)
					}
					if kind == 5 {
						assert.ErrorIs(t, err, context.Canceled, "Submit with a done ctx")
					}
					mu.Lock()
					if err != nil {
						want.rejected++
					} else {
						want.accepted++
						*outcome++
					}
					mu.Unlock()
					if i%25 == 0 {
						checkAddsUp(t, p.Stats())
					}
				}
			})
		}
		wg.Wait()
		p.Close()
		s := p.Stats()
		checkAddsUp(t, s)
		assert.Zero(t, s.NotStarted, "no task here can be left unstarted")
		got := tally{s.Submitted, s.Rejected, s.Succeeded, s.Failed, s.Canceled, s.Panicked}
		require.Equal(t, want, got, "seed %d, limit %d, queue %d", seed, limit, queue)
		assert.Zero(t, s.Running+s.Queued+s.Goroutines)
		n := 0
		panics.Range(func(any, any) bool { n++; return true })
		assert.Equal(t, want.panicked, n, "panics seen by the handler")
	}
}

// A plain task run inline (its submitter's task waits for it) that panicked
// with no handler used to stay counted as Running: the panic went on into
// the enclosing task before the inline task was counted.
func TestPoolStatsCountAnInlineTaskThatPanicked(t *testing.T) {
	p := pool.New(1, pool.QueueSize(0))
	defer p.Close()
	g := pool.NewGroup(t.Context(), 1, pool.OnPool(p))
	g.Go(func(ctx context.Context) error {
		// The pool is full (this task holds its one worker): inline.
		return p.Submit(ctx, func(context.Context) error { panic("inner") })
	})
	var pe *tandem.PanicError
	func() {
		defer func() { pe, _ = recover().(*tandem.PanicError) }()
		_ = g.Wait()
	}()
	require.NotNil(t, pe, "Wait re-raises the inline task's panic, which went through the group's task")
	require.Equal(t, "inner", pe.Value, "the inline task's PanicError is passed on as it is, not wrapped by the group task")
	s := p.Stats()
	checkAddsUp(t, s)
	assert.Equal(t, 0, s.Running, "Running after Wait in %+v", s)
	assert.Equal(t, 2, s.Panicked, "Panicked (the inline task and the task it panicked through) in %+v", s)
}

// A group's next task, handed over by an inline task that called Goexit to
// a parked worker, used to be counted as running twice.
func TestPoolStatsCountAGroupTaskRequeuedToAParkedWorkerOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2, pool.QueueSize(0))
		releaseB := make(chan struct{})
		allDone := make(chan struct{})
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-releaseB; return nil }))
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			g := pool.NewGroup(ctx, 1, pool.OnPool(p), pool.CollectAll())
			g.Go(func(context.Context) error { // full pool: runs inline here
				g.Go(func(context.Context) error { close(allDone); return nil }) // pending
				close(releaseB)
				synctest.Wait() // B's worker has parked
				runtime.Goexit()
				return nil
			})
			return nil
		}))
		<-allDone
		p.Close()
		s := p.Stats()
		checkAddsUp(t, s)
		assert.Equal(t, 0, s.Running, "Running after Close in %+v", s)
		assert.Equal(t, 4, s.Submitted, "Submitted in %+v", s)
	})
}
