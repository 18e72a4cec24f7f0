package ratelimit_test

import (
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

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
