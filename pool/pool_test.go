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

func TestPoolRunsEveryAcceptedTaskBeforeCloseReturns(t *testing.T) {
	p := pool.New(4)
	var ran atomic.Int64
	for range 1000 {
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { ran.Add(1); return nil }))
	}
	p.Close()
	assert.Equal(t, int64(1000), ran.Load())
	s := p.Stats()
	assert.Equal(t, pool.Stats{Workers: 4, Submitted: 1000, Succeeded: 1000}, s)
}

func TestPoolNeverRunsMoreTasksAtOnceThanItsWorkers(t *testing.T) {
	for _, limit := range []int{1, 2, 3, 8, 50} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			p := pool.New(limit, pool.QueueSize(limit/2))
			var hw highWater
			for range 20 * limit {
				require.NoError(t, p.Submit(t.Context(), func(context.Context) error {
					hw.enter()
					defer hw.leave()
					runtime.Gosched()
					return nil
				}))
			}
			p.Close()
			assert.LessOrEqual(t, hw.peak.Load(), int64(limit), "peak of tasks running at once, workers %d", limit)
			assert.Equal(t, 20*limit, p.Stats().Succeeded)
		})
	}
}

func TestPoolReusesAWorkerWhileTasksAreQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(10))
		release := make(chan struct{})
		var goroutines []int64
		var mu sync.Mutex
		for i := range 11 {
			require.NoError(t, p.TrySubmit(t.Context(), func(context.Context) error {
				if i == 0 {
					<-release
				}
				mu.Lock()
				goroutines = append(goroutines, goroutineID())
				mu.Unlock()
				return nil
			}))
		}
		close(release)
		p.Close()
		require.Len(t, goroutines, 11)
		for i, id := range goroutines {
			assert.Equal(t, goroutines[0], id, "task %d ran on another goroutine", i)
		}
	})
}

func TestPoolLeavesNoGoroutineOnceIdleEvenWithoutClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(3)
		for range 10 {
			require.NoError(t, p.Submit(t.Context(), func(context.Context) error { time.Sleep(time.Millisecond); return nil }))
		}
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Zero(t, p.Stats().Goroutines, "workers alive while idle")
		// synctest.Test fails if a goroutine of the bubble is still alive.
	})
}

func TestPoolTrySubmitReturnsErrFullWhenWorkersAndQueueAreBusy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(1))
		block := make(chan struct{})
		wait := func(context.Context) error { <-block; return nil }
		require.NoError(t, p.TrySubmit(t.Context(), wait))
		require.NoError(t, p.TrySubmit(t.Context(), wait))
		err := p.TrySubmit(t.Context(), wait)
		assert.ErrorIs(t, err, pool.ErrFull)
		close(block)
		p.Close()
		s := p.Stats()
		assert.Equal(t, 2, s.Succeeded)
		assert.Equal(t, 1, s.Rejected)
	})
}

// The bar from the prior-art notes (conc #107, ants #237, errgroup): a
// blocked submitter returns as soon as its own ctx is done, and its task
// never runs.
func TestPoolBlockedSubmitReturnsWhenItsCtxEndsAndTheTaskNeverRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(0))
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { time.Sleep(300 * time.Millisecond); return nil }))

		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		ran := false
		err := p.Submit(ctx, func(context.Context) error { ran = true; return nil })
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 50*time.Millisecond, time.Since(start), "Submit returned late")
		p.Close()
		assert.False(t, ran, "the rejected task ran")
		assert.Equal(t, 1, p.Stats().Rejected)
	})
}

func TestPoolBlockedSubmitGetsTheSlotAFinishedTaskFrees(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2, pool.QueueSize(1))
		sleep := func(context.Context) error { time.Sleep(time.Second); return nil }
		for range 3 {
			require.NoError(t, p.Submit(t.Context(), sleep))
		}
		start := time.Now()
		var wg sync.WaitGroup
		for range 3 { // three blocked submitters, served as slots free up
			wg.Go(func() { assert.NoError(t, p.Submit(t.Context(), sleep)) })
		}
		wg.Wait()
		assert.Equal(t, 2*time.Second, time.Since(start))
		p.Close()
		assert.Equal(t, 6, p.Stats().Succeeded)
	})
}

func TestPoolNeverStartsATaskWhoseCtxEndedWhileQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(5))
		block := make(chan struct{})
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-block; return nil }))
		ctx, cancel := context.WithCancel(t.Context())
		var ran atomic.Int64
		for range 5 {
			require.NoError(t, p.Submit(ctx, func(context.Context) error { ran.Add(1); return nil }))
		}
		cancel()
		close(block)
		p.Close()
		assert.Zero(t, ran.Load())
		assert.Equal(t, pool.Stats{Workers: 1, Submitted: 6, Succeeded: 1, NotStarted: 5}, p.Stats())
	})
}

func TestPoolSubmitAfterCloseReturnsErrClosed(t *testing.T) {
	p := pool.New(2)
	p.Close()
	p.Close() // idempotent
	assert.ErrorIs(t, p.Submit(t.Context(), func(context.Context) error { return nil }), pool.ErrClosed)
	assert.ErrorIs(t, p.TrySubmit(t.Context(), func(context.Context) error { return nil }), pool.ErrClosed)
	assert.Equal(t, 2, p.Stats().Rejected)
}

// gammazero/workerpool panicked with "send on closed channel" on a Submit
// racing Stop; conc #103 did on reuse after Wait.
func TestPoolSubmitRacingCloseNeverPanicsAndNothingIsLost(t *testing.T) {
	for range 20 {
		p := pool.New(2, pool.QueueSize(1))
		var accepted, ran atomic.Int64
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 50 {
					err := p.Submit(t.Context(), func(context.Context) error { ran.Add(1); return nil })
					if err == nil {
						accepted.Add(1)
					} else {
						assert.ErrorIs(t, err, pool.ErrClosed)
					}
				}
			})
		}
		wg.Go(p.Close)
		wg.Wait()
		p.Close()
		assert.Equal(t, accepted.Load(), ran.Load(), "accepted tasks that did not run")
		s := p.Stats()
		assert.Equal(t, 200, s.Submitted+s.Rejected)
	}
}

func TestPoolCloseWakesBlockedSubmittersWithErrClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(0))
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { time.Sleep(time.Hour); return nil }))
		errc := make(chan error)
		go func() { errc <- p.Submit(t.Context(), func(context.Context) error { return nil }) }()
		synctest.Wait()
		go p.Close()
		assert.ErrorIs(t, <-errc, pool.ErrClosed)
		time.Sleep(time.Hour)
		synctest.Wait()
	})
}

func TestPoolShutdownCancelsQueuedTasksAtItsDeadlineAndWaitsForRunningOnes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2, pool.QueueSize(10))
		var ran atomic.Int64
		for range 10 {
			require.NoError(t, p.Submit(t.Context(), func(context.Context) error { time.Sleep(time.Second); ran.Add(1); return nil }))
		}
		ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := p.Shutdown(ctx)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 2*time.Second, time.Since(start), "Shutdown should return once the running tasks end")
		assert.Equal(t, int64(4), ran.Load())
		assert.Equal(t, pool.Stats{Workers: 2, Submitted: 10, Succeeded: 4, NotStarted: 6}, p.Stats())
		assert.ErrorIs(t, p.Submit(t.Context(), func(context.Context) error { return nil }), pool.ErrClosed)
	})
}

func TestPoolShutdownReturnsNilWhenEverythingFinishesInTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2)
		for range 4 {
			require.NoError(t, p.Submit(t.Context(), func(context.Context) error { time.Sleep(time.Second); return nil }))
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		assert.NoError(t, p.Shutdown(ctx))
		assert.Equal(t, 4, p.Stats().Succeeded)
	})
}

func TestPoolTaskSubmittingIntoItsOwnFullPoolRunsTheTaskInline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(0))
		var order []string
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			order = append(order, "outer starts")
			err := p.Submit(ctx, func(context.Context) error {
				order = append(order, "inner runs")
				return nil
			})
			order = append(order, fmt.Sprint("outer's Submit returned ", err))
			return nil
		}))
		p.Close()
		assert.Equal(t, []string{"outer starts", "inner runs", "outer's Submit returned <nil>"}, order)
		assert.Equal(t, pool.Stats{Workers: 1, Submitted: 2, Succeeded: 2}, p.Stats())
	})
}

// ants #197 / #90: every worker submits into the full pool from its task.
func TestPoolEveryWorkerSubmittingRecursivelyDoesNotDeadlock(t *testing.T) {
	p := pool.New(3, pool.QueueSize(2))
	var ran atomic.Int64
	var spawn func(depth int) func(context.Context) error
	spawn = func(depth int) func(context.Context) error {
		return func(ctx context.Context) error {
			ran.Add(1)
			if depth > 0 {
				for range 2 {
					assert.NoError(t, p.Submit(ctx, spawn(depth-1)))
				}
			}
			return nil
		}
	}
	for range 3 {
		require.NoError(t, p.Submit(t.Context(), spawn(6)))
	}
	p.Close()
	assert.Equal(t, int64(3*127), ran.Load())
	s := p.Stats()
	assert.Equal(t, 3*127, s.Succeeded)
}

func TestPoolPanicHandlerGetsThePanicWithItsStackAndTheWorkerIsReplaced(t *testing.T) {
	var got []*tandem.PanicError
	var mu sync.Mutex
	p := pool.New(1, pool.OnPanic(func(pe *tandem.PanicError) {
		mu.Lock()
		got = append(got, pe)
		mu.Unlock()
	}))
	var ran atomic.Int64
	for i := range 10 {
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error {
			if i%2 == 0 {
				panicInATask(i)
			}
			ran.Add(1)
			return nil
		}))
	}
	p.Close()
	require.Len(t, got, 5)
	assert.Contains(t, got[0].Stack, "panicInATask")
	assert.Equal(t, int64(5), ran.Load())
	assert.Equal(t, pool.Stats{Workers: 1, Submitted: 10, Succeeded: 5, Panicked: 5}, p.Stats())
}

//go:noinline
func panicInATask(i int) { panic(fmt.Sprint("task ", i, " panicked")) }

// pond #135: a task calling runtime.Goexit (t.FailNow) hung StopAndWait and
// lost a worker.
func TestPoolTaskCallingGoexitCountsAsFailedAndKeepsTheWorker(t *testing.T) {
	p := pool.New(1, pool.QueueSize(10))
	var ran atomic.Int64
	block := make(chan struct{})
	require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-block; return nil }))
	for i := range 10 {
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error {
			ran.Add(1)
			if i%3 == 0 {
				runtime.Goexit()
			}
			return nil
		}))
	}
	close(block)
	p.Close() // a hang here is the bug
	assert.Equal(t, int64(10), ran.Load())
	assert.Equal(t, pool.Stats{Workers: 1, Submitted: 11, Succeeded: 7, Failed: 4}, p.Stats())
}

func TestPoolCountsATaskErrorAsFailed(t *testing.T) {
	p := pool.New(2)
	require.NoError(t, p.Submit(t.Context(), func(context.Context) error { return errors.New("boom") }))
	p.Close()
	assert.Equal(t, pool.Stats{Workers: 2, Submitted: 1, Failed: 1}, p.Stats())
}

func TestPoolTaskTimeoutStartsWhenTheTaskStarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.Timeout(time.Second), pool.QueueSize(1))
		var took [2]time.Duration
		for i := range 2 {
			require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
				start := time.Now()
				<-ctx.Done()
				took[i] = time.Since(start)
				return ctx.Err()
			}))
		}
		p.Close()
		assert.Equal(t, [2]time.Duration{time.Second, time.Second}, took, "each task gets its full timeout")
		assert.Equal(t, 2, p.Stats().Failed)
	})
}

func TestPoolResizeGrowsAtOnceAndShrinksAsTasksFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(100))
		var hw highWater
		task := func(context.Context) error {
			hw.enter()
			defer hw.leave()
			time.Sleep(time.Second)
			return nil
		}
		for range 20 {
			require.NoError(t, p.Submit(t.Context(), task))
		}
		p.Resize(4)
		synctest.Wait()
		assert.Equal(t, 4, p.Stats().Running, "running right after growing to 4")
		time.Sleep(1500 * time.Millisecond)
		p.Resize(2)
		time.Sleep(time.Second) // the four running tasks end; two go on
		synctest.Wait()
		hw.peak.Store(0)
		s := p.Stats()
		assert.Equal(t, 2, s.Running, "running after shrinking to 2")
		assert.Equal(t, 2, s.Goroutines)
		p.Close()
		assert.LessOrEqual(t, hw.peak.Load(), int64(2))
		assert.Equal(t, 20, p.Stats().Succeeded)
		assert.Equal(t, 2, p.Workers())
	})
}
