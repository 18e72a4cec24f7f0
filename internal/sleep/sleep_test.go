package sleep

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tandem-go/tandem/internal/crashtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSleepWaitsTheWholeDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var timers Timers
		for range 3 { // the second and third reuse the pooled timer
			start := time.Now()
			canceled := false
			assert.NoError(t, timers.Sleep(t.Context(), 5*time.Second, func() { canceled = true }))
			assert.Equal(t, 5*time.Second, time.Since(start))
			assert.False(t, canceled)
		}
	})
}

func TestSleepEndsWithTheContextAndCallsOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var timers Timers
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		canceled := 0
		err := timers.Sleep(ctx, time.Hour, func() { canceled++ })
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))
		assert.Equal(t, 1, canceled)

	})
}

func TestAPooledTimerDeliversNoStaleTick(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var timers Timers
		for range 50 {
			// The timer and the deadline fire at the same instant, so either
			// branch may win; when the deadline does, the timer has fired
			// too and goes back to the pool stopped, its tick undelivered.
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			_ = timers.Sleep(ctx, time.Second, nil)
			cancel()
			// The next sleep, on that timer, lasts its own delay: no stale
			// tick ends it at once.
			start := time.Now()
			require.NoError(t, timers.Sleep(t.Context(), 2*time.Second, nil))
			require.Equal(t, 2*time.Second, time.Since(start))
		}
	})
}

func TestSleepOfNothingReturnsTheContextsError(t *testing.T) {
	var timers Timers
	assert.NoError(t, timers.Sleep(t.Context(), 0, nil))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	called := false
	assert.ErrorIs(t, timers.Sleep(ctx, -time.Second, func() { called = true }), context.Canceled)
	assert.False(t, called, "no wait, nothing booked to give back")
}

// TestAPooledTimerDeliversNoStaleTickWithAsyncTimers runs, in a subprocess
// with GODEBUG=asynctimerchan=1 (pre-Go 1.23 timers, whose channel keeps a
// tick that fired before Stop), waits that end on ctx just as their timer
// fires, each followed by a wait on a never-done ctx: that wait reuses the
// timer and must last its whole delay, never end on a leftover tick.
// synctest refuses asynctimerchan, so this one runs on the real clock; it
// only checks a lower bound, which no machine load can break.
func TestAPooledTimerDeliversNoStaleTickWithAsyncTimers(t *testing.T) {
	if crashtest.InChild(t) {
		var timers Timers
		done, cancel := context.WithCancel(context.Background())
		cancel()
		early := 0
		for range 300 {
			_ = timers.Sleep(done, time.Nanosecond, nil)
			time.Sleep(10 * time.Microsecond) // let a racing tick land in the channel
			start := time.Now()
			_ = timers.Sleep(context.Background(), time.Millisecond, nil)
			if time.Since(start) < time.Millisecond {
				early++
			}
		}
		// The race the drain after a failed Stop missed: a ctx that ends
		// as the timer fires, so Stop fails while the old runtime is still
		// about to send the tick; from 8 goroutines at once.
		var mu sync.Mutex
		var wg sync.WaitGroup
		deadline := time.Now().Add(3 * time.Second)
		for range 8 {
			wg.Go(func() {
				var ts Timers
				for time.Now().Before(deadline) {
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Microsecond)
					_ = ts.Sleep(ctx, 20*time.Microsecond, nil)
					cancel()
					start := time.Now()
					_ = ts.Sleep(context.Background(), 2*time.Millisecond, nil)
					if time.Since(start) < 2*time.Millisecond {
						mu.Lock()
						early++
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		fmt.Printf("early wake-ups: %d\n", early)
		return
	}
	t.Setenv("GODEBUG", "asynctimerchan=1")
	out, status := crashtest.Run(t)
	require.Equal(t, 0, status, out)
	assert.Contains(t, out, "early wake-ups: 0\n")
}
