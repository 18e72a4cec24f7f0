package pool_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/crashtest"
	"github.com/tandem-go/tandem/pool"
)

// errorLog collects what an OnError handler receives.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

func (l *errorLog) get() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// Issue #13.4: Submit only counted a task's error. OnError gets every
// error a fire-and-forget task ends with: its own, its ctx's (the
// submitter's, or Timeout's), tandem.ErrGoexit, on the worker and inline;
// never a panic, which goes to OnPanic.
func TestOnErrorGetsEveryErrorOfAFireAndForgetTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log errorLog
		var panics atomic.Int64
		p := pool.New(1, pool.QueueSize(10), pool.Timeout(time.Second),
			pool.OnError(log.add), pool.OnPanic(func(*tandem.PanicError) { panics.Add(1) }))
		boom := errors.New("boom")
		stop, cancel := context.WithCancel(t.Context())
		tasks := []func(context.Context) error{
			func(context.Context) error { return boom },
			func(context.Context) error { return nil },
			func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, // Timeout
			func(context.Context) error { runtime.Goexit(); return nil },
			func(context.Context) error { panic("not an error for OnError") },
		}
		for _, task := range tasks {
			require.NoError(t, p.Submit(t.Context(), task))
		}
		require.NoError(t, p.Submit(stop, func(ctx context.Context) error { cancel(); return ctx.Err() }))
		p.Close()
		errs := log.get()
		require.Len(t, errs, 4, "%v", errs)
		assert.Same(t, boom, errs[0])
		assert.ErrorIs(t, errs[1], context.DeadlineExceeded)
		assert.ErrorIs(t, errs[2], tandem.ErrGoexit)
		assert.ErrorIs(t, errs[3], context.Canceled)
		assert.Equal(t, int64(1), panics.Load())
		assert.Equal(t, pool.Stats{Workers: 1, Submitted: 6, Succeeded: 1, Failed: 3, Canceled: 1, Panicked: 1}, p.Stats())
	})
}

// On the inline path the handler runs on the submitting task's goroutine,
// once, and that task goes on.
func TestOnErrorGetsTheErrorOfATaskRunInline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log errorLog
		p := pool.New(1, pool.QueueSize(0), pool.OnError(log.add))
		var submitErr error
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			submitErr = p.Submit(ctx, func(context.Context) error { return errors.New("inline boom") })
			return nil
		}))
		p.Close()
		assert.NoError(t, submitErr)
		errs := log.get()
		require.Len(t, errs, 1)
		assert.EqualError(t, errs[0], "inline boom")
		assert.Equal(t, pool.Stats{Workers: 1, Submitted: 2, Succeeded: 1, Failed: 1}, p.Stats())
	})
}

// OnError is for tasks with no waiter: a group's or Do's task reports to
// its waiter, and a task that never started reports nothing.
func TestOnErrorIsNotCalledForTasksWithAWaiterOrThatNeverStarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log errorLog
		p := pool.New(1, pool.QueueSize(5), pool.OnError(log.add))
		boom := errors.New("boom")
		g := pool.NewGroup(t.Context(), 2, pool.OnPool(p), pool.CollectAll())
		g.Go(func(context.Context) error { return boom })
		assert.ErrorIs(t, g.Wait(), boom)
		_, err := pool.Do(t.Context(), p, func(context.Context) (int, error) { return 0, boom })
		assert.ErrorIs(t, err, boom)

		release := make(chan struct{})
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-release; return nil }))
		ctx, cancel := context.WithCancel(t.Context())
		require.NoError(t, p.Submit(ctx, func(context.Context) error { return boom }))
		cancel() // while queued: it never starts
		close(release)
		p.Close()
		assert.Empty(t, log.get())
		assert.Equal(t, 1, p.Stats().NotStarted)
	})
}

// Issue #13.8: a panic handler that called runtime.Goexit (t.FailNow, a
// require) lost the worker and hung Close. A handler's Goexit ends only the
// handler: its task is counted, the worker is replaced, and the pool goes
// on; the same for OnError, on a worker and on the inline path.
func TestAHandlerThatCallsGoexitNeitherHangsNorLosesTheWorker(t *testing.T) {
	goexit := pool.OnPanic(func(*tandem.PanicError) { runtime.Goexit() })
	goexitOnError := pool.OnError(func(error) { runtime.Goexit() })
	cases := []struct {
		name string
		opt  pool.Option
		task func(context.Context) error
	}{
		{"OnPanic", goexit, func(context.Context) error { panic("boom") }},
		{"OnError", goexitOnError, func(context.Context) error { return errors.New("boom") }},
		{"OnError with a task that called Goexit", goexitOnError, func(context.Context) error { runtime.Goexit(); return nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := pool.New(1, pool.QueueSize(1), c.opt)
				var ran atomic.Bool
				require.NoError(t, p.Submit(t.Context(), c.task))
				require.NoError(t, p.Submit(t.Context(), func(context.Context) error { ran.Store(true); return nil }))
				p.Close() // a hang here is the bug
				assert.True(t, ran.Load(), "the next task ran")
				s := p.Stats()
				checkAddsUp(t, s)
				assert.Equal(t, 1, s.Succeeded, "%+v", s)
				assert.Equal(t, 1, s.Panicked+s.Failed, "%+v", s)
				assert.Zero(t, s.Running+s.Goroutines, "%+v", s)
			})
		})
		t.Run(c.name+" inline", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := pool.New(1, pool.QueueSize(0), c.opt)
				after := false
				require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
					_ = p.Submit(ctx, c.task) // full: inline, and the handler's Goexit ends this task too
					after = true
					return nil
				}))
				synctest.Wait()
				require.NoError(t, p.Submit(t.Context(), func(context.Context) error { return nil }))
				p.Close()
				assert.False(t, after, "the submitting task went on after a Goexit on its goroutine")
				s := p.Stats()
				checkAddsUp(t, s)
				assert.Equal(t, 3, s.Submitted, "%+v", s)
				assert.Equal(t, 1, s.Succeeded, "%+v", s)
				assert.Zero(t, s.Running+s.Goroutines, "%+v", s)
			})
		})
	}
}

// Issue #13.8: a panicking handler crashes the program, as the last code
// that could have dealt with a panic, and is called once: on the inline
// path it used to be called again with its own panic. Checked in a
// subprocess, for both handlers on a worker (called from two places) and
// inline (the same place for both).
func TestAHandlerThatPanicsCrashesTheProgramAndIsCalledOnce(t *testing.T) {
	for _, c := range []string{"OnPanic", "OnError", "OnPanic inline"} {
		t.Run(strings.ReplaceAll(c, " ", "_"), func(t *testing.T) {
			if crashtest.InChild(t) {
				var calls atomic.Int64
				handler := func() {
					fmt.Printf("handler call %d\n", calls.Add(1))
					panic("deliberate crash in a handler")
				}
				var opt pool.Option
				var task func(context.Context) error
				if strings.HasPrefix(c, "OnPanic") {
					opt = pool.OnPanic(func(*tandem.PanicError) { handler() })
					task = func(context.Context) error { panic("task panicked") }
				} else {
					opt = pool.OnError(func(error) { handler() })
					task = func(context.Context) error { return errors.New("task failed") }
				}
				p := pool.New(1, pool.QueueSize(0), opt)
				if strings.HasSuffix(c, "inline") {
					_ = p.Submit(context.Background(), func(ctx context.Context) error { return p.Submit(ctx, task) })
				} else {
					_ = p.Submit(context.Background(), task)
				}
				p.Close()
				return
			}
			out := crashtest.Panicked(t)
			assert.Contains(t, out, "handler call 1\n")
			assert.NotContains(t, out, "handler call 2")
			assert.Contains(t, out, "pool: a handler panicked: panic: deliberate crash in a handler")
			assert.Contains(t, out, "handler_test.go", "crash output lacks the handler's frame")
		})
	}
}

// Close from a handler is a misuse like Close from a task, and a misuse
// panic in a handler crashes the program.
func TestCloseFromAHandlerCrashesTheProgramWithTheMisuseMessage(t *testing.T) {
	if crashtest.InChild(t) {
		var p *pool.Pool
		p = pool.New(1, pool.OnError(func(error) { p.Close() }))
		_ = p.Submit(context.Background(), func(context.Context) error { return errors.New("fail") })
		time.Sleep(time.Second)
		return
	}
	out := crashtest.Panicked(t)
	assert.Contains(t, out, "pool: Close: called from a task of the pool, which it would wait for")
}
