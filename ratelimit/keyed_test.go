package ratelimit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
)

func TestKeyedKeysHaveIndependentBuckets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[string](10, 2)
		require.True(t, k.Allow("a"))
		require.True(t, k.Allow("a"))
		require.False(t, k.Allow("a"))
		require.True(t, k.AllowN("b", 2), "b is untouched by a")
		require.Equal(t, 2, k.Len())
		time.Sleep(100 * time.Millisecond)
		require.True(t, k.Allow("a"))
		require.False(t, k.AllowN("a", 3), "n > burst")
	})
}

func TestKeyedTokensCountsEachKeysBucketWithoutTrackingNewKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[string](10, 5, ratelimit.LimitFunc(func(tenant string) (ratelimit.Limit, int) {
			if tenant == "gold" {
				return 100, 50
			}
			return 10, 5
		}))
		assert.Equal(t, 5.0, k.Tokens("a"), "a key never seen has a full bucket")
		assert.Equal(t, 50.0, k.Tokens("gold"), "of its own size")
		assert.Zero(t, k.Len(), "asking tracks nothing")

		require.True(t, k.AllowN("a", 3))
		assert.Equal(t, 2.0, k.Tokens("a"))
		time.Sleep(150 * time.Millisecond) // 1.5 tokens at 10/s
		assert.Equal(t, 3.5, k.Tokens("a"))
		assert.Equal(t, 5.0, k.Tokens("b"), "b is untouched by a")

		k2 := ratelimit.NewKeyed[string](10, 5, ratelimit.InitialTokens(1))
		assert.Equal(t, 1.0, k2.Tokens("new"), "a new key starts with the initial tokens")
	})
}

func TestKeyedLimitFuncGivesEachKeyItsOwnLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[string](1, 1, ratelimit.LimitFunc(func(tenant string) (ratelimit.Limit, int) {
			if tenant == "gold" {
				return 100, 10
			}
			return 1, 1
		}))
		got := map[string]int{}
		for _, key := range []string{"gold", "free"} {
			for range 100 {
				if k.Allow(key) {
					got[key]++
				}
			}
		}
		require.Equal(t, map[string]int{"gold": 10, "free": 1}, got)
	})
}

func TestKeyedEvictsIdleKeysInsideCallsAndAnEvictedKeyBehavesAsAFreshOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[int](10, 3)
		for key := range 1000 {
			require.True(t, k.AllowN(key, 3))
		}
		require.Equal(t, 1000, k.Len())
		time.Sleep(time.Second) // every bucket refilled: all idle

		// A steady stream of new keys, each used once per 10ms: idle keys
		// go as the new ones come, so the map does not keep growing.
		maxLen := 0
		for i := range 20_000 {
			k.Allow(100_000 + i)
			if i%10 == 0 {
				time.Sleep(time.Millisecond)
			}
			maxLen = max(maxLen, k.Len())
		}
		// A key stays live for 100ms (one token at 10/s), 1000 calls here:
		// about 1000 keys are live at any time.
		require.LessOrEqual(t, maxLen, 2*1000, "most keys tracked, with about 1000 live")

		// Key 0 was evicted long ago; it gets a fresh, full bucket.
		require.Equal(t, 3, countAllowed(func() bool { return k.Allow(0) }, 10))
	})
}

func TestKeyedNeverEvictsAKeyBeforeItsBucketRefilled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[int](1, 2)
		require.True(t, k.AllowN(-1, 2))
		for key := range 10_000 {
			k.Allow(key) // many inserts: many sweeps over key -1
		}
		require.False(t, k.Allow(-1), "key -1 must still be empty, not forgotten")
	})
}

func TestKeyedMaxKeysNeverTracksMoreKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, cap := range []int{1, 7, 100} {
			k := ratelimit.NewKeyed[int](1, 1, ratelimit.MaxKeys(cap))
			for key := range 1000 {
				k.Allow(key)
				require.LessOrEqual(t, k.Len(), cap, "cap %d after key %d", cap, key)
			}
		}
	})
}

func TestKeyedWaitPacesEachKeyAndACanceledWaitRefunds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[string](10, 1)
		start := time.Now()
		require.NoError(t, k.Wait(t.Context(), "a"))
		require.NoError(t, k.Wait(t.Context(), "a"))
		require.Equal(t, 100*time.Millisecond, time.Since(start))
		require.NoError(t, k.Wait(t.Context(), "b"), "b is not held back by a")
		require.Equal(t, 100*time.Millisecond, time.Since(start))

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- k.Wait(ctx, "a") }()
		time.Sleep(50 * time.Millisecond)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		time.Sleep(50 * time.Millisecond)
		require.True(t, k.Allow("a"), "the canceled slot is free")

		short, cancel2 := context.WithTimeout(t.Context(), 10*time.Millisecond)
		defer cancel2()
		require.ErrorIs(t, k.Wait(short, "a"), context.DeadlineExceeded)
		require.ErrorIs(t, k.WaitN(t.Context(), "a", 2), ratelimit.ErrExceedsBurst)
	})
}

func TestKeyedDeferUntilHoldsBackOnlyThatKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[string](10, 5)
		start := time.Now()
		k.DeferUntil("api.example.com", start.Add(time.Minute))
		require.False(t, k.Allow("api.example.com"))
		require.True(t, k.Allow("other.example.com"))
		for range 10_000 {
			k.Allow(fmt.Sprint(time.Now().UnixNano())) // sweeps must keep the deferred key
			time.Sleep(time.Millisecond)
		}
		require.False(t, k.Allow("api.example.com"), "at %v", time.Since(start))
		require.NoError(t, k.Wait(t.Context(), "api.example.com"))
		require.Equal(t, time.Minute, time.Since(start))
	})
}

func TestKeyedWindowBoundHoldsPerKeyUnderContention(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit, burst = 1000, 10
		k := ratelimit.NewKeyed[int](limit, burst)
		recs := []*recorder{newRecorder(), newRecorder(), newRecorder()}
		var wg sync.WaitGroup
		for g := range 30 {
			wg.Go(func() {
				for i := range 200 {
					key := (g + i) % len(recs)
					if k.Allow(key) {
						recs[key].add(1)
					}
					time.Sleep(time.Duration(g%7+1) * 100 * time.Microsecond)
				}
			})
		}
		wg.Wait()
		for key, rec := range recs {
			assert.NotEmpty(t, rec.events)
			requireWindowBound(t, rec.events, limit, burst, fmt.Sprintf("key %d", key))
		}
	})
}

func countAllowed(allow func() bool, tries int) int {
	n := 0
	for range tries {
		if allow() {
			n++
		}
	}
	return n
}

// FuzzKeyedDecidesAsOneLimiterPerKey drives a Keyed limiter (which evicts
// idle keys, and sweeps on every call) and a model of one never-evicted
// Limiter per key through the same random calls and pauses: every decision
// must match, so eviction is invisible.
func FuzzKeyedDecidesAsOneLimiterPerKey(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte{7, 7, 7, 7, 255, 3, 3, 3, 128, 64, 32, 16})
	f.Add([]byte{200, 201, 202, 203, 204, 205, 206, 207, 1, 1, 1, 1, 250, 250})
	f.Fuzz(func(t *testing.T, ops []byte) {
		const limit, burst = 50, 3
		synctest.Test(t, func(t *testing.T) {
			k := ratelimit.NewKeyed[byte](limit, burst)
			model := map[byte]*ratelimit.Limiter{}
			modelOf := func(key byte) *ratelimit.Limiter {
				if model[key] == nil {
					// Made on first use, like the key: both start full.
					model[key] = ratelimit.New(limit, burst)
				}
				return model[key]
			}
			for i, op := range ops {
				key := op & 7
				n := 1 + int(op>>3)%burst
				switch op >> 6 {
				case 0, 1:
					got, want := k.AllowN(key, n), modelOf(key).AllowN(n)
					require.Equal(t, want, got, "op %d: AllowN(key %d, n %d) at %v", i, key, n, time.Duration(i))
				case 2:
					time.Sleep(time.Duration(op&63) * time.Millisecond)
				case 3:
					until := time.Now().Add(time.Duration(op&63) * time.Millisecond)
					k.DeferUntil(key, until)
					modelOf(key).DeferUntil(until)
				}
			}
		})
	})
}

func TestAPanickingLimitFuncReachesTheCallerAndLeavesTheKeyedUsable(t *testing.T) {
	k := ratelimit.NewKeyed[string](1, 1, ratelimit.LimitFunc(func(key string) (ratelimit.Limit, int) {
		switch key {
		case "bad":
			panic("no plan for bad")
		case "zero-burst":
			return 1, 0
		}
		return 1, 1
	}))
	require.PanicsWithValue(t, "no plan for bad", func() { k.Allow("bad") })
	require.PanicsWithValue(t, "ratelimit: LimitFunc: burst must be at least 1, got 0", func() { k.Allow("zero-burst") })
	require.True(t, k.Allow("good"), "no lock left held")
	require.Equal(t, 1, k.Len(), "the failed keys were not added")
}

func TestKeyedUnderInfAdmitsAllButHonoursDeferUntil(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[string](ratelimit.Inf, 1)
		require.True(t, k.AllowN("a", 100))
		start := time.Now()
		k.DeferUntil("a", start.Add(time.Second))
		require.False(t, k.Allow("a"))
		short, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		require.ErrorIs(t, k.Wait(short, "a"), ratelimit.ErrWouldExceedDeadline)
		require.NoError(t, k.Wait(t.Context(), "a"))
		require.Equal(t, time.Second, time.Since(start))
		require.True(t, k.AllowN("a", 100))
	})
}

func TestKeyedCallsOnATrackedKeyDoNotAllocate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		open := ratelimit.NewKeyed[string](1e9, 1<<20)
		paced := ratelimit.NewKeyed[string](1000, 1)
		ctx := t.Context()
		open.Allow("a")
		_ = paced.Wait(ctx, "a")
		_ = paced.Wait(ctx, "a") // warms the timer pool
		for name, f := range map[string]func(){
			"Allow":                  func() { open.Allow("a") },
			"AllowN":                 func() { open.AllowN("a", 2) },
			"Wait":                   func() { _ = open.Wait(ctx, "a") },
			"a Wait that sleeps":     func() { _ = paced.Wait(ctx, "a") },
			"Limiter(key).Allow":     func() { open.Limiter("a").Allow() },
			"Limiter(key).Wait":      func() { _ = open.Limiter("a").Wait(ctx) },
			"Tokens":                 func() { open.Tokens("a") },
			"DeferUntil in the past": func() { open.DeferUntil("a", time.Time{}) },
		} {
			assert.Zero(t, testing.AllocsPerRun(100, f), name)
		}
	})
}
