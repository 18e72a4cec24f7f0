package pool_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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

// Issue #13.7: a group whose bound was above what its shared pool could
// take at once had its overflow attempts counted as Rejected, then the
// same tasks as Submitted and Succeeded when it handed them over later.
func TestASharedPoolCountsEachGroupTaskOnce(t *testing.T) {
	p := pool.New(1)
	g := pool.NewGroup(t.Context(), 10, pool.OnPool(p))
	for range 10 {
		g.Go(func(context.Context) error { return nil })
	}
	require.NoError(t, g.Wait())
	p.Close()
	assert.Equal(t, pool.Stats{Workers: 1, Submitted: 10, Succeeded: 10}, p.Stats())
}

// Issue #13.7: tasks still waiting inside a group when its ctx ended
// appeared in no Stats field of the pool. They are NotStarted.
func TestASharedPoolCountsTheTasksAGroupDroppedAsNotStarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(4)
		ctx, cancel := context.WithCancel(t.Context())
		g := pool.NewGroup(ctx, 1, pool.OnPool(p))
		for range 5 {
			g.Go(func(ctx context.Context) error { <-ctx.Done(); return nil })
		}
		synctest.Wait()
		cancel()
		g.Go(func(context.Context) error { t.Error("ran after the group's ctx ended"); return nil })
		assert.ErrorIs(t, g.Wait(), context.Canceled)
		p.Close()
		assert.Equal(t, pool.Stats{Workers: 4, Submitted: 5, Succeeded: 1, NotStarted: 4, Rejected: 1}, p.Stats())
	})
}

// Shutdown's deadline drops the pool's queue and what groups hold: both
// end NotStarted, the groups' tasks with ErrClosed.
func TestShutdownCountsWhatItDropsFromTheQueueAndFromGroups(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(2))
		g := pool.NewResultGroup[int](t.Context(), 2, pool.OnPool(p), pool.CollectAll())
		for i := range 6 {
			g.Go(func(context.Context) (int, error) { time.Sleep(time.Second); return i + 1, nil })
		}
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { time.Sleep(time.Second); return nil }))
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, p.Shutdown(ctx), context.DeadlineExceeded)
		values, err := g.Wait()
		assert.ErrorIs(t, err, pool.ErrClosed)
		assert.Equal(t, []int{1, 0, 0, 0, 0, 0}, values)
		s := p.Stats()
		checkAddsUp(t, s)
		assert.Equal(t, pool.Stats{Workers: 1, Submitted: 7, Succeeded: 1, NotStarted: 6}, s)
	})
}

// chaosTally counts, from inside the tasks, how each call ended.
type chaosTally struct {
	calls, started, succeeded, errored, goexited, panicked atomic.Int64
}

// TestASharedPoolsStatsAddUpAgainstEveryCallUnderChaos runs requests
// concurrently, each making groups (Group and ResultGroup, fail-fast and
// collecting, bounded above and below the pool's bound, or Unlimited,
// with and without Timeout) and Do, Call, TryCall and Submit calls on one
// shared pool, with tasks that succeed, fail, panic, call Goexit, cancel
// their request or fail only if it is canceled; one run shuts the pool
// down midway. The
// pool's Stats must account exactly for every call: Submitted + Rejected
// calls, each outcome equal to what the tasks themselves saw, and nothing
// run after Close returned.
func TestASharedPoolsStatsAddUpAgainstEveryCallUnderChaos(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 13))
			shutdownMidway := seed == 2
			p := pool.New(1+rng.IntN(6), pool.QueueSize(rng.IntN(4)), pool.OnPanic(func(*tandem.PanicError) {}))
			var tally chaosTally
			var closed atomic.Bool
			task := func(kind int, cancel context.CancelFunc) func(context.Context) error {
				return func(ctx context.Context) error {
					assert.False(t, closed.Load(), "a task started after Close returned")
					tally.started.Add(1)
					runtime.Gosched()
					switch kind {
					case 0:
						tally.errored.Add(1)
						return errors.New("task failed")
					case 1:
						tally.panicked.Add(1)
						panic("task panicked")
					case 2:
						tally.goexited.Add(1)
						runtime.Goexit()
					case 3:
						cancel()
					case 4:
						if err := ctx.Err(); err != nil {
							tally.errored.Add(1)
							return err
						}
					}
					tally.succeeded.Add(1)
					return nil
				}
			}
			type call struct{ kind, target int }
			type group struct {
				workers int
				opts    []pool.Option
				results bool
				tasks   []call
			}
			const requests = 50
			plans := make([][]group, requests)
			for r := range plans {
				for range 65 { // 3,250 groups in all, as in the issue
					gr := group{workers: 1 + rng.IntN(12), results: rng.IntN(2) == 0}
					if rng.IntN(8) == 0 {
						gr.workers = pool.Unlimited
					}
					gr.opts = []pool.Option{pool.OnPool(p)}
					if rng.IntN(2) == 0 {
						gr.opts = append(gr.opts, pool.CollectAll())
					}
					if rng.IntN(4) == 0 {
						gr.opts = append(gr.opts, pool.Timeout(time.Hour))
					}
					for range rng.IntN(8) {
						// kinds as in task: mostly successes, a cancel now and then
						kind := 5
						switch n := rng.IntN(1000); {
						case n < 100:
							kind = 0
						case n < 150:
							kind = 1
						case n < 200:
							kind = 2
						case n < 203: // about one request in two cancels itself
							kind = 3
						case n < 400:
							kind = 4
						}
						target := 0 // the group
						switch rng.IntN(12) {
						case 0:
							target = 1 // Do
						case 1:
							target = 2 // Call
						case 2:
							target = 3 // TryCall
						}
						gr.tasks = append(gr.tasks, call{kind, target})
					}
					plans[r] = append(plans[r], gr)
				}
			}
			var wg sync.WaitGroup
			var finished atomic.Int64
			for r := range requests {
				wg.Go(func() {
					defer finished.Add(1)
					ctx, cancel := context.WithCancel(t.Context())
					defer cancel()
					for _, gr := range plans[r] {
						func() {
							defer func() {
								if v := recover(); v != nil {
									_, ok := v.(*tandem.PanicError)
									assert.True(t, ok, "Wait raised %T (%v)", v, v)
								}
							}()
							var wait func()
							var goTask func(func(context.Context) error)
							if gr.results {
								g := pool.NewResultGroup[int](ctx, gr.workers, gr.opts...)
								goTask = func(f func(context.Context) error) {
									g.Go(func(ctx context.Context) (int, error) { return 1, f(ctx) })
								}
								wait = func() { _, _ = g.Wait() }
							} else {
								g := pool.NewGroup(ctx, gr.workers, gr.opts...)
								goTask, wait = g.Go, func() { _ = g.Wait() }
							}
							for _, c := range gr.tasks {
								tally.calls.Add(1)
								f := task(c.kind, cancel)
								switch c.target {
								case 0:
									goTask(f)
								case 1:
									_, _ = pool.Do(ctx, p, func(ctx context.Context) (int, error) { return 0, f(ctx) })
								case 2:
									_ = p.Call(ctx, f)
								case 3:
									_ = p.TryCall(ctx, f)
								}
							}
							wait()
						}()
						_ = p.Submit(ctx, task(5, cancel)) // a fire-and-forget task per group
						tally.calls.Add(1)
					}
				})
			}
			if shutdownMidway {
				for finished.Load() < requests/2 {
					runtime.Gosched()
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
				_ = p.Shutdown(ctx)
				cancel()
				closed.Store(true)
			}
			wg.Wait()
			p.Close()
			closed.Store(true)
			s := p.Stats()
			checkAddsUp(t, s)
			assert.Equal(t, int(tally.calls.Load()), s.Submitted+s.Rejected, "calls vs Submitted+Rejected in %+v", s)
			assert.Zero(t, s.Queued+s.Running+s.Goroutines, "%+v", s)
			assert.Equal(t, int(tally.succeeded.Load()), s.Succeeded, "%+v", s)
			assert.Equal(t, int(tally.panicked.Load()), s.Panicked, "%+v", s)
			assert.Equal(t, int(tally.errored.Load()+tally.goexited.Load()), s.Failed+s.Canceled, "%+v", s)
			assert.Equal(t, int(tally.calls.Load()-tally.started.Load()), s.NotStarted+s.Rejected, "%+v", s)
			t.Logf("%d calls: %+v", tally.calls.Load(), s)
		})
	}
}
