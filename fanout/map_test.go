package fanout_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/ratelimit"
)

func double(_ context.Context, x int) (int, error) { return 2 * x, nil }

func TestMapReturnsEachResultAtItsInputIndex(t *testing.T) {
	inputs := make([]int, 1000)
	for i := range inputs {
		inputs[i] = i
	}
	var st fanout.Stats
	results, err := fanout.Map(t.Context(), inputs, double, fanout.Workers(7), fanout.StatsTo(&st))
	require.NoError(t, err)
	require.Len(t, results, len(inputs))
	for i, r := range results {
		require.Equal(t, fanout.Succeeded, r.Status, "input %d", i)
		require.Equal(t, 2*i, r.Value, "input %d", i)
		require.NoError(t, r.Err, "input %d", i)
		require.Equal(t, 1, r.Attempts, "input %d", i)
	}
	assert.Equal(t, fanout.Stats{Inputs: 1000, Succeeded: 1000, Attempts: 1000}, st)
}

func TestMapOverNoInputsReturnsNoResults(t *testing.T) {
	results, err := fanout.Map(t.Context(), nil, double)
	require.NoError(t, err)
	assert.Empty(t, results)
}

func TestMapNeverRunsMoreThanWorkersCallsAtOnce(t *testing.T) {
	for _, limit := range []int{1, 2, 5, 16} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var f inFlight
				_, err := fanout.Map(t.Context(), make([]int, 100), func(context.Context, int) (int, error) {
					f.enter()
					defer f.leave()
					time.Sleep(time.Millisecond)
					return 0, nil
				}, fanout.Workers(limit))
				require.NoError(t, err)
				assert.Equal(t, limit, f.peak(), "peak in flight, want exactly the limit")
			})
		})
	}
}

func TestMapStartsCallsOnTheExactWorkersSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log startLog
		start := time.Now()
		_, err := fanout.Map(t.Context(), make([]int, 9), func(context.Context, int) (int, error) {
			log.add()
			time.Sleep(10 * time.Millisecond)
			return 0, nil
		}, fanout.Workers(3))
		require.NoError(t, err)
		var want []time.Time
		for i := range 9 {
			want = append(want, start.Add(time.Duration(i/3)*10*time.Millisecond))
		}
		assert.Equal(t, want, log.times(), "three at a time, each slot reused as soon as it frees")
	})
}

func TestMapCollectAllRunsEveryInputAndJoinsTheFailures(t *testing.T) {
	errOdd := errors.New("odd")
	var st fanout.Stats
	results, err := fanout.Map(t.Context(), []int{0, 1, 2, 3, 4}, func(_ context.Context, x int) (int, error) {
		if x%2 == 1 {
			return 0, fmt.Errorf("input %d: %w", x, errOdd)
		}
		return x, nil
	}, fanout.StatsTo(&st))
	require.ErrorIs(t, err, errOdd)
	assert.Contains(t, err.Error(), "input 1")
	assert.Contains(t, err.Error(), "input 3")
	for i, r := range results {
		want := fanout.Succeeded
		if i%2 == 1 {
			want = fanout.Failed
		}
		assert.Equal(t, want, r.Status, "input %d", i)
	}
	assert.Equal(t, fanout.Stats{Inputs: 5, Succeeded: 3, Failed: 2, Attempts: 5}, st)
}

func TestMapFailFastReturnsTheFirstErrorAndStartsNothingAfterIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		var started atomic.Int64
		var failedAt time.Time
		var log startLog
		var st fanout.Stats
		// Inputs take 10 ms each, 4 at a time: 0-3 succeed at 10 ms; 4-7
		// start then and input 5 fails at 15 ms, which cancels 4, 6 and 7.
		results, err := fanout.Map(t.Context(), make([]int, 40), func(ctx context.Context, _ int) (int, error) {
			i := started.Add(1) - 1
			log.add()
			if i == 5 {
				time.Sleep(5 * time.Millisecond)
				failedAt = time.Now()
				return 0, boom
			}
			select {
			case <-time.After(10 * time.Millisecond):
				return 1, nil
			case <-ctx.Done():
				assert.ErrorIs(t, context.Cause(ctx), boom, "the calls in flight see the failure as the cause")
				return 0, ctx.Err()
			}
		}, fanout.Workers(4), fanout.FailFast(), fanout.StatsTo(&st))
		require.ErrorIs(t, err, boom)
		require.Equal(t, boom, err, "fail fast returns the cause itself")
		for _, s := range log.times() {
			assert.False(t, s.After(failedAt), "a call started at %v, after the failure at %v", s, failedAt)
		}
		assert.Equal(t, 40, st.Inputs)
		assert.Equal(t, fanout.Stats{Inputs: 40, Succeeded: 4, Failed: 1, Canceled: 3, NotStarted: 32, Attempts: 8}, st)
		assert.Equal(t, st.Inputs, st.Succeeded+st.Failed+st.Canceled+st.NotStarted, "statuses add up: %+v", st)
		var canceled int
		for _, r := range results {
			switch r.Status {
			case fanout.NotStarted:
				assert.ErrorIs(t, r.Err, fanout.ErrNotStarted)
				assert.ErrorIs(t, r.Err, boom, "a not-started input carries the cause")
				assert.Zero(t, r.Attempts)
			case fanout.Canceled:
				canceled++
			}
		}
		assert.Equal(t, st.Canceled, canceled)
	})
}

func TestMapOnACanceledContextStartsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var calls atomic.Int64
	results, err := fanout.Map(ctx, make([]int, 10), func(context.Context, int) (int, error) {
		calls.Add(1)
		return 0, nil
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, calls.Load())
	for i, r := range results {
		assert.Equal(t, fanout.NotStarted, r.Status, "input %d", i)
		assert.ErrorIs(t, r.Err, fanout.ErrNotStarted, "input %d", i)
		assert.ErrorIs(t, r.Err, context.Canceled, "input %d", i)
	}
}

func TestMapRetriesWithJitteredBackoffUntilSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		var st fanout.Stats
		start := time.Now()
		results, err := fanout.Map(t.Context(), []string{"a"}, func(context.Context, string) (string, error) {
			if calls.Add(1) < 4 {
				return "", errors.New("flaky")
			}
			return "ok", nil
		}, fanout.Attempts(5), fanout.Backoff(10*time.Millisecond, 15*time.Millisecond), fanout.StatsTo(&st))
		require.NoError(t, err)
		assert.Equal(t, "ok", results[0].Value)
		assert.Equal(t, 4, results[0].Attempts)
		// Waits are at most 10, 15 (20 capped) and 15 ms.
		assert.LessOrEqual(t, time.Since(start), 40*time.Millisecond)
		assert.Equal(t, time.Since(start), results[0].Duration)
		assert.Equal(t, st.Backoff, results[0].Duration, "no time but backoff passed")
		assert.Equal(t, 3, st.Retries)
		assert.Equal(t, 4, st.Attempts)
	})
}

func TestMapGivesUpAfterTheLastAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		results, err := fanout.Map(t.Context(), []int{1}, func(context.Context, int) (int, error) {
			return 0, errors.New("down")
		}, fanout.Attempts(3))
		require.EqualError(t, err, "down")
		assert.Equal(t, fanout.Failed, results[0].Status)
		assert.Equal(t, 3, results[0].Attempts)
	})
}

func TestMapDoesNotRetryContextErrorsOrWhatRetryIfRejects(t *testing.T) {
	permanent := errors.New("permanent")
	for _, tc := range []struct {
		name string
		err  error
		opts []fanout.Option
	}{
		{"canceled", context.Canceled, nil},
		{"deadline", fmt.Errorf("wrapped: %w", context.DeadlineExceeded), nil},
		{"RetryIf says no", permanent, []fanout.Option{fanout.RetryIf(func(err error) bool { return !errors.Is(err, permanent) })}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			results, _ := fanout.Map(t.Context(), []int{1}, func(context.Context, int) (int, error) {
				calls.Add(1)
				return 0, tc.err
			}, append(tc.opts, fanout.Attempts(3))...)
			assert.Equal(t, int64(1), calls.Load(), "calls for error %v", tc.err)
			assert.Equal(t, fanout.Failed, results[0].Status)
		})
	}
}

func TestMapTimeoutBoundsEachAttemptAndTimeoutsAreRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		start := time.Now()
		results, err := fanout.Map(t.Context(), []int{1}, func(ctx context.Context, _ int) (int, error) {
			if calls.Add(1) == 1 {
				<-ctx.Done() // the first attempt hangs
				return 0, ctx.Err()
			}
			return 7, nil
		}, fanout.Timeout(50*time.Millisecond), fanout.Attempts(2), fanout.Backoff(time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		assert.Equal(t, 7, results[0].Value)
		assert.Equal(t, 2, results[0].Attempts)
		assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
		assert.LessOrEqual(t, time.Since(start), 51*time.Millisecond)
	})
}

func TestMapTimeoutErrorWrapsErrCallTimeoutAndTheCallsError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		results, err := fanout.Map(t.Context(), []int{1}, func(ctx context.Context, _ int) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		}, fanout.Timeout(time.Second))
		require.ErrorIs(t, err, fanout.ErrCallTimeout)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, fanout.Failed, results[0].Status, "a timed-out call failed; the fan-out was not canceled")
	})
}

func TestMapRetryAfterHintDelaysTheRetryAndHoldsEveryInput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log startLog
		var once atomic.Bool
		var st fanout.Stats
		start := time.Now()
		// Input 0 is told at 0 to come back in 1 s; the others start later
		// (C=1), so they must all wait for the hint too.
		results, err := fanout.Map(t.Context(), []int{0, 1, 2}, func(_ context.Context, x int) (int, error) {
			log.add()
			if x == 0 && once.CompareAndSwap(false, true) {
				return 0, fanout.RetryAfter(errors.New("429"), time.Second)
			}
			return x, nil
		}, fanout.Workers(1), fanout.Attempts(2), fanout.StatsTo(&st))
		require.NoError(t, err)
		assert.Equal(t, 2, results[0].Attempts)
		starts := log.times()
		require.Len(t, starts, 4)
		assert.Equal(t, start, starts[0])
		for _, s := range starts[1:] {
			assert.Equal(t, start.Add(time.Second), s, "every later call waits for the hint")
		}
		assert.Equal(t, time.Second, st.Paced)
		assert.Zero(t, st.Backoff)
	})
}

func TestMapRetryAfterPushesBackTheRealLimiterForTheRestOfTheService(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The fan-out's only call gets a 100 ms hint at 0. The service,
		// sharing the limiter (1000/s), asks for a token at 1 ms: without
		// the push-back it would get it at once; with it, at 100 ms, and
		// the fan-out's retry, booked after it, at 101 ms.
		lim := ratelimit.New(1000, 1)
		start := time.Now()
		var serviceGotToken time.Duration
		var wg sync.WaitGroup
		wg.Go(func() {
			time.Sleep(time.Millisecond)
			assert.NoError(t, lim.Wait(t.Context()))
			serviceGotToken = time.Since(start)
		})
		var attempts []time.Duration
		results, err := fanout.Map(t.Context(), []int{0}, func(context.Context, int) (int, error) {
			attempts = append(attempts, time.Since(start))
			if len(attempts) == 1 {
				return 0, fanout.RetryAfter(errors.New("429"), 100*time.Millisecond)
			}
			return 0, nil
		}, fanout.Pace(lim), fanout.Attempts(2))
		wg.Wait()
		require.NoError(t, err)
		assert.Equal(t, 100*time.Millisecond, serviceGotToken, "the service waits for the hint too")
		assert.Equal(t, []time.Duration{0, 101 * time.Millisecond}, attempts, "the retry takes the next token after the service's")
		assert.Equal(t, 2, results[0].Attempts)
	})
}

func TestMapPacesOneThousandCallsAt200PerSecondInFiveSeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var f inFlight
		var log startLog
		lim := watch(ratelimit.New(200, 1))
		start := time.Now()
		_, err := fanout.Map(t.Context(), make([]int, 1000), func(context.Context, int) (int, error) {
			f.enter()
			defer f.leave()
			log.add()
			time.Sleep(200 * time.Millisecond) // 40 in flight at 200/s
			return 0, nil
		}, fanout.Workers(50), fanout.Pace(lim))
		require.NoError(t, err)
		starts := log.times()
		require.Len(t, starts, 1000)
		slices.SortFunc(starts, time.Time.Compare)
		for i, s := range starts {
			require.Equal(t, start.Add(time.Duration(i)*5*time.Millisecond), s, "start of call %d: one every 5 ms", i)
		}
		// The last call starts at 999 × 5 ms and takes 200 ms.
		assert.Equal(t, 4995*time.Millisecond+200*time.Millisecond, time.Since(start))
		assert.LessOrEqual(t, f.peak(), 50, "never more than C in flight")
		assert.LessOrEqual(t, lim.maxWaiting.Load(), int64(50), "only slot holders wait for the rate")
		assert.Equal(t, 200, maxInWindow(starts, time.Second), "starts in any 1 s window")
	})
}

func TestMapHoldsTheWindowGuaranteeBurstPlusRateTimesWindow(t *testing.T) {
	for _, tc := range []struct {
		perSecond float64
		burst     int
		window    time.Duration
	}{
		{100, 1, time.Second},
		{100, 20, time.Second},
		{100, 100, time.Second},
		{50, 10, 100 * time.Millisecond},
	} {
		t.Run(fmt.Sprintf("R=%v/s,burst=%d,W=%v", tc.perSecond, tc.burst, tc.window), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var log startLog
				_, err := fanout.Map(t.Context(), make([]int, 300), func(context.Context, int) (int, error) {
					log.add()
					time.Sleep(50 * time.Millisecond)
					return 0, nil
				}, fanout.Workers(10), fanout.Pace(ratelimit.New(ratelimit.Limit(tc.perSecond), tc.burst)))
				require.NoError(t, err)
				bound := tc.burst + int(tc.perSecond*tc.window.Seconds())
				got := maxInWindow(log.times(), tc.window)
				assert.LessOrEqual(t, got, bound, "max starts in a window %v, want <= burst + R×W", tc.window)
			})
		})
	}
}

func TestMapPacePerKeyPacesEachKeyOnItsOwn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		type msg struct{ host string }
		logs := map[string]*startLog{"a": {}, "b": {}}
		var inputs []msg
		for i := range 20 {
			inputs = append(inputs, msg{host: []string{"a", "b"}[i%2]})
		}
		start := time.Now()
		_, err := fanout.Map(t.Context(), inputs, func(_ context.Context, m msg) (int, error) {
			logs[m.host].add()
			return 0, nil
		}, fanout.Workers(4), fanout.PacePerKey(ratelimit.NewKeyed[string](10, 1), func(m msg) string { return m.host }))
		require.NoError(t, err)
		for host, log := range logs {
			starts := log.times()
			require.Len(t, starts, 10, "host %s", host)
			// 10 per host at 10/s: the last starts at 900 ms.
			assert.Equal(t, start.Add(900*time.Millisecond), starts[9], "host %s", host)
		}
	})
}

func TestMapFirstSuccessHedgesASlowReplicaWithAFastOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		latency := map[string]time.Duration{"slow": time.Second, "fast": 10 * time.Millisecond, "spare": 0}
		var log startLog
		start := time.Now()
		results, err := fanout.Map(t.Context(), []string{"slow", "fast", "spare"}, func(ctx context.Context, replica string) (string, error) {
			log.add()
			select {
			case <-time.After(latency[replica]):
				return replica, nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}, fanout.FirstSuccess(50*time.Millisecond))
		require.NoError(t, err)
		assert.Equal(t, fanout.Canceled, results[0].Status, "the slow replica loses and is canceled")
		assert.Equal(t, fanout.Succeeded, results[1].Status)
		assert.Equal(t, "fast", results[1].Value)
		assert.Equal(t, fanout.NotStarted, results[2].Status, "no third call: the fast one answered within the hedge")
		assert.Equal(t, []time.Time{start, start.Add(50 * time.Millisecond)}, log.times())
		assert.Equal(t, 60*time.Millisecond, time.Since(start))
	})
}

func TestMapFirstSuccessStartsTheNextAtOnceWhenOneFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log startLog
		start := time.Now()
		results, err := fanout.Map(t.Context(), []string{"down", "up"}, func(_ context.Context, replica string) (string, error) {
			log.add()
			time.Sleep(5 * time.Millisecond)
			if replica == "down" {
				return "", errors.New("down")
			}
			return replica, nil
		}, fanout.FirstSuccess(time.Second))
		require.NoError(t, err)
		assert.Equal(t, "up", results[1].Value)
		assert.Equal(t, []time.Time{start, start.Add(5 * time.Millisecond)}, log.times())
	})
}

func TestMapFirstSuccessWithNoSuccessReturnsErrNoQuorumAndEveryFailure(t *testing.T) {
	_, err := fanout.Map(t.Context(), []int{1, 2, 3}, func(_ context.Context, x int) (int, error) {
		return 0, errors.New("replica " + strconv.Itoa(x) + " down")
	}, fanout.FirstSuccess(0))
	require.ErrorIs(t, err, fanout.ErrNoQuorum)
	for _, want := range []string{"replica 1 down", "replica 2 down", "replica 3 down"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestMapQuorumReturnsOnceKSucceedAndCancelsTheRest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		latency := []time.Duration{10 * time.Millisecond, time.Second, 20 * time.Millisecond, time.Second}
		start := time.Now()
		results, err := fanout.Map(t.Context(), []int{0, 1, 2, 3}, func(ctx context.Context, i int) (int, error) {
			select {
			case <-time.After(latency[i]):
				return i, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}, fanout.Quorum(2))
		require.NoError(t, err)
		assert.Equal(t, 20*time.Millisecond, time.Since(start))
		got := []fanout.Status{results[0].Status, results[1].Status, results[2].Status, results[3].Status}
		assert.Equal(t, []fanout.Status{fanout.Succeeded, fanout.Canceled, fanout.Succeeded, fanout.Canceled}, got)
	})
}

func TestMapQuorumGivesUpOnceKCanNoLongerSucceed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		latency := []time.Duration{10 * time.Millisecond, time.Second, 20 * time.Millisecond, time.Second}
		start := time.Now()
		_, err := fanout.Map(t.Context(), []int{0, 1, 2, 3}, func(ctx context.Context, i int) (int, error) {
			select {
			case <-time.After(latency[i]):
				if i != 1 && i != 3 {
					return 0, fmt.Errorf("replica %d down", i)
				}
				return i, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}, fanout.Quorum(3))
		require.ErrorIs(t, err, fanout.ErrNoQuorum)
		assert.Contains(t, err.Error(), "replica 0 down")
		assert.Equal(t, 20*time.Millisecond, time.Since(start), "the second failure of four puts 3 successes out of reach")
	})
}
