package ratelimit_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
)

func TestAKeyLimiterIsItsKeysBucketInTheKeyed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[string](10, 3)
		a := k.Limiter("a")
		assert.Equal(t, "a", a.Key())
		assert.Zero(t, k.Len(), "making a KeyLimiter tracks nothing")
		assert.Equal(t, 3.0, a.Tokens())

		require.True(t, a.AllowN(2))
		assert.Equal(t, 1.0, k.Tokens("a"), "the view took the key's tokens")
		require.True(t, k.Allow("a"))
		assert.False(t, a.Allow(), "and sees what the Keyed took")
		assert.Equal(t, 3.0, k.Tokens("b"), "other keys are untouched")

		start := time.Now()
		require.NoError(t, a.Wait(t.Context()))
		require.NoError(t, a.WaitN(t.Context(), 1))
		assert.Equal(t, 200*time.Millisecond, time.Since(start), "paced at the key's rate")
		assert.ErrorIs(t, a.WaitN(t.Context(), 4), ratelimit.ErrExceedsBurst)

		a.DeferUntil(time.Now().Add(time.Minute))
		assert.False(t, k.Allow("a"), "the view's deferral holds the key back")
		assert.True(t, k.Allow("b"))
		short, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		assert.ErrorIs(t, a.Wait(short), ratelimit.ErrWouldExceedDeadline)
		require.NoError(t, a.Wait(t.Context()))
		assert.Equal(t, time.Minute, time.Since(start)-200*time.Millisecond)
	})
}

// A KeyLimiter holds no bucket: kept for ever, it does not keep its key
// tracked once the key is idle, and it works as before afterwards.
func TestAKeyLimiterDoesNotKeepItsKeyTracked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[int](10, 2)
		views := make([]ratelimit.KeyLimiter[int], 100)
		for i := range views {
			views[i] = k.Limiter(i)
			require.True(t, views[i].AllowN(2))
		}
		require.Equal(t, 100, k.Len())
		time.Sleep(time.Second) // every bucket has refilled
		for range 1000 {
			k.Allow(-1)
		}
		assert.Equal(t, 1, k.Len(), "only the key in use is tracked, the views kept")
		for i, v := range views {
			assert.Equal(t, 2.0, v.Tokens(), "view %d: a fresh bucket", i)
			assert.True(t, v.AllowN(2), "view %d", i)
		}
	})
}

// A consumer given the view as a Waiter paces one key of a Keyed, and
// finds DeferUntil on it as on a Limiter.
func TestAKeyLimiterServesAsAWaiterAndADeferrer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[string](1, 1)
		var w ratelimit.Waiter = k.Limiter("host")
		d, ok := w.(ratelimit.Deferrer)
		require.True(t, ok, "a KeyLimiter is a Deferrer")
		start := time.Now()
		d.DeferUntil(start.Add(time.Second))
		require.NoError(t, w.WaitN(t.Context(), 1))
		assert.Equal(t, time.Second, time.Since(start))
		assert.True(t, k.Allow("other"))
	})
}
