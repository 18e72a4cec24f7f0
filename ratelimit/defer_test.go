package ratelimit_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
)

// A Retry-After of 0, or one that has already passed, must change nothing:
// the doc says so, redisrate does so, and fanout.RetryAfter(err, 0) must
// not empty the in-process burst (#13.10).
func TestDeferUntilAPastOrPresentTimeChangesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		now := time.Now()
		for _, tc := range []struct {
			name  string
			limit ratelimit.Limit
		}{{"finite", 1}, {"zero", 0}, {"Inf", ratelimit.Inf}} {
			for _, until := range []time.Time{now.Add(-10 * time.Second), now, now.Add(-100 * 365 * 24 * time.Hour), {}} {
				l := ratelimit.New(tc.limit, 100)
				l.DeferUntil(until)
				assert.Equal(t, 100.0, l.Tokens(), "%s: full bucket, DeferUntil(%v from now)", tc.name, until.Sub(now))
				assert.True(t, l.AllowN(100), "%s: DeferUntil(%v from now)", tc.name, until.Sub(now))

				partial := ratelimit.New(tc.limit, 100, ratelimit.InitialTokens(40))
				partial.DeferUntil(until)
				if tc.limit != ratelimit.Inf {
					assert.Equal(t, 40.0, partial.Tokens(), "%s: 40 tokens, DeferUntil(%v from now)", tc.name, until.Sub(now))
				}

				k := ratelimit.NewKeyed[string](tc.limit, 100)
				k.DeferUntil("a", until)
				k.Limiter("b").DeferUntil(until)
				assert.Zero(t, k.Len(), "%s: a deferral that changes nothing tracks no key", tc.name)
				assert.True(t, k.AllowN("a", 100), "%s: Keyed, DeferUntil(%v from now)", tc.name, until.Sub(now))
				assert.True(t, k.AllowN("b", 100), "%s: KeyLimiter, DeferUntil(%v from now)", tc.name, until.Sub(now))
			}
		}
	})
}

// One nanosecond ahead is a deferral: nothing before it, one token at it.
func TestDeferUntilOneNanosecondAheadHoldsBackUntilThen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(1, 100)
		k := ratelimit.NewKeyed[string](1, 100)
		l.DeferUntil(time.Now().Add(time.Nanosecond))
		k.DeferUntil("a", time.Now().Add(time.Nanosecond))
		require.False(t, l.Allow())
		require.False(t, k.Allow("a"))
		time.Sleep(time.Nanosecond)
		require.True(t, l.Allow())
		require.True(t, k.Allow("a"))
		require.False(t, l.Allow(), "one token at the deferred time")
		require.False(t, k.Allow("a"), "one token at the deferred time")
	})
}

// A limit <= 0 has no time of its own: SetLimit(0) used to forget a
// pending DeferUntil (and a New(0, b)'s deferral was lost at SetLimit), so
// a pause and resume admitted events the server's Retry-After forbade.
func TestADeferralSurvivesAPauseAtALimitOfZero(t *testing.T) {
	for name, setup := range map[string]func() *ratelimit.Limiter{
		"deferred, then paused": func() *ratelimit.Limiter {
			l := ratelimit.New(10, 5)
			l.DeferUntil(time.Now().Add(time.Hour))
			l.SetLimit(0)
			return l
		},
		"paused, then deferred": func() *ratelimit.Limiter {
			l := ratelimit.New(10, 5)
			l.SetLimit(0)
			l.DeferUntil(time.Now().Add(time.Hour))
			return l
		},
		"made paused, then deferred": func() *ratelimit.Limiter {
			l := ratelimit.New(0, 5)
			l.DeferUntil(time.Now().Add(time.Hour))
			return l
		},
		"booked ahead, then paused": func() *ratelimit.Limiter {
			l := ratelimit.New(10, 5)
			for range 5 + 36000 - 1 { // the burst, then slots up to an hour ahead
				if r := l.Reserve(); !r.OK() {
					panic("a reservation an hour ahead must be OK")
				}
			}
			l.SetLimit(0)
			return l
		},
	} {
		synctest.Test(t, func(t *testing.T) {
			l := setup()
			l.SetLimit(10)
			time.Sleep(59 * time.Minute)
			assert.False(t, l.Allow(), "%s: admitted a minute before the deferral or booking ended", name)
			time.Sleep(time.Minute)
			assert.True(t, l.Allow(), "%s: the deferral or booking ended", name)
		})
	}
}
