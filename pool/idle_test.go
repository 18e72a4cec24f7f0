package pool_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/pool"
)

// runAndWait submits a task that records the goroutine it ran on, and
// waits, in a synctest bubble, until it has run and its worker is idle.
func runAndWait(t *testing.T, p *pool.Pool) (goroutine int64) {
	require.NoError(t, p.Submit(t.Context(), func(context.Context) error {
		goroutine = goroutineID()
		return nil
	}))
	synctest.Wait()
	return goroutine
}

func TestIdleWorkerExitsOnItsOwnOnceTheLingerTimeHasPassed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(3)
		runAndWait(t, p)
		assert.Equal(t, 1, p.Stats().Goroutines, "workers right after the task")

		time.Sleep(pool.IdleLinger - time.Nanosecond)
		synctest.Wait()
		assert.Equal(t, 1, p.Stats().Goroutines, "workers just before the linger time has passed")

		time.Sleep(time.Nanosecond)
		synctest.Wait()
		assert.Zero(t, p.Stats().Goroutines, "workers once the linger time has passed")
		// synctest.Test fails if a goroutine of the bubble is still alive:
		// no Close needed.
	})
}

func TestIdleWorkerRunsTheNextTaskOnTheSameGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(4)
		first := runAndWait(t, p)
		for i := range 5 {
			time.Sleep(pool.IdleLinger / 2) // idle, but not for long enough to exit
			assert.Equal(t, first, runAndWait(t, p), "goroutine of task %d after a pause", i+1)
		}
		assert.Equal(t, 1, p.Stats().Goroutines, "workers")
		p.Close()
	})
}

func TestTheLastWorkerToGoIdleRunsTheNextTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(3)
		release := make([]chan struct{}, 3)
		goroutines := make([]int64, 3)
		for i := range release {
			release[i] = make(chan struct{})
			require.NoError(t, p.Submit(t.Context(), func(context.Context) error {
				goroutines[i] = goroutineID()
				<-release[i]
				return nil
			}))
		}
		synctest.Wait()
		for _, i := range []int{2, 0, 1} { // worker of task 1 goes idle last
			close(release[i])
			synctest.Wait()
		}
		assert.Equal(t, goroutines[1], runAndWait(t, p), "goroutine of the next task, want the last to go idle")
		p.Close()
	})
}

func TestCloseDismissesIdleWorkersWithoutWaitingForTheLingerTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(3)
		runAndWait(t, p)
		start := time.Now()
		p.Close()
		assert.Zero(t, time.Since(start), "Close waited for idle workers")
		assert.Zero(t, p.Stats().Goroutines, "workers after Close")
	})
}

func TestShrinkingDismissesIdleWorkersBeyondTheNewBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(4)
		release := make(chan struct{})
		for range 4 {
			require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-release; return nil }))
		}
		close(release)
		synctest.Wait()
		require.Equal(t, 4, p.Stats().Goroutines, "idle workers before the shrink")

		p.Resize(1)
		synctest.Wait()
		assert.Equal(t, 1, p.Stats().Goroutines, "workers right after Resize(1)")
		runAndWait(t, p)
		assert.Equal(t, pool.Stats{Workers: 1, Goroutines: 1, Submitted: 5, Succeeded: 5}, p.Stats())
		p.Close()
	})
}

func TestTrySubmitWithoutAQueueHandsTheTaskToAnIdleWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(0))
		first := runAndWait(t, p)
		var second int64
		require.NoError(t, p.TrySubmit(t.Context(), func(context.Context) error { second = goroutineID(); return nil }))
		synctest.Wait()
		assert.Equal(t, first, second, "goroutine of the second task")
		p.Close()
	})
}
