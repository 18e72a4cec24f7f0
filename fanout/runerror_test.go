package fanout_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/fanout"
)

// A run's error says what stopped it. These runs were stopped by nothing:
// every input succeeded, so no policy may return an error, whatever the
// fan-out does to clean up after itself and whenever ctx ends afterwards.

func TestAFailFastRunOnTheHedgedPathWhoseInputsAllSucceedReturnsNoError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var st fanout.Stats
		results, err := fanout.Map(t.Context(), make([]int, 5), double,
			fanout.FirstSuccess(time.Second), fanout.FailFast(), fanout.StatsTo(&st))
		require.NoError(t, err, "stats %+v", st)
		for i, r := range results {
			assert.Equal(t, fanout.Succeeded, r.Status, "input %d", i)
		}
	})
}

func TestARunWhoseCtxEndsAfterItsLastInputSucceededReturnsNoError(t *testing.T) {
	for name, policy := range map[string]fanout.Option{
		"collect all": fanout.CollectAll(), "fail fast": fanout.FailFast(),
		"first success": fanout.FirstSuccess(0), "quorum 2": fanout.Quorum(2),
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			// One worker: input 1 is the last, and ends ctx as it succeeds.
			results, err := fanout.Map(ctx, []int{0, 1}, func(_ context.Context, x int) (int, error) {
				if x == 1 {
					cancel()
				}
				return x, nil
			}, fanout.Workers(1), policy)
			require.NoError(t, err, "ctx ended after every input had succeeded: it stopped nothing")
			for i, r := range results {
				if name == "first success" && i == 1 {
					break // input 0 settled the race; 1 never started
				}
				assert.Equal(t, fanout.Succeeded, r.Status, "input %d", i)
			}
		})
	}
}

func TestACallsCtxKeptPastTheFanOutIsDoneOnceItReturns(t *testing.T) {
	for _, timeout := range []time.Duration{0, time.Hour} {
		for _, e := range entryPoints {
			t.Run(fmt.Sprintf("%s/Timeout(%v)", e.name, timeout), func(t *testing.T) {
				var kept []context.Context
				var mu sync.Mutex
				keep := func(ctx context.Context, x int) (int, error) {
					mu.Lock()
					kept = append(kept, ctx)
					mu.Unlock()
					return x, nil
				}
				if e.name == "Stream" {
					for range fanout.Stream(t.Context(), slices.Values([]int{1, 2, 3}), keep, fanout.Timeout(timeout)) {
					}
				} else {
					e.call(t.Context(), keep, fanout.Timeout(timeout))
				}
				require.NotEmpty(t, kept)
				for i, ctx := range kept {
					assert.Error(t, ctx.Err(), "kept ctx %d: a goroutine the call left behind on it must stop", i)
				}
				assert.NoError(t, t.Context().Err(), "the caller's ctx is its own")
			})
		}
	}
}
