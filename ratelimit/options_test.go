package ratelimit_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/ratelimit"
)

// Every option with every other: InitialTokens is capped at each key's
// burst under LimitFunc, MaxKeys caps the keys whatever their limits, and
// an option given twice takes its last value.
func TestKeyedOptionsCombine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		plan := func(key int) (ratelimit.Limit, int) {
			if key%2 == 0 {
				return 10, 2
			}
			return ratelimit.Inf, 1
		}
		k := ratelimit.NewKeyed[int](1, 1,
			ratelimit.InitialTokens(1), ratelimit.InitialTokens(5),
			ratelimit.LimitFunc(plan), ratelimit.MaxKeys(4))
		assert.Equal(t, 2.0, k.Tokens(0), "InitialTokens(5) capped at the key's burst 2")
		assert.True(t, k.AllowN(0, 2))
		assert.False(t, k.Allow(0))
		assert.True(t, k.AllowN(1, 100), "an Inf key admits any n")
		for key := range 100 {
			k.Allow(key)
			assert.LessOrEqual(t, k.Len(), 4, "MaxKeys(4) after key %d", key)
		}
		time.Sleep(time.Second)
		assert.Equal(t, 2.0, k.Tokens(98), "a refilled key")

		l := ratelimit.New(10, 5, ratelimit.InitialTokens(5), ratelimit.InitialTokens(0))
		assert.False(t, l.Allow(), "the last InitialTokens wins: empty")
	})
}
