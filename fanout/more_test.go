package fanout_test

import (
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/ratelimit"
)

func TestMapRetryAfterOnOneKeyPushesBackThatKeyOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Two workers: one gets a 429 from host a at 0 and holds its slot
		// for the hint; the other does b at 0 and 100 ms, then a again,
		// which must wait for the hint while b did not.
		perHost := ratelimit.NewKeyed[string](10, 1)
		logs := map[string]*startLog{"a": {}, "b": {}}
		var once atomic.Bool
		start := time.Now()
		_, err := fanout.Map(t.Context(), []string{"a", "b", "b", "a"}, func(_ context.Context, host string) (int, error) {
			logs[host].add()
			if host == "a" && once.CompareAndSwap(false, true) {
				return 0, fanout.RetryAfter(errors.New("429"), time.Second)
			}
			return 0, nil
		}, fanout.Workers(2), fanout.Attempts(2), fanout.PacePerKey(perHost, func(h string) string { return h }))
		require.NoError(t, err)
		ms := func(d int) time.Time { return start.Add(time.Duration(d) * time.Millisecond) }
		assert.Equal(t, []time.Time{ms(0), ms(100)}, logs["b"].times(), "host b is not held by a's hint")
		// Input 3 booked a's first token after the hint (1 s) while input
		// 0 slept through it; its retry gets the next one.
		assert.Equal(t, []time.Time{ms(0), ms(1000), ms(1100)}, logs["a"].times(), "host a waits for its hint")
	})
}

func TestMapCountsTheTimeSpentWaitingForTheRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var st fanout.Stats
		// 4 inputs at 10/s, burst 1, one at a time: waits of 0, 100, 100, 100 ms.
		_, err := fanout.Map(t.Context(), make([]int, 4), double,
			fanout.Workers(1), fanout.Pace(ratelimit.New(10, 1)), fanout.StatsTo(&st))
		require.NoError(t, err)
		assert.Equal(t, 300*time.Millisecond, st.Paced)
	})
}

func TestMapCanceledMidwayAccountsForEveryInputAndReturnsTheCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(t.Context())
		shutdown := errors.New("shutting down")
		time.AfterFunc(25*time.Millisecond, func() { cancel(shutdown) })
		var st fanout.Stats
		results, err := fanout.Map(ctx, make([]int, 10), func(ctx context.Context, _ int) (int, error) {
			select {
			case <-time.After(10 * time.Millisecond):
				return 1, nil
			case <-ctx.Done():
				return 0, context.Cause(ctx)
			}
		}, fanout.Workers(2), fanout.StatsTo(&st))
		require.ErrorIs(t, err, shutdown)
		// 2 every 10 ms: 4 done by 20 ms, 2 canceled at 25 ms, 4 never started.
		assert.Equal(t, fanout.Stats{Inputs: 10, Succeeded: 4, Canceled: 2, NotStarted: 4, Attempts: 6}, st)
		for i, r := range results[4:6] {
			assert.Equal(t, fanout.Canceled, r.Status, "input %d", i+4)
			assert.ErrorIs(t, r.Err, shutdown)
		}
	})
}

func TestMapNeverRetriesOnceTheFanOutStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var calls atomic.Int64
		results, _ := fanout.Map(ctx, []int{1}, func(context.Context, int) (int, error) {
			calls.Add(1)
			cancel()
			return 0, errors.New("transient")
		}, fanout.Attempts(5))
		assert.Equal(t, int64(1), calls.Load())
		assert.Equal(t, fanout.Canceled, results[0].Status)
	})
}

func TestMapHonoursTheRetryAfterHintOverTheBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log startLog
		start := time.Now()
		_, err := fanout.Map(t.Context(), []int{1}, func(context.Context, int) (int, error) {
			log.add()
			if len(log.times()) == 1 {
				return 0, fanout.RetryAfter(errors.New("503"), 3*time.Second)
			}
			return 1, nil
		}, fanout.Attempts(2), fanout.Backoff(time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		assert.Equal(t, []time.Time{start, start.Add(3 * time.Second)}, log.times())
	})
}

func TestRetryAfterWrapsTheErrorForErrorsIsAndAs(t *testing.T) {
	base := errors.New("429 Too Many Requests")
	err := fanout.RetryAfter(base, 2*time.Second)
	assert.ErrorIs(t, err, base)
	assert.Equal(t, "429 Too Many Requests (retry after 2s)", err.Error())
	assert.NoError(t, fanout.RetryAfter(nil, time.Second))
}

func TestRetryableRefusesContextErrorsButNotCallTimeouts(t *testing.T) {
	for err, want := range map[error]bool{
		errors.New("reset"):      true,
		context.Canceled:         false,
		context.DeadlineExceeded: false,
		fanout.ErrCallTimeout:    true,
	} {
		assert.Equal(t, want, fanout.Retryable(err), "Retryable(%v)", err)
	}
}

func TestStatusNamesReadAsWords(t *testing.T) {
	assert.Equal(t, "not started", fanout.NotStarted.String())
	assert.Equal(t, "succeeded", fanout.Succeeded.String())
	assert.Equal(t, "failed", fanout.Failed.String())
	assert.Equal(t, "canceled", fanout.Canceled.String())
	assert.Equal(t, "Status(9)", fanout.Status(9).String())
}

func TestStreamWhoseSequenceRunsGoexitEndsWithoutHanging(t *testing.T) {
	var st fanout.Stats
	n := 0
	inputs := func(yield func(int) bool) {
		if yield(1) {
			runtime.Goexit()
		}
	}
	for range fanout.Stream(t.Context(), inputs, double, fanout.StatsTo(&st)) {
		n++
	}
	assert.Equal(t, 1, n)
	assert.Equal(t, 1, st.Inputs)
}

func TestStreamWithPoliciesMatchesMap(t *testing.T) {
	call := func(_ context.Context, x int) (int, error) {
		if x == 2 {
			return 0, errors.New("two")
		}
		return x, nil
	}
	for name, opt := range map[string]fanout.Option{
		"collect all": fanout.CollectAll(), "quorum 3": fanout.Quorum(3),
	} {
		t.Run(name, func(t *testing.T) {
			mapped, _ := fanout.Map(t.Context(), []int{0, 1, 2, 3, 4}, call, opt, fanout.Workers(1))
			streamed := make([]fanout.Result[int], 5)
			for i, r := range fanout.Stream(t.Context(), slices.Values([]int{0, 1, 2, 3, 4}), call, opt, fanout.Workers(1)) {
				streamed[i] = r
			}
			for i := range mapped {
				assert.Equal(t, mapped[i].Status, streamed[i].Status, "input %d", i)
				assert.Equal(t, mapped[i].Value, streamed[i].Value, "input %d", i)
			}
		})
	}
}

func TestPanicErrorFromMapUnwrapsToAnErrorValue(t *testing.T) {
	bug := errors.New("nil map write")
	p := recoverPanic(t, func() {
		_, _ = fanout.Map(t.Context(), []int{1}, func(context.Context, int) (int, error) { panic(bug) })
	})
	assert.ErrorIs(t, p, bug)
	var _ *tandem.PanicError = p
}

func TestFirstReturnsTheWinnerOrErrNoQuorumWithEveryFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v, err := fanout.First(t.Context(), []time.Duration{time.Second, 10 * time.Millisecond}, func(ctx context.Context, d time.Duration) (time.Duration, error) {
			select {
			case <-time.After(d):
				return d, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}, 0)
		require.NoError(t, err)
		assert.Equal(t, 10*time.Millisecond, v)

		_, err = fanout.First(t.Context(), []string{"a", "b"}, func(_ context.Context, r string) (int, error) {
			return 0, errors.New(r + " down")
		}, time.Millisecond, fanout.FailFast())
		require.ErrorIs(t, err, fanout.ErrNoQuorum, "FailFast among the options is overridden")
		assert.Contains(t, err.Error(), "a down")
		assert.Contains(t, err.Error(), "b down")
	})
}

func TestMapRetryAfterHoldsTheOtherInputsEvenWithoutARetryLeft(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log startLog
		start := time.Now()
		results, _ := fanout.Map(t.Context(), []int{0, 1}, func(_ context.Context, x int) (int, error) {
			log.add()
			if x == 0 {
				return 0, fanout.RetryAfter(errors.New("429"), time.Second)
			}
			return x, nil
		}, fanout.Workers(1)) // one attempt each
		assert.Equal(t, fanout.Failed, results[0].Status)
		assert.Equal(t, []time.Time{start, start.Add(time.Second)}, log.times(), "input 1 waits for input 0's hint")
	})
}

func TestMapRetriesWaitForTheRateLikeFirstAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log startLog
		var failedOnce atomic.Bool
		start := time.Now()
		_, err := fanout.Map(t.Context(), []int{0, 1}, func(_ context.Context, x int) (int, error) {
			log.add()
			if x == 0 && failedOnce.CompareAndSwap(false, true) {
				return 0, errors.New("transient")
			}
			return x, nil
		}, fanout.Workers(1), fanout.Pace(ratelimit.New(10, 1)), fanout.Attempts(2), fanout.Backoff(time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		ms := func(d int) time.Time { return start.Add(time.Duration(d) * time.Millisecond) }
		assert.Equal(t, []time.Time{ms(0), ms(100), ms(200)}, log.times(), "first attempt, its retry on the next token, then input 1")
	})
}

func TestMapTellsTheFanOutsDeadlineFromThePerCallTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		defer cancel()
		results, err := fanout.Map(ctx, []int{1}, func(ctx context.Context, _ int) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		}, fanout.Timeout(time.Second), fanout.Attempts(3))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, fanout.Canceled, results[0].Status, "the whole fan-out ran out of time")
		assert.NotErrorIs(t, results[0].Err, fanout.ErrCallTimeout)
		assert.Equal(t, 1, results[0].Attempts, "no retry once ctx is done")
	})
}

func TestStreamHedgesLikeMap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log startLog
		start := time.Now()
		var winner string
		for _, r := range fanout.Stream(t.Context(), slices.Values([]string{"slow", "fast", "spare"}), func(ctx context.Context, replica string) (string, error) {
			log.add()
			if replica == "slow" {
				<-ctx.Done()
				return "", ctx.Err()
			}
			return replica, nil
		}, fanout.FirstSuccess(30*time.Millisecond)) {
			if r.Status == fanout.Succeeded {
				winner = r.Value
			}
		}
		assert.Equal(t, "fast", winner)
		assert.Equal(t, []time.Time{start, start.Add(30 * time.Millisecond)}, log.times())
	})
}

func TestMapDoesNotStartTheInputsWhoseTokenComesAfterTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 10/s, burst 1, a 350 ms fan-out: tokens at 0, 100, 200 and 300 ms.
		// The limiter refuses the fifth token (400 ms) at once, without
		// booking it, so the other inputs end then, before the deadline,
		// as never started, with the limiter's reason.
		ctx, cancel := context.WithTimeout(t.Context(), 350*time.Millisecond)
		defer cancel()
		start := time.Now()
		var st fanout.Stats
		results, err := fanout.Map(ctx, make([]int, 10), double,
			fanout.Workers(2), fanout.Pace(ratelimit.New(10, 1)), fanout.StatsTo(&st))
		require.ErrorIs(t, err, ratelimit.ErrWouldExceedDeadline)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 300*time.Millisecond, time.Since(start), "Map returns when the last token is refused")
		for i, r := range results {
			if i < 4 {
				assert.Equal(t, fanout.Succeeded, r.Status, "input %d", i)
				continue
			}
			assert.Equal(t, fanout.NotStarted, r.Status, "input %d", i)
			assert.ErrorIs(t, r.Err, fanout.ErrNotStarted, "input %d", i)
			assert.ErrorIs(t, r.Err, ratelimit.ErrWouldExceedDeadline, "input %d", i)
			assert.Zero(t, r.Attempts, "input %d", i)
		}
		assert.True(t, results[4].Err == results[9].Err, "refused inputs share one Err value, so refusing allocates nothing per input")
		assert.Equal(t, fanout.Stats{Inputs: 10, Succeeded: 4, NotStarted: 6, Attempts: 4, Paced: st.Paced}, st)
	})
}

func TestARetryWhoseTokenComesAfterTheDeadlineIsCanceledWithBothErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The first attempt takes the only token and fails at 0; the retry's
		// token comes at 100 ms, after the 50 ms deadline, and is refused.
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		flaky := errors.New("flaky")
		var st fanout.Stats
		results, err := fanout.Map(ctx, []int{1}, func(context.Context, int) (int, error) { return 0, flaky },
			fanout.Pace(ratelimit.New(10, 1)), fanout.Attempts(2), fanout.Backoff(time.Millisecond, time.Millisecond),
			fanout.StatsTo(&st))
		require.ErrorIs(t, err, ratelimit.ErrWouldExceedDeadline)
		r := results[0]
		assert.Equal(t, fanout.Canceled, r.Status)
		assert.Equal(t, 1, r.Attempts)
		assert.ErrorIs(t, r.Err, flaky, "the last attempt's error stays visible")
		assert.ErrorIs(t, r.Err, ratelimit.ErrWouldExceedDeadline, "and so does the reason the retry never started")
		assert.Equal(t, fanout.Stats{Inputs: 1, Canceled: 1, Attempts: 1, Paced: st.Paced, Backoff: st.Backoff}, st)
	})
}

func TestADeadlineRefusalDoesNotStopAFailFastFanOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Per host, 10/s with burst 1 and a 50 ms deadline: host a's second
		// input cannot get a token in time, while host b's input still can.
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		hosts := []string{"a", "a", "b"}
		results, err := fanout.Map(ctx, hosts, func(_ context.Context, h string) (string, error) { return h, nil },
			fanout.Workers(1), fanout.FailFast(), fanout.PacePerKey(ratelimit.NewKeyed[string](10, 1), func(h string) string { return h }))
		require.ErrorIs(t, err, ratelimit.ErrWouldExceedDeadline)
		got := []fanout.Status{results[0].Status, results[1].Status, results[2].Status}
		assert.Equal(t, []fanout.Status{fanout.Succeeded, fanout.NotStarted, fanout.Succeeded}, got, "hosts %v", hosts)
	})
}

func TestAQuorumCountsTheInputsRefusedForTheDeadlineAsLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Quorum(2) of 3 at 10/s, burst 1, a 150 ms deadline: "down" fails
		// at 0, "up" succeeds at 100 ms, and the last token (200 ms) is
		// refused, which leaves the quorum out of reach.
		ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel()
		down := errors.New("down")
		replicas := []string{"down", "up", "up"}
		results, err := fanout.Map(ctx, replicas, func(_ context.Context, r string) (string, error) {
			if r == "down" {
				return "", down
			}
			return r, nil
		}, fanout.Workers(1), fanout.Quorum(2), fanout.Pace(ratelimit.New(10, 1)))
		require.ErrorIs(t, err, fanout.ErrNoQuorum)
		require.ErrorIs(t, err, down, "the failure that lost the quorum")
		require.ErrorIs(t, err, ratelimit.ErrWouldExceedDeadline, "and the refusal")
		got := []fanout.Status{results[0].Status, results[1].Status, results[2].Status}
		assert.Equal(t, []fanout.Status{fanout.Failed, fanout.Succeeded, fanout.NotStarted}, got, "replicas %v", replicas)
	})
}

func TestMapFailsTheInputsAZeroLimitCanNeverAdmit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A zero limit admits the token in the bucket, then refuses at once.
		results, err := fanout.Map(t.Context(), []int{1, 2, 3}, double,
			fanout.Workers(1), fanout.Pace(ratelimit.New(0, 1)))
		require.ErrorIs(t, err, ratelimit.ErrZeroLimit)
		assert.Equal(t, fanout.Succeeded, results[0].Status)
		for _, r := range results[1:] {
			assert.Equal(t, fanout.Failed, r.Status)
			assert.ErrorIs(t, r.Err, ratelimit.ErrZeroLimit)
		}
	})
}

func TestAHedgedFanOutCostsWhatItRunsNotItsWorkersBound(t *testing.T) {
	// The workers a hedged Map starts are min(Workers, inputs), and so
	// must be what it allocates for them: a bound of math.MaxInt is a
	// bound, not a size.
	synctest.Test(t, func(t *testing.T) {
		v, err := fanout.First(t.Context(), []int{1, 2, 3}, double, time.Millisecond, fanout.Workers(math.MaxInt))
		require.NoError(t, err)
		assert.Equal(t, 2, v)
		results, err := fanout.Map(t.Context(), []int{1, 2, 3}, double, fanout.FirstSuccess(time.Millisecond), fanout.Workers(math.MaxInt))
		require.NoError(t, err)
		assert.Equal(t, fanout.Succeeded, results[0].Status)
	})
}
