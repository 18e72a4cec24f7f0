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

// Issue #13.1: the ctx a task receives used to carry the "inside this
// pool" mark for ever, so a goroutine holding it could submit after Close
// had returned, starting a worker on a closed pool.
func TestAnEscapedTaskCtxCannotSubmitAfterCloseReturned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1)
		kept := make(chan context.Context, 1)
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error { kept <- ctx; return nil }))
		ctx := <-kept
		p.Close()
		ran := false
		err := p.Submit(ctx, func(context.Context) error { ran = true; return nil })
		assert.ErrorIs(t, err, pool.ErrClosed)
		assert.ErrorIs(t, p.TrySubmit(ctx, func(context.Context) error { ran = true; return nil }), pool.ErrClosed)
		time.Sleep(time.Second)
		synctest.Wait()
		assert.False(t, ran, "a task ran after Close returned")
		s := p.Stats()
		assert.Equal(t, pool.Stats{Workers: 1, Submitted: 1, Succeeded: 1, Rejected: 2}, s)
	})
}

// While Close drains, a task of the pool may still submit from its own
// goroutine, but not a goroutine it handed its ctx to.
func TestWhileClosingOnlyTheTasksOwnGoroutineMaySubmit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2)
		closing := make(chan struct{})
		var fromTask, fromGoroutine error
		innerRan := false
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			<-closing
			time.Sleep(time.Millisecond) // Close has begun
			fromTask = p.Submit(ctx, func(context.Context) error { innerRan = true; return nil })
			done := make(chan struct{})
			go func() {
				defer close(done)
				fromGoroutine = p.Submit(ctx, func(context.Context) error { t.Error("the escaped ctx's task ran"); return nil })
			}()
			<-done
			return nil
		}))
		close(closing)
		p.Close()
		assert.NoError(t, fromTask, "Submit from the task while the pool drains")
		assert.ErrorIs(t, fromGoroutine, pool.ErrClosed, "Submit from a goroutine the task started")
		assert.True(t, innerRan)
	})
}

// Issue #13.1: a goroutine holding a task's ctx ran its submissions inline
// when the pool was full, as if it were the task's worker: with one worker
// and no queue, two tasks ran at once. Only the task's own goroutine may.
func TestAnEscapedTaskCtxNeverRunsATaskBeyondTheBound(t *testing.T) {
	for _, when := range []string{"while the task runs", "after the task returned"} {
		t.Run(when, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := pool.New(1, pool.QueueSize(0))
				var hw highWater
				task := func(d time.Duration) func(context.Context) error {
					return func(context.Context) error {
						hw.enter()
						defer hw.leave()
						time.Sleep(d)
						return nil
					}
				}
				kept := make(chan context.Context, 1)
				done := make(chan error, 1)
				require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
					hw.enter()
					defer hw.leave()
					kept <- ctx
					if when == "while the task runs" {
						go func() { done <- p.Submit(ctx, task(time.Millisecond)) }()
					}
					time.Sleep(time.Second)
					return nil
				}))
				ctx := <-kept
				if when == "after the task returned" {
					synctest.Wait()
					// Keep the pool full with another task meanwhile.
					require.NoError(t, p.Submit(t.Context(), task(time.Second)))
					go func() { done <- p.Submit(ctx, task(time.Millisecond)) }()
				}
				assert.NoError(t, <-done)
				p.Close()
				assert.Equal(t, int64(1), hw.peak.Load(), "tasks running at once with one worker")
				want := 2
				if when == "after the task returned" {
					want = 3
				}
				assert.Equal(t, want, p.Stats().Succeeded)
			})
		})
	}
}

// A task of another pool holding a ctx derived from a task of p is no
// worker of p: its submission into a full p blocks like any other.
func TestATaskOfAnotherPoolNeverRunsInlineOnThisOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.QueueSize(0))
		other := pool.New(1)
		var hw highWater
		release := make(chan struct{})
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			hw.enter()
			defer hw.leave()
			// Hand the marked ctx to a task of the other pool, which
			// submits into p while this task still holds its one worker.
			err := other.Submit(ctx, func(ctx context.Context) error {
				defer close(release)
				return p.Submit(ctx, func(context.Context) error { hw.enter(); hw.leave(); return nil })
			})
			time.Sleep(time.Second)
			return err
		}))
		<-release
		p.Close()
		other.Close()
		assert.Equal(t, int64(1), hw.peak.Load())
		assert.Equal(t, 2, p.Stats().Succeeded)
	})
}

// Issues #13.5 and #13.9: Close or Shutdown called from a task of the pool
// would wait for that task, which waits for it: they panic instead, and
// the pool is left working.
func TestCloseOrShutdownFromATaskOfThePoolPanics(t *testing.T) {
	calls := map[string]func(p *pool.Pool){
		"Close": func(p *pool.Pool) { p.Close() },
		"Shutdown": func(p *pool.Pool) {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_ = p.Shutdown(ctx)
		},
	}
	for name, call := range calls {
		for _, from := range []string{"a task", "a group task on the pool", "a task run inline", "Do"} {
			t.Run(name+" from "+from, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					p := pool.New(1, pool.QueueSize(0))
					got := make(chan any, 1)
					misuse := func(context.Context) error {
						defer func() { got <- recover() }()
						call(p)
						return nil
					}
					switch from {
					case "a task":
						require.NoError(t, p.Submit(t.Context(), misuse))
					case "a group task on the pool":
						g := pool.NewGroup(t.Context(), 1, pool.OnPool(p))
						g.Go(misuse)
						defer func() { assert.NoError(t, g.Wait()) }()
					case "a task run inline":
						require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
							return p.Submit(ctx, misuse) // the pool is full: inline
						}))
					case "Do":
						go func() {
							_, err := pool.Do(t.Context(), p, func(ctx context.Context) (int, error) { return 0, misuse(ctx) })
							assert.NoError(t, err)
						}()
					}
					want := "pool: " + name + ": called from a task of the pool, which it would wait for"
					assert.Equal(t, want, <-got)
					synctest.Wait()
					require.NoError(t, p.Submit(t.Context(), func(context.Context) error { return nil }), "the pool works on")
					p.Close()
					s := p.Stats()
					assert.Zero(t, s.Goroutines+s.Running)
				})
			})
		}
	}
}

// Close from a goroutine that is not a worker, such as the caller's, is
// never taken for a task's.
func TestCloseFromAnyOtherGoroutineDrains(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2)
		for range 4 {
			require.NoError(t, p.Submit(t.Context(), func(context.Context) error { time.Sleep(time.Second); return nil }))
		}
		done := make(chan struct{})
		go func() { p.Close(); close(done) }()
		<-done
		assert.Equal(t, 4, p.Stats().Succeeded)
	})
}
