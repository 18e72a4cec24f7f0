package ratelimit_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
)

// A limiter at Every(d) spaces its events exactly d apart (#13.13: 1ns gave
// 2ns, 2ns gave 3ns), read from the outside as the delay of the next slot.
func TestALimiterAtEveryDSpacesEventsExactlyDApart(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 13))
	var ds []time.Duration
	for d := time.Duration(1); d <= 10_000; d++ {
		ds = append(ds, d)
	}
	for range 10_000 {
		ds = append(ds, 1+time.Duration(rng.Int64N(1<<rng.IntN(52))))
	}
	ds = append(ds, time.Millisecond, time.Second, time.Hour, 24*time.Hour, 1<<52-1)
	synctest.Test(t, func(t *testing.T) {
		for _, d := range ds {
			l := ratelimit.New(ratelimit.Every(d), 1)
			require.True(t, l.Allow())
			require.Equal(t, d, l.Reserve().Delay(), "New(Every(%v), 1): the second slot", d)
			require.Equal(t, 2*d, l.Reserve().Delay(), "New(Every(%v), 1): the third slot", d)
			require.Equal(t, ratelimit.Every(d), ratelimit.Per(1, d), "Per(1, %v) is Every", d)
		}
	})
}

func TestIntervalIsWhatTheLimiterCounts(t *testing.T) {
	for _, d := range []time.Duration{1, 2, 3, 29, 58, 116, time.Microsecond, time.Millisecond, 499283844, time.Second, time.Hour} {
		assert.Equal(t, d, ratelimit.Every(d).Interval(), "Every(%v)", d)
	}
	assert.Equal(t, time.Duration(0), ratelimit.Inf.Interval())
	assert.Equal(t, ratelimit.InfDuration, ratelimit.Limit(0).Interval())
	assert.Equal(t, ratelimit.InfDuration, ratelimit.Limit(-1).Interval())
	assert.Equal(t, ratelimit.InfDuration, ratelimit.Limit(math.NaN()).Interval())
	assert.Equal(t, 333333334*time.Nanosecond, ratelimit.Limit(3).Interval(), "1e9/3 rounded up")
	assert.PanicsWithValue(t, "ratelimit: Limit.Interval: limit must be at most 1e9 events/s (an interval of 1ns) or Inf, got 2e+09",
		func() { _ = ratelimit.Limit(2e9).Interval() })
}
