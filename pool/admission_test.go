package pool_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/pool"
)

// parkAll runs n tasks at once on p and waits until their n workers have
// parked.
func parkAll(t *testing.T, p *pool.Pool, n int) {
	release := make(chan struct{})
	for range n {
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-release; return nil }))
	}
	synctest.Wait()
	close(release)
	synctest.Wait()
	require.Equal(t, n, p.Stats().Goroutines, "parked workers")
}

// Issue #13.2: with every worker parked, TrySubmit returned ErrFull once
// the queue was full, because Submit woke parked workers one at a time.
// Parked workers are room: load shedding must never shed while one is free.
func TestTrySubmitNeverReturnsErrFullWhileAWorkerIsParked(t *testing.T) {
	for _, queue := range []int{0, 1, 3} {
		t.Run(fmt.Sprint("queue=", queue), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const workers = 4
				p := pool.New(workers, pool.QueueSize(queue))
				parkAll(t, p, workers)
				block := make(chan struct{})
				wait := func(context.Context) error { <-block; return nil }
				var errs []error
				for range workers + queue + 1 {
					errs = append(errs, p.TrySubmit(t.Context(), wait))
				}
				want := make([]error, workers+queue+1)
				want[workers+queue] = pool.ErrFull // only once workers and queue are all taken
				assert.Equal(t, want, errs, "TrySubmit results; stats %+v", p.Stats())
				synctest.Wait()
				s := p.Stats()
				assert.Equal(t, workers, s.Running, "%+v", s)
				assert.Equal(t, queue, s.Queued, "%+v", s)
				close(block)
				p.Close()
			})
		})
	}
}

// The same for a group on a shared pool: a task it could hand to a
// parked worker never waits in the group.
func TestAGroupHandsEveryTaskToParkedWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(4, pool.QueueSize(1))
		parkAll(t, p, 4)
		block := make(chan struct{})
		g := pool.NewGroup(t.Context(), 4, pool.OnPool(p))
		for range 4 {
			g.Go(func(context.Context) error { <-block; return nil })
		}
		s := p.Stats()
		assert.Equal(t, 8, s.Submitted, "tasks the pool took, the group's four included; %+v", s)
		assert.Zero(t, s.Rejected, "%+v", s)
		close(block)
		require.NoError(t, g.Wait())
		p.Close()
	})
}

// Issue #13.6: Submit with a ctx already done returned nil, counted the
// task only as canceled, and woke a worker. It returns the ctx's error at
// once, queues nothing and wakes nobody.
func TestSubmitWithADoneCtxReturnsItsErrorAndQueuesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		canceled, cancel := context.WithCancel(t.Context())
		cancel()
		expired, cancel2 := context.WithTimeout(t.Context(), time.Nanosecond)
		defer cancel2()
		time.Sleep(time.Millisecond)

		p := pool.New(2)
		never := func(context.Context) error { t.Error("a task with a done ctx ran"); return nil }
		assert.ErrorIs(t, p.Submit(canceled, never), context.Canceled)
		assert.ErrorIs(t, p.TrySubmit(expired, never), context.DeadlineExceeded)
		assert.Equal(t, pool.Stats{Workers: 2, Rejected: 2}, p.Stats(), "no worker started")

		parkAll(t, p, 2)
		assert.ErrorIs(t, p.Submit(canceled, never), context.Canceled)
		synctest.Wait()
		assert.Equal(t, pool.Stats{Workers: 2, Goroutines: 2, Submitted: 2, Succeeded: 2, Rejected: 3}, p.Stats(), "no worker woken")
		p.Close()

		g := pool.NewGroup(canceled, 2, pool.OnPool(p))
		g.Go(never)
		assert.ErrorIs(t, g.Wait(), context.Canceled)
		_, err := pool.Do(canceled, p, func(context.Context) (int, error) { t.Error("Do ran with a done ctx"); return 0, nil })
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 5, p.Stats().Rejected)
	})
}
