package redisrate

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSleepWaitsTheWholeDelayOnReusedTimers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ts timers
		for range 3 { // the second and third reuse the pooled timer
			start := time.Now()
			canceled := false
			assert.NoError(t, ts.sleep(t.Context(), 5*time.Second, func() { canceled = true }))
			assert.Equal(t, 5*time.Second, time.Since(start))
			assert.False(t, canceled)
		}
	})
}

func TestSleepEndsWithTheContextAndCallsOnCancelOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ts timers
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		canceled := 0
		err := ts.sleep(ctx, time.Hour, func() { canceled++ })
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))
		assert.Equal(t, 1, canceled)
	})
}

func TestSleepOfNothingReturnsTheContextsErrorAndBooksNothing(t *testing.T) {
	var ts timers
	called := false
	assert.NoError(t, ts.sleep(t.Context(), 0, func() { called = true }))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, ts.sleep(ctx, -time.Second, func() { called = true }), context.Canceled)
	assert.False(t, called, "no wait, nothing booked to give back")
}

func TestAReusedTimerDeliversNoStaleTick(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ts timers
		for range 50 {
			// The timer and the deadline fire at the same instant, so either
			// case may win the select.
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			_ = ts.sleep(ctx, time.Second, func() {})
			cancel()
			// Whichever timer the next sleep gets, it lasts its own delay.
			start := time.Now()
			require.NoError(t, ts.sleep(t.Context(), 2*time.Second, func() {}))
			require.Equal(t, 2*time.Second, time.Since(start))
		}
	})
}

// TestAReusedTimerDeliversNoStaleTickWithAsyncTimers runs, in a subprocess
// with GODEBUG=asynctimerchan=1 (the timers before Go 1.23, whose channel
// keeps a tick that fired before Stop), waits that end on ctx just as their
// timer fires, each followed by a wait on a ctx that never ends: that wait
// must last its whole delay, never end on a leftover tick. synctest refuses
// asynctimerchan, so this runs on the real clock and checks only a lower
// bound, which no machine load can break.
func TestAReusedTimerDeliversNoStaleTickWithAsyncTimers(t *testing.T) {
	if os.Getenv("REDISRATE_TIMERS_CHILD") == "1" {
		var ts timers
		done, cancel := context.WithCancel(context.Background())
		cancel()
		for range 300 {
			// A timer of 1ns has often fired by the time the select looks,
			// and then either case may win.
			_ = ts.sleep(done, time.Nanosecond, func() {})
			start := time.Now()
			require.NoError(t, ts.sleep(context.Background(), 2*time.Millisecond, func() {}))
			require.GreaterOrEqual(t, time.Since(start), 2*time.Millisecond, "a wait ended early: a stale tick")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	// The child needs no Redis: an address TestMain takes without
	// starting a server.
	cmd.Env = append(os.Environ(), "REDISRATE_TIMERS_CHILD=1", "GODEBUG=asynctimerchan=1", "TANDEM_REDIS_ADDR=127.0.0.1:1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child with asynctimerchan=1:\n%s", out)
	require.Contains(t, string(out), "PASS")
}
