package fanout_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/fanout"
)

// FuzzMapInvariants checks, for random sizes, limits, failures and
// policies: every result sits at its input's index, never more than C calls
// run at once, the statuses add up, and each policy's promise holds.
func FuzzMapInvariants(f *testing.F) {
	f.Add(uint8(10), uint8(3), uint64(0), uint8(0), uint8(1))
	f.Add(uint8(40), uint8(4), uint64(1<<7|1<<20), uint8(1), uint8(1))
	f.Add(uint8(5), uint8(8), uint64(0b10101), uint8(2), uint8(2))
	f.Add(uint8(9), uint8(2), uint64(0b111111), uint8(3), uint8(3))
	f.Add(uint8(0), uint8(1), uint64(0), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, n, c uint8, failMask uint64, policy, attempts uint8) {
		n, c, attempts = n%64, c%8+1, attempts%3+1
		synctest.Test(t, func(t *testing.T) {
			var f inFlight
			var calls atomic.Int64
			var tries [64]atomic.Int64
			var firstFailureAt atomic.Int64 // UnixNano of the first final failure's return
			var lateStarts atomic.Int64     // calls started after it
			call := func(ctx context.Context, i int) (int, error) {
				calls.Add(1)
				if at := firstFailureAt.Load(); at != 0 && time.Now().UnixNano() > at {
					lateStarts.Add(1)
				}
				f.enter()
				defer f.leave()
				select {
				case <-time.After(time.Duration(i%3+1) * time.Millisecond):
				case <-ctx.Done():
					return 0, ctx.Err()
				}
				if failMask>>(i%64)&1 == 1 {
					if tries[i].Add(1) == int64(attempts) { // no retry left
						firstFailureAt.CompareAndSwap(0, time.Now().UnixNano())
					}
					return 0, fmt.Errorf("input %d failed", i)
				}
				return 2 * i, nil
			}
			opts := []fanout.Option{fanout.Workers(int(c)), fanout.Attempts(int(attempts)), fanout.Backoff(time.Millisecond, time.Millisecond)}
			k := int(n)/2 + 1
			switch policy % 4 {
			case 1:
				opts = append(opts, fanout.FailFast())
			case 2:
				opts = append(opts, fanout.Quorum(k))
			case 3:
				opts = append(opts, fanout.FirstSuccess(time.Millisecond))
			}
			var st fanout.Stats
			results, err := fanout.Map(t.Context(), items(int(n)), call, append(opts, fanout.StatsTo(&st))...)

			require.Len(t, results, int(n))
			assert.LessOrEqual(t, f.peak(), int(c), "calls in flight")
			assert.Equal(t, int(n), st.Inputs)
			assert.Equal(t, st.Inputs, st.Succeeded+st.Failed+st.Canceled+st.NotStarted, "statuses add up: %+v", st)
			assert.Equal(t, int(calls.Load()), st.Attempts)
			var byStatus [4]int
			attemptSum := 0
			for i, r := range results {
				byStatus[r.Status]++
				attemptSum += r.Attempts
				switch r.Status {
				case fanout.Succeeded:
					assert.Equal(t, 2*i, r.Value, "value at index %d", i)
					assert.NoError(t, r.Err)
				case fanout.NotStarted:
					assert.ErrorIs(t, r.Err, fanout.ErrNotStarted)
					assert.Zero(t, r.Attempts)
				default:
					assert.Error(t, r.Err, "input %d %v", i, r.Status)
				}
			}
			assert.Equal(t, [4]int{st.NotStarted, st.Succeeded, st.Failed, st.Canceled}, byStatus)
			assert.Equal(t, st.Attempts, attemptSum)

			switch policy % 4 {
			case 0:
				assert.Equal(t, int(n), st.Succeeded+st.Failed, "collect all runs everything")
				assert.Equal(t, st.Failed > 0, err != nil)
			case 1:
				if st.Failed > 0 {
					require.Error(t, err)
					assert.Regexp(t, `^input \d+ failed$`, err.Error(), "fail fast returns the failure itself")
					assert.Zero(t, lateStarts.Load(), "calls started after the first failure")
				} else {
					assert.NoError(t, err)
				}
			case 2, 3:
				want := k
				if policy%4 == 3 {
					want = 1
				}
				if st.Succeeded >= want {
					assert.NoError(t, err)
				} else {
					assert.True(t, errors.Is(err, fanout.ErrNoQuorum), "err %v with %+v", err, st)
				}
			}
		})
	})
}
