package ratelimit_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
)

const year = 365 * 24 * time.Hour

// maxHourlyBurst is the largest burst at one event an hour whose span stays
// within 2^61ns (about 73 years), the most New accepts.
const maxHourlyBurst = int(1<<61) / int(time.Hour)

// #13.12: New accepted spans up to 146 years, and a deferral or bookings
// far ahead then wrapped the TAT past 2^63: AllowN admitted a full burst
// and the bucket read full. Now New refuses spans over 73 years, bookings
// stop 73 years ahead, a deferral saturates there, and nothing wraps.
func TestASpanOver73YearsIsRefusedWhereItIsSet(t *testing.T) {
	assert.Panics(t, func() { ratelimit.New(ratelimit.Every(time.Hour), 700_000) })
	assert.Panics(t, func() { ratelimit.NewKeyed[int](ratelimit.Every(time.Hour), 700_000) })
	assert.Panics(t, func() { ratelimit.New(ratelimit.Every(time.Hour), maxHourlyBurst).SetBurst(maxHourlyBurst + 1) })
	assert.Panics(t, func() {
		ratelimit.New(ratelimit.Every(time.Second), 1_000_000_000).SetLimit(ratelimit.Every(time.Hour))
	})
	assert.Panics(t, func() { ratelimit.New(ratelimit.Inf, 1<<62).SetLimit(1e9) })
	assert.Panics(t, func() { ratelimit.New(0, 1<<62) }, "a frozen bucket of 2^62 tokens")
	assert.NotPanics(t, func() { ratelimit.New(ratelimit.Every(time.Hour), maxHourlyBurst) })
	assert.NotPanics(t, func() { ratelimit.New(ratelimit.Every(1<<61), 1) })
}

func TestADeferralTwoHundredYearsAheadOfTheWidestBucketDoesNotWrap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(ratelimit.Every(time.Hour), maxHourlyBurst)
		k := ratelimit.NewKeyed[string](ratelimit.Every(time.Hour), maxHourlyBurst)
		l.DeferUntil(time.Now().Add(200 * year))
		k.DeferUntil("a", time.Now().Add(200*year))
		assert.False(t, l.AllowN(maxHourlyBurst), "a full burst after a deferral")
		assert.False(t, l.Allow())
		assert.False(t, k.AllowN("a", maxHourlyBurst), "Keyed: a full burst after a deferral")
		assert.False(t, k.Allow("a"))
		assert.LessOrEqual(t, l.Tokens(), 1.0-float64(maxHourlyBurst), "deferred 73 years: at least a burst in debt")
		assert.LessOrEqual(t, k.Tokens("a"), 1.0-float64(maxHourlyBurst))
		r := l.Reserve()
		assert.True(t, r.OK())
		assert.Equal(t, time.Duration(1<<61), r.Delay(), "the next slot is where the deferral ends")
		r.Cancel()

		// The clock may read up to 2^61ns: stop a nanosecond short.
		time.Sleep(1<<61 - 1)
		require.False(t, l.Allow(), "the deferral, cut to 2^61ns, has not ended")
		require.False(t, k.Allow("a"))
		assert.Equal(t, time.Nanosecond, l.Reserve().Delay(), "the deferral ends 2^61ns on")
	})
}

func TestBookingsAheadOfTheWidestBucketStopAt73YearsAndDoNotWrap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(ratelimit.Every(time.Hour), maxHourlyBurst)
		span := time.Duration(maxHourlyBurst) * time.Hour
		first, second, third := l.ReserveN(maxHourlyBurst), l.ReserveN(maxHourlyBurst), l.ReserveN(maxHourlyBurst)
		assert.True(t, first.OK())
		assert.Zero(t, first.Delay())
		assert.True(t, second.OK())
		assert.Equal(t, span, second.Delay())
		assert.False(t, third.OK(), "a third burst would be 2 spans (146 years) away")
		assert.False(t, l.Allow())
		assert.Equal(t, -float64(maxHourlyBurst), l.Tokens(), "two bursts booked: one burst in debt")

	})
}

// The widest span (2^61ns exactly), a deferral as far as it goes, and the
// clock at the end of its documented range: the sums the limiter forms are
// then as large as they can be, and still do not wrap.
func TestTheLargestSumsAtTheEndOfTheClocksRangeDoNotWrap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const interval, burst = 1 << 40, 1 << 21 // a span of 2^61ns
		l := ratelimit.New(ratelimit.Every(interval), burst)
		k := ratelimit.NewKeyed[int](ratelimit.Every(interval), burst)
		time.Sleep(1<<61 - 1)
		require.Equal(t, float64(burst), l.Tokens(), "idle for 73 years: full")
		l.DeferUntil(time.Now().Add(200 * year))
		k.DeferUntil(0, time.Now().Add(200*year))
		assert.False(t, l.AllowN(burst))
		assert.False(t, l.Allow())
		assert.False(t, l.ReserveN(burst).OK())
		assert.False(t, k.AllowN(0, burst))
		assert.Equal(t, 1.0-float64(1<<61)/interval, l.Tokens(), "deferred 2^61ns: one token at its end")
		r := l.Reserve()
		require.True(t, r.OK())
		assert.Equal(t, time.Duration(1<<61), r.Delay())
	})
}
