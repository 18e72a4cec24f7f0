package pool_test

import (
	"context"
	"errors"
	"fmt"
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

func TestGroupNeverRunsMoreTasksAtOnceThanItsWorkers(t *testing.T) {
	for _, limit := range []int{1, 2, 5, 16} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			g := pool.NewGroup(t.Context(), limit)
			var hw highWater
			var ran atomic.Int64
			for range 10 * limit {
				g.Go(func(context.Context) error {
					hw.enter()
					defer hw.leave()
					runtime.Gosched()
					ran.Add(1)
					return nil
				})
			}
			require.NoError(t, g.Wait())
			assert.Equal(t, int64(10*limit), ran.Load())
			assert.LessOrEqual(t, hw.peak.Load(), int64(limit), "peak of tasks running at once, workers %d", limit)
		})
	}
}

func TestGroupsOnASharedPoolStayUnderBothBounds(t *testing.T) {
	const poolLimit, groupLimit, groups = 4, 3, 5
	p := pool.New(poolLimit)
	defer p.Close()
	var all highWater
	per := make([]highWater, groups)
	var wg sync.WaitGroup
	for i := range groups {
		wg.Go(func() {
			g := pool.NewGroup(t.Context(), groupLimit, pool.OnPool(p))
			for range 30 {
				g.Go(func(context.Context) error {
					all.enter()
					per[i].enter()
					runtime.Gosched()
					per[i].leave()
					all.leave()
					return nil
				})
			}
			assert.NoError(t, g.Wait())
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, all.peak.Load(), int64(poolLimit), "peak over the pool")
	for i := range per {
		assert.LessOrEqual(t, per[i].peak.Load(), int64(groupLimit), "peak of group %d", i)
	}
	s := p.Stats()
	assert.Equal(t, groups*30, s.Succeeded)
	assert.Equal(t, s.Submitted, s.Succeeded)
}

func TestGroupFailsFastWithTheFirstErrorAndNeverStartsTheRest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		g := pool.NewGroup(t.Context(), 2)
		var started atomic.Int64
		var sawCancel atomic.Int64
		g.Go(func(ctx context.Context) error {
			started.Add(1)
			<-ctx.Done()
			sawCancel.Add(1)
			return ctx.Err()
		})
		g.Go(func(context.Context) error { started.Add(1); time.Sleep(time.Second); return boom })
		for range 10 {
			g.Go(func(context.Context) error { started.Add(1); return nil })
		}
		err := g.Wait()
		assert.Same(t, boom, err, "Wait should return the cause, not context.Canceled")
		assert.Equal(t, int64(2), started.Load(), "tasks queued behind the error started")
		assert.Equal(t, int64(1), sawCancel.Load())
	})
}

func TestGroupCollectAllRunsEveryTaskAndJoinsErrorsInSubmissionOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := pool.NewGroup(t.Context(), 3, pool.CollectAll())
		var ran atomic.Int64
		for i := range 9 {
			g.Go(func(context.Context) error {
				time.Sleep(time.Duration(9-i) * time.Millisecond) // finish in reverse
				ran.Add(1)
				if i%3 == 0 {
					return fmt.Errorf("task %d", i)
				}
				return nil
			})
		}
		err := g.Wait()
		assert.Equal(t, int64(9), ran.Load())
		require.Error(t, err)
		assert.Equal(t, "task 0\ntask 3\ntask 6", err.Error())
	})
}

// conc #88: with limit 10 and fail-fast, ten tasks wait for the ctx and
// the producer blocked in the 11th Go, so it could not even give up. Here Go
// never blocks, and the producer's own ctx ends the group.
func TestGroupGoNeverBlocksTheProducerBehindTasksWaitingForTheCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		g := pool.NewGroup(ctx, 10)
		start := time.Now()
		for range 10 {
			g.Go(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		}
		g.Go(func(context.Context) error { return errors.New("would cancel the others") })
		assert.Zero(t, time.Since(start), "Go blocked")
		err := g.Wait()
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))
	})
}

func TestGroupTaskCallingGoOnItsOwnFullGroupDoesNotDeadlock(t *testing.T) {
	g := pool.NewGroup(t.Context(), 2)
	var ran atomic.Int64
	var spawn func(depth int) func(context.Context) error
	spawn = func(depth int) func(context.Context) error {
		return func(context.Context) error {
			ran.Add(1)
			if depth > 0 {
				g.Go(spawn(depth - 1))
				g.Go(spawn(depth - 1))
			}
			return nil
		}
	}
	g.Go(spawn(7))
	require.NoError(t, g.Wait())
	assert.Equal(t, int64(255), ran.Load())
}

func TestGroupOnAFullSharedPoolFromInsideAPoolTaskDoesNotDeadlock(t *testing.T) {
	p := pool.New(2, pool.QueueSize(0))
	var ran atomic.Int64
	for range 2 {
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			g := pool.NewGroup(ctx, 4, pool.OnPool(p))
			for range 8 {
				g.Go(func(context.Context) error { ran.Add(1); return nil })
			}
			return g.Wait()
		}))
	}
	p.Close()
	assert.Equal(t, int64(16), ran.Load())
	assert.Equal(t, 0, p.Stats().Failed)
}

func TestGroupWaitRaisesEveryPanicAsPanicErrorAfterAllTasksEnd(t *testing.T) {
	g := pool.NewGroup(t.Context(), 10)
	var ended atomic.Int64
	var started sync.WaitGroup
	started.Add(10)
	for i := range 10 {
		g.Go(func(ctx context.Context) error {
			defer ended.Add(1)
			started.Done()
			started.Wait() // every task runs, so both panics happen
			if i == 3 || i == 7 {
				panicInATask(i)
			}
			return nil
		})
	}
	defer func() {
		r := recover()
		pe, ok := r.(*tandem.PanicError)
		require.True(t, ok, "Wait panicked with %T (%v), want *tandem.PanicError", r, r)
		values := []any{pe.Value}
		for _, o := range pe.Others {
			values = append(values, o.Value)
		}
		assert.ElementsMatch(t, []any{"task 3 panicked", "task 7 panicked"}, values)
		assert.Contains(t, pe.Stack, "panicInATask")
		assert.Equal(t, int64(10), ended.Load(), "Wait returned before every task ended")
	}()
	_ = g.Wait()
	t.Fatal("Wait returned although tasks panicked")
}

func TestGroupPanicCancelsTheGroupEvenWhenCollectingErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := pool.NewGroup(t.Context(), 2, pool.CollectAll())
		var sawCancel atomic.Bool
		g.Go(func(ctx context.Context) error { <-ctx.Done(); sawCancel.Store(true); return nil })
		g.Go(func(context.Context) error { time.Sleep(time.Millisecond); panic("boom") })
		assert.Panics(t, func() { _ = g.Wait() })
		assert.True(t, sawCancel.Load())
	})
}

func TestGroupTaskCallingGoexitFailsTheGroupAndNeverHangsWait(t *testing.T) {
	g := pool.NewGroup(t.Context(), 1, pool.CollectAll())
	var ran atomic.Int64
	for i := range 5 {
		g.Go(func(context.Context) error {
			ran.Add(1)
			if i == 1 {
				runtime.Goexit()
			}
			return nil
		})
	}
	err := g.Wait() // a hang here is the bug (pond #135)
	assert.ErrorIs(t, err, tandem.ErrGoexit)
	assert.Equal(t, int64(5), ran.Load(), "the worker was lost with the Goexit")
}

// pond #68: Wait returned before started tasks had finished.
func TestGroupWaitReturnsOnlyAfterEveryStartedTaskFinished(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := pool.NewGroup(t.Context(), 3)
		var finished atomic.Int64
		for range 2 {
			g.Go(func(ctx context.Context) error { time.Sleep(time.Second); finished.Add(1); return nil })
		}
		g.Go(func(context.Context) error { time.Sleep(time.Millisecond); return errors.New("fail soon") })
		_ = g.Wait()
		assert.Equal(t, int64(2), finished.Load())
	})
}

func TestGroupTasksNotStartedWhenTheParentCtxEndsMakeWaitReturnItsCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stop := errors.New("request cancelled")
		ctx, cancel := context.WithCancelCause(t.Context())
		g := pool.NewGroup(ctx, 1)
		var ran atomic.Int64
		g.Go(func(ctx context.Context) error { time.Sleep(time.Second); ran.Add(1); return nil })
		for range 3 {
			g.Go(func(context.Context) error { ran.Add(1); return nil })
		}
		time.Sleep(time.Millisecond)
		cancel(stop)
		assert.Same(t, stop, g.Wait())
		assert.Equal(t, int64(1), ran.Load())
	})
}

func TestGroupOnAClosedPoolFailsItsTasksWithErrClosed(t *testing.T) {
	p := pool.New(2)
	p.Close()
	g := pool.NewGroup(t.Context(), 2, pool.OnPool(p))
	ran := false
	g.Go(func(context.Context) error { ran = true; return nil })
	assert.ErrorIs(t, g.Wait(), pool.ErrClosed)
	assert.False(t, ran)
}

func TestGroupTasksNotStartedWhenThePoolShutsDownFailWithErrClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(1))
		g := pool.NewResultGroup[int](t.Context(), 2, pool.OnPool(p), pool.CollectAll())
		for i := range 6 {
			g.Go(func(context.Context) (int, error) { time.Sleep(time.Second); return i, nil })
		}
		ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, p.Shutdown(ctx), context.DeadlineExceeded)
		values, err := g.Wait()
		assert.ErrorIs(t, err, pool.ErrClosed)
		assert.Equal(t, []int{0, 1, 0, 0, 0, 0}, values)
		assert.Equal(t, []error{nil, nil, pool.ErrClosed, pool.ErrClosed, pool.ErrClosed, pool.ErrClosed}, g.Errs())
	})
}

func TestGroupTaskTimeoutIsPerTaskAndSeparateFromTheGroupCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := pool.NewResultGroup[time.Duration](t.Context(), 1, pool.Timeout(time.Second), pool.CollectAll())
		for range 3 {
			g.Go(func(ctx context.Context) (time.Duration, error) {
				start := time.Now()
				<-ctx.Done()
				return time.Since(start), ctx.Err()
			})
		}
		took, err := g.Wait()
		assert.Equal(t, []time.Duration{time.Second, time.Second, time.Second}, took)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestResultGroupReturnsValuesInSubmissionOrderWithEachItemsError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := pool.NewResultGroup[string](t.Context(), 4, pool.CollectAll())
		odd := errors.New("odd")
		for i := range 8 {
			g.Go(func(context.Context) (string, error) {
				time.Sleep(time.Duration(8-i) * time.Millisecond)
				if i%2 == 1 {
					return fmt.Sprint("partial ", i), odd
				}
				return fmt.Sprint(i), nil
			})
		}
		values, err := g.Wait()
		assert.ErrorIs(t, err, odd)
		assert.Equal(t, []string{"0", "partial 1", "2", "partial 3", "4", "partial 5", "6", "partial 7"}, values)
		assert.Equal(t, []error{nil, odd, nil, odd, nil, odd, nil, odd}, g.Errs())
	})
}

func TestResultGroupErrsIsNilWhenEveryTaskSucceeded(t *testing.T) {
	g := pool.NewResultGroup[int](t.Context(), 2)
	for i := range 5 {
		g.Go(func(context.Context) (int, error) { return i * i, nil })
	}
	values, err := g.Wait()
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 4, 9, 16}, values)
	assert.Nil(t, g.Errs())
}

// Concurrent Waits used to let the second return g.err before the first had
// built it (nil, and a data race), and before the group's pool was closed.
func TestGroupConcurrentWaitsAllReturnTheTaskError(t *testing.T) {
	boom := errors.New("boom")
	for round := range 50 {
		g := pool.NewGroup(t.Context(), 2)
		release := make(chan struct{})
		g.Go(func(context.Context) error { <-release; return boom })
		var errs [3]error
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { errs[i] = g.Wait() })
		}
		close(release)
		wg.Wait()
		for i, err := range errs {
			require.ErrorIs(t, err, boom, "round %d, Wait #%d: got %v, want boom", round, i, err)
		}
	}
}

// Concurrent Waits all re-raise the panic, and every one returns only once
// the group's own pool is closed (goleak would see its workers otherwise).
func TestGroupConcurrentWaitsAllPanic(t *testing.T) {
	g := pool.NewGroup(t.Context(), 2)
	release := make(chan struct{})
	g.Go(func(context.Context) error { <-release; panic("boom") })
	var raised atomic.Int64
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			defer func() {
				if _, ok := recover().(*tandem.PanicError); ok {
					raised.Add(1)
				}
			}()
			_ = g.Wait()
		})
	}
	close(release)
	wg.Wait()
	require.Equal(t, int64(3), raised.Load(), "Waits that re-raised the *tandem.PanicError")
}
