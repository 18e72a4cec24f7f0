package ratelimit_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
)

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// allowTenants calls Allow on the keys of the first n tenants.
func allowTenants(k *ratelimit.Keyed[string], n int) {
	for i := range n {
		k.Allow(fmt.Sprintf("tenant-%08d", i))
	}
}

// #13.14: idle keys were forgotten only in the shard a call landed on, so
// after a burst of keys and then traffic on one key, 7 of 8 shards kept
// their keys, and every map kept its room, for ever. Now every shard is
// cleaned whichever keys the traffic touches, and a shard that has emptied
// gives its room back.
func TestKeyedReclaimsIdleKeysAndTheirMemoryWhenTrafficTouchesOneKey(t *testing.T) {
	const keys = 100_000
	synctest.Test(t, func(t *testing.T) {
		before := heapInUse()
		k := ratelimit.NewKeyed[string](10, 1)
		allowTenants(k, keys)
		require.Equal(t, keys, k.Len())
		peak := heapInUse()
		require.Greater(t, peak, before+keys*32, "a tracked key costs at least its entry")

		time.Sleep(time.Second) // every bucket has refilled: every key is idle
		for range keys {
			k.Allow("hot")
		}
		assert.LessOrEqual(t, k.Len(), 1, "keys tracked after %d calls on one key", keys)
		after := heapInUse()
		assert.Less(t, after-min(after, before), (peak-before)/20,
			"heap: %d B before, %d B with %d keys, %d B once they were idle and traffic went to one key", before, peak, keys, after)
		runtime.KeepAlive(k)
	})
}

// The same with 1000 keys kept busy: the keys tracked and the memory held
// come down to what those need.
func TestKeyedShrinksToTheKeysStillActive(t *testing.T) {
	const keys, active = 100_000, 1000
	synctest.Test(t, func(t *testing.T) {
		before := heapInUse()
		k := ratelimit.NewKeyed[string](1, 1)
		allowTenants(k, keys)
		peak := heapInUse()
		time.Sleep(2 * time.Second)
		// The active keys are used every 500ms, at twice their rate: their
		// buckets never refill, so they are never idle.
		for round := range 200 {
			allowTenants(k, active)
			if round%10 == 9 {
				time.Sleep(500 * time.Millisecond)
			}
		}
		assert.Equal(t, active, k.Len(), "keys tracked with %d active", active)
		after := heapInUse()
		assert.Less(t, after-min(after, before), (peak-before)/10,
			"heap: %d B before, %d B with %d keys, %d B with %d active", before, peak, keys, after, active)
		runtime.KeepAlive(k)
	})
}

// Cleaning other shards from many goroutines at once, under -race: keys
// in debt are never dropped, whichever shard's calls reach them, while the
// idle ones around them go.
func TestKeyedCleaningAcrossShardsFromManyGoroutinesKeepsEveryKeyInDebt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := ratelimit.NewKeyed[int](1, 1, ratelimit.LimitFunc(func(key int) (ratelimit.Limit, int) {
			if key < 0 {
				return ratelimit.Every(time.Hour), 3 // drained below: in debt all test long
			}
			return 1000, 1 // refilled 1ms after each use: idle, to be dropped
		}))
		for key := -64; key < 0; key++ {
			require.True(t, k.AllowN(key, 3), "drain key %d", key)
		}
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 5000 {
					k.Allow(g*5000 + i)
					if i%500 == 0 {
						time.Sleep(100 * time.Millisecond)
					}
				}
			})
		}
		wg.Wait()
		time.Sleep(time.Millisecond)
		// Each call cleans 2 keys of the other shards on average: as many
		// calls as keys were added is more than enough, whatever the shards.
		for range 40_000 {
			k.Allow(-1)
		}
		assert.Equal(t, 64, k.Len(), "the keys in debt, and none of the 40000 idle ones")
		for key := -64; key < 0; key++ {
			assert.False(t, k.Allow(key), "key %d must still be empty", key)
		}
	})
}
