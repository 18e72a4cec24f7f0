package redisrate_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// downClient is a Scripter whose every call fails, as a Redis that is gone:
// it lets FailLocal's in-process limiter run under synctest, on virtual time.
type downClient struct{}

var errDown = errors.New("connection refused")

func (downClient) Eval(context.Context, string, []string, ...any) *redis.Cmd {
	return redis.NewCmdResult(nil, errDown)
}

func (downClient) EvalSha(context.Context, string, []string, ...any) *redis.Cmd {
	return redis.NewCmdResult(nil, errDown)
}

func TestFailClosedWrapsTheCause(t *testing.T) {
	l := redisrate.New(downClient{}, "k", 10, 1)
	_, err := l.Allow(t.Context())
	require.ErrorIs(t, err, redisrate.ErrUnavailable)
	require.ErrorIs(t, err, errDown)
	assert.Equal(t, "redisrate: redis unavailable: connection refused", err.Error())
}

func TestFailLocalPacesWaitersAtItsShare(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 100/s, burst 10; the local share of 0.5 is 50/s, burst 5.
		l := redisrate.New(downClient{}, "k", 100, 10, redisrate.OnFailure(redisrate.FailLocal(0.5)))
		const run = 10 * time.Second
		start := time.Now()
		// The deadline falls between two slots, so no wake-up ties with it.
		ctx, cancel := context.WithDeadline(t.Context(), start.Add(run+10*time.Millisecond))
		defer cancel()
		var (
			mu    sync.Mutex
			times []time.Duration
		)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for l.Wait(ctx) == nil {
					mu.Lock()
					times = append(times, time.Since(start))
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		// 5 at once, then one every 20 ms up to 10 s.
		assert.Len(t, times, 5+500, "waits in %v at 50/s with burst 5", run)
		for _, w := range []time.Duration{0, 20 * time.Millisecond, time.Second} {
			bound := 5 + int(w/(20*time.Millisecond))
			for i := range times {
				j := i
				for j < len(times) && times[j]-times[i] <= w {
					j++
				}
				require.LessOrEqual(t, j-i, bound, "events within %v from %v", w, times[i])
			}
		}
	})
}

func TestFailLocalCanceledWaitGivesItsSlotBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := redisrate.New(downClient{}, "k", 10, 1, redisrate.OnFailure(redisrate.FailLocal(1)))
		require.NoError(t, l.Wait(t.Context()))

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- l.Wait(ctx) }()
		synctest.Wait() // the waiter has reserved and sleeps
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)

		r, err := l.ReserveN(t.Context(), 1, -1)
		require.NoError(t, err)
		assert.Equal(t, 100*time.Millisecond, r.Delay(), "the canceled slot was given back")
		assert.True(t, r.Degraded)

		short, cancel2 := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel2()
		require.ErrorIs(t, l.Wait(short), ratelimit.ErrWouldExceedDeadline, "the next slot is 200ms away")
	})
}

func TestFailOpenAdmitsEverything(t *testing.T) {
	l := redisrate.New(downClient{}, "k", 1, 1, redisrate.OnFailure(redisrate.FailOpen()))
	for range 100 {
		res, err := l.AllowN(t.Context(), 1)
		require.NoError(t, err)
		require.Equal(t, 1, res.Allowed)
		require.True(t, res.Degraded)
	}
}

func TestFailLocalBooksMoreThanTheLocalBurstAsOneReservation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		// 10/s, burst 4; locally 5/s (one event per 200ms), burst 2.
		newLimiter := func() *redisrate.Limiter {
			return redisrate.New(downClient{}, "k", 10, 4, redisrate.OnFailure(redisrate.FailLocal(0.5)))
		}

		l := newLimiter()
		res, err := l.AllowN(ctx, 3)
		require.NoError(t, err)
		assert.Equal(t, 0, res.Allowed, "AllowN(3) can never fit the local burst of 2")
		assert.True(t, res.Degraded)
		assert.Equal(t, 2, res.Remaining, "the refused AllowN took nothing")

		r, err := l.ReserveN(ctx, 4, -1)
		require.NoError(t, err)
		require.True(t, r.OK(), "4 events, within the burst of 4, beyond the local 2")
		assert.Equal(t, 400*time.Millisecond, r.Delay(), "2 at once, then 2 intervals of 200ms")
		next, err := l.ReserveN(ctx, 1, -1)
		require.NoError(t, err)
		assert.Equal(t, 600*time.Millisecond, next.Delay(), "the next slot comes after all 4")
		require.NoError(t, r.Cancel(ctx))
		again, err := l.ReserveN(ctx, 1, -1)
		require.NoError(t, err)
		assert.Equal(t, 800*time.Millisecond, again.Delay(), "booked after: the canceled 4 stay spent")

		l = newLimiter()
		r, err = l.ReserveN(ctx, 4, -1)
		require.NoError(t, err)
		require.NoError(t, r.Cancel(ctx))
		res, err = l.AllowN(ctx, 2)
		require.NoError(t, err)
		assert.Equal(t, 2, res.Allowed, "nothing was booked after the 4: all came back")

		l = newLimiter()
		start := time.Now()
		require.NoError(t, l.WaitN(ctx, 3))
		assert.Equal(t, 200*time.Millisecond, time.Since(start), "WaitN(3): 2 at once and one more interval")
	})
}

func TestFailLocalReservationBeyondMaxWaitTakesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		// Locally 5/s, burst 1.
		l := redisrate.New(downClient{}, "k", 10, 2, redisrate.OnFailure(redisrate.FailLocal(0.5)))
		first, err := l.ReserveN(ctx, 1, 0)
		require.NoError(t, err)
		require.True(t, first.OK())

		r, err := l.ReserveN(ctx, 1, 100*time.Millisecond)
		require.NoError(t, err)
		assert.False(t, r.OK(), "the next local slot is 200ms away")
		assert.Equal(t, 100*time.Millisecond, r.RetryAfter, "when it would be within 100ms")

		r, err = l.ReserveN(ctx, 1, 200*time.Millisecond)
		require.NoError(t, err)
		assert.True(t, r.OK(), "the refused reservation took nothing")
		assert.Equal(t, 200*time.Millisecond, r.Delay())
	})
}
