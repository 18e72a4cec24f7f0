package ratelimit_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
)

// allowed counts how many of n Allow calls pass, all at one instant.
func allowed(l *ratelimit.Limiter, n int) int {
	c := 0
	for range n {
		if l.Allow() {
			c++
		}
	}
	return c
}

func TestANewLimiterAdmitsItsBurstAtOnceThenOneEventPerInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(10, 5)
		require.Equal(t, 5, allowed(l, 100), "a full bucket of 5")
		time.Sleep(99 * time.Millisecond)
		require.False(t, l.Allow(), "99ms after: no token yet at 10/s")
		time.Sleep(time.Millisecond)
		require.True(t, l.Allow(), "100ms after: one token")
		require.False(t, l.Allow())
		time.Sleep(time.Hour)
		require.Equal(t, 5, allowed(l, 100), "after a long idle the bucket holds burst, no more")
	})
}

func TestAllowNTakesAllOrNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(1, 4)
		require.True(t, l.AllowN(3))
		require.False(t, l.AllowN(2), "1 token left, 2 asked")
		require.True(t, l.AllowN(1))
		require.False(t, l.AllowN(5), "n > burst is never allowed")
	})
}

func TestInitialTokensStartsEmptyOrPartlyFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		empty := ratelimit.New(10, 5, ratelimit.InitialTokens(0))
		require.False(t, empty.Allow())
		require.Equal(t, 0.0, empty.Tokens())
		time.Sleep(100 * time.Millisecond)
		require.True(t, empty.Allow())

		partial := ratelimit.New(10, 5, ratelimit.InitialTokens(2))
		require.Equal(t, 2, allowed(partial, 10))
	})
}

func TestAZeroLimitAdmitsOnlyTheInitialTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, limit := range []ratelimit.Limit{0, -1} {
			l := ratelimit.New(limit, 3)
			require.Equal(t, 3, allowed(l, 10), "limit %v", limit)
			time.Sleep(24 * time.Hour)
			require.False(t, l.Allow(), "limit %v refills nothing", limit)
			require.ErrorIs(t, l.Wait(t.Context()), ratelimit.ErrZeroLimit)
			require.False(t, l.Reserve().OK())

			l = ratelimit.New(limit, 3, ratelimit.InitialTokens(1))
			require.NoError(t, l.Wait(t.Context()))
			require.ErrorIs(t, l.Wait(t.Context()), ratelimit.ErrZeroLimit)
		}
	})
}

func TestInfAdmitsEverything(t *testing.T) {
	l := ratelimit.New(ratelimit.Inf, 1)
	require.Equal(t, 1000, allowed(l, 1000))
	require.True(t, l.AllowN(1_000_000), "n > burst under Inf")
	require.NoError(t, l.WaitN(t.Context(), 1_000_000))
	require.True(t, ratelimit.New(ratelimit.Limit(math.Inf(1)), 1).AllowN(5), "+Inf is Inf")
	r := l.ReserveN(50)
	require.True(t, r.OK())
	require.Zero(t, r.Delay())
}

func TestIntervalsAreRoundedUpSoTheRateIsNeverExceeded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 3/s is 333,333,333.3ns per token; rounding down would admit a
		// fourth event within the same second.
		l := ratelimit.New(3, 1)
		got := 0
		for range 1000 {
			if l.Allow() {
				got++
			}
			time.Sleep(time.Second / 1000)
		}
		require.LessOrEqual(t, got, 1+3, "events in one second at 3/s, burst 1")
	})
}

func TestWaitSleepsUntilItsSlotAndServesWaitersInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(10, 1)
		start := time.Now()
		var mu sync.Mutex
		var got []time.Duration
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				assert.NoError(t, l.Wait(t.Context()))
				mu.Lock()
				got = append(got, time.Since(start))
				mu.Unlock()
			})
		}
		wg.Wait()
		want := []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 400 * time.Millisecond}
		require.ElementsMatch(t, want, got)
	})
}

func TestWaitNAboveTheBurstFailsAtOnce(t *testing.T) {
	l := ratelimit.New(10, 3)
	err := l.WaitN(t.Context(), 4)
	require.ErrorIs(t, err, ratelimit.ErrExceedsBurst)
	require.Equal(t, 3.0, l.Tokens(), "nothing taken")
}

func TestAWaitThatCannotEndBeforeTheDeadlineFailsAtOnceWithDeadlineExceeded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(1, 1)
		require.True(t, l.Allow())
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := l.Wait(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorIs(t, err, ratelimit.ErrWouldExceedDeadline)
		require.Zero(t, time.Since(start), "returned without sleeping")
		require.InDelta(t, 0.0, l.Tokens(), 1e-9, "nothing booked")

		// A slot exactly at the deadline is too late too: ctx is done then.
		ctx2, cancel2 := context.WithTimeout(t.Context(), time.Second)
		defer cancel2()
		require.ErrorIs(t, l.Wait(ctx2), ratelimit.ErrWouldExceedDeadline)

		ctx3, cancel3 := context.WithTimeout(t.Context(), time.Second+time.Nanosecond)
		defer cancel3()
		require.NoError(t, l.Wait(ctx3))
		require.Equal(t, time.Second, time.Since(start))
	})
}

func TestACanceledWaitReturnsCtxErrAndGivesItsSlotBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(1, 1)
		require.True(t, l.Allow())
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- l.Wait(ctx) }()
		time.Sleep(300 * time.Millisecond)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		time.Sleep(700 * time.Millisecond)
		require.True(t, l.Allow(), "the canceled wait's slot at 1s is free again")
		require.False(t, l.Allow())
	})
}

func TestAWaitOnADoneContextFailsEvenWithTokens(t *testing.T) {
	l := ratelimit.New(10, 3)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, l.Wait(ctx), context.Canceled)
	require.Equal(t, 3.0, l.Tokens())
}

func TestReserveBooksAheadAndCancelRefundsOnlyTheLastBooking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(10, 1)
		a := l.Reserve()
		b := l.Reserve()
		c := l.Reserve()
		require.Equal(t, []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond},
			[]time.Duration{a.Delay(), b.Delay(), c.Delay()})

		// b has c booked after it: refunding b would let a new booking
		// share c's slot, so b's tokens are lost.
		b.Cancel()
		require.Equal(t, 300*time.Millisecond, l.Reserve().Delay(), "after canceling b (not last)")
	})
}

func TestCancelOfTheLastBookingFreesItsSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(10, 1)
		l.Reserve()
		b := l.Reserve()
		c := l.Reserve()
		c.Cancel()
		b.Cancel() // last again once c is gone
		require.Equal(t, 100*time.Millisecond, l.Reserve().Delay())
	})
}

func TestAReservationAboveTheBurstIsNotOK(t *testing.T) {
	l := ratelimit.New(10, 2)
	r := l.ReserveN(3)
	require.False(t, r.OK())
	require.Equal(t, ratelimit.InfDuration, r.Delay())
	r.Cancel() // harmless
	require.Equal(t, 2.0, l.Tokens())
}

func TestDeferUntilAdmitsNothingBeforeItAndTheFirstEventAtIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(10, 5)
		l.DeferUntil(time.Now().Add(2 * time.Second))
		require.False(t, l.Allow())
		time.Sleep(2*time.Second - time.Nanosecond)
		require.False(t, l.Allow())
		time.Sleep(time.Nanosecond)
		require.True(t, l.Allow(), "at the deferred time")
		require.False(t, l.Allow(), "one token at a time from there")

		start := time.Now()
		l.DeferUntil(start.Add(-time.Hour)) // in the past: no effect
		require.NoError(t, l.Wait(t.Context()))
		require.Equal(t, 100*time.Millisecond, time.Since(start))
	})
}

func TestDeferUntilHoldsBackAnInfLimiterToo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(ratelimit.Inf, 1)
		start := time.Now()
		l.DeferUntil(start.Add(time.Second))
		require.False(t, l.Allow())
		require.Equal(t, time.Second, l.Reserve().Delay())
		short, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		require.ErrorIs(t, l.Wait(short), ratelimit.ErrWouldExceedDeadline)
		require.NoError(t, l.Wait(t.Context()))
		require.Equal(t, time.Second, time.Since(start))
		require.True(t, l.Allow())
	})
}

func TestSetLimitKeepsTheTokensAndChangesTheRefill(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(10, 10)
		require.Equal(t, 4, allowed(l, 4))
		l.SetLimit(1)
		require.Equal(t, ratelimit.Limit(1), l.Limit())
		require.InDelta(t, 6.0, l.Tokens(), 1e-9)
		require.Equal(t, 6, allowed(l, 100))
		time.Sleep(time.Second)
		require.Equal(t, 1, allowed(l, 100))

		l.SetLimit(0)
		time.Sleep(time.Hour)
		require.Equal(t, 0, allowed(l, 100), "zero refills nothing")
		l.SetLimit(ratelimit.Inf)
		require.Equal(t, 100, allowed(l, 100))
		l.SetLimit(10)
		require.Equal(t, 10, allowed(l, 100), "from Inf the bucket is full")
	})
}

func TestSetLimitKeepsADeferral(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(10, 5)
		start := time.Now()
		l.DeferUntil(start.Add(time.Minute))
		l.SetLimit(100)
		require.Equal(t, time.Minute, l.Reserve().Delay())
	})
}

func TestSetBurstCapsTheTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(10, 10)
		l.SetBurst(3)
		require.Equal(t, 3, l.Burst())
		require.Equal(t, 3, allowed(l, 100))
		l.SetBurst(6)
		require.InDelta(t, 0.0, l.Tokens(), 1e-9)
		time.Sleep(time.Hour)
		require.Equal(t, 6, allowed(l, 100))
	})
}

func TestWaitsThatSleepAllocateAtMostOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(1000, 1)
		ctx := t.Context()
		_ = l.Wait(ctx)
		allocs := testing.AllocsPerRun(100, func() {
			if err := l.Wait(ctx); err != nil {
				panic(err)
			}
		})
		require.LessOrEqual(t, allocs, 1.0)
	})
}

func TestAllowReserveAndAWaitThatDoesNotSleepDoNotAllocate(t *testing.T) {
	l := ratelimit.New(ratelimit.Limit(1e9), 1<<20)
	ctx := t.Context()
	for name, f := range map[string]func(){
		"Allow":   func() { l.Allow() },
		"AllowN":  func() { l.AllowN(2) },
		"Reserve": func() { l.Reserve() },
		"Wait":    func() { _ = l.Wait(ctx) },
	} {
		require.Zero(t, testing.AllocsPerRun(100, f), name)
	}
}

// TestReconfiguringWhileOthersCallIsRaceFree runs SetLimit, SetBurst and
// DeferUntil against Allow, Reserve and Wait; under -race it proves the
// configuration swap is a clean publication, and the limiter stays usable.
func TestReconfiguringWhileOthersCallIsRaceFree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(1000, 10)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for ctx.Err() == nil {
					l.Allow()
					r := l.Reserve()
					r.Cancel()
					_ = l.Wait(ctx)
					time.Sleep(time.Millisecond)
				}
			})
		}
		wg.Go(func() {
			limits := []ratelimit.Limit{10, 1000, 0, ratelimit.Inf, 50}
			for i := 0; ctx.Err() == nil; i++ {
				l.SetLimit(limits[i%len(limits)])
				l.SetBurst(1 + i%7)
				if i%3 == 0 {
					l.DeferUntil(time.Now().Add(5 * time.Millisecond))
				}
				time.Sleep(7 * time.Millisecond)
			}
		})
		wg.Wait()
		l.SetLimit(100)
		l.SetBurst(5)
		time.Sleep(time.Minute)
		require.Equal(t, 5.0, l.Tokens(), "settled back to a full bucket")
	})
}

func TestTokensGoesNegativeWhenReservationsBookAhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(10, 2)
		for range 5 {
			l.Reserve()
		}
		require.InDelta(t, -3.0, l.Tokens(), 1e-9)
		time.Sleep(500 * time.Millisecond)
		require.InDelta(t, 2.0, l.Tokens(), 1e-9)
	})
}

func TestRaisingAZeroLimitRefillsFromTheTokensLeft(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(0, 4)
		require.True(t, l.AllowN(3))
		time.Sleep(time.Hour)
		l.SetLimit(10)
		require.InDelta(t, 1.0, l.Tokens(), 1e-9, "the one token left, no credit for the hour at zero")
		time.Sleep(300 * time.Millisecond)
		require.InDelta(t, 4.0, l.Tokens(), 1e-9)
	})
}

func TestSetLimitFromInfKeepsADeferral(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(ratelimit.Inf, 3)
		start := time.Now()
		l.DeferUntil(start.Add(time.Second))
		l.SetLimit(10)
		require.NoError(t, l.Wait(t.Context()))
		require.Equal(t, time.Second, time.Since(start))
	})
}

func TestCancelRefundsUnderAZeroLimitToo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(0, 2)
		r := l.ReserveN(2)
		require.True(t, r.OK())
		require.Zero(t, r.Delay())
		require.False(t, l.Reserve().OK(), "empty")
		r.Cancel() // at its time to act: not yet spent
		require.True(t, l.AllowN(2), "refunded")
	})
}
