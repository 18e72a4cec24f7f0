package load_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/internal/load"
)

func TestRecorderSummaryIsTheNearestRankQuantiles(t *testing.T) {
	var r load.Recorder
	for i := 100; i >= 1; i-- { // out of order on purpose
		r.Add(time.Duration(i) * time.Millisecond)
	}
	got := r.Summary()
	want := load.Summary{Count: 100, P50: 50 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}
	require.Equal(t, want, got, "samples 1..100 ms")
}

func TestRecorderSummaryOfNothingIsZero(t *testing.T) {
	var r load.Recorder
	require.Equal(t, load.Summary{}, r.Summary())
}

func TestRunStopsAfterTheRequestBudgetAndCountsErrors(t *testing.T) {
	var calls atomic.Int64
	boom := errors.New("boom")
	res := load.Run(t.Context(), load.Config{Clients: 4, Requests: 100}, func(ctx context.Context) error {
		if calls.Add(1)%10 == 0 {
			return boom
		}
		return nil
	})
	require.Equal(t, int64(100), calls.Load(), "calls made")
	require.Equal(t, 100, res.Requests, "requests counted")
	require.Equal(t, 10, res.Errors, "errors counted (every 10th call fails)")
	require.ErrorIs(t, res.FirstErr, boom)
}

func TestRunWithADurationStopsWhenItsCtxEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var calls atomic.Int64
	res := load.Run(ctx, load.Config{Clients: 2, Duration: time.Hour}, func(ctx context.Context) error {
		if calls.Add(1) == 2 { // both clients are in a call
			cancel()
		}
		<-ctx.Done() // every call is cut short by the end of the run
		return ctx.Err()
	})
	require.Zero(t, res.Errors, "requests cut short by the end of the run are not failures")
}

func TestRunCountsUnfinishedRequestsOnlyWhenAsked(t *testing.T) {
	for _, count := range []bool{false, true} {
		ctx, cancel := context.WithCancel(t.Context())
		var calls atomic.Int64
		res := load.Run(ctx, load.Config{Clients: 2, Duration: time.Hour, CountUnfinished: count}, func(ctx context.Context) error {
			if calls.Add(1) == 2 { // both clients are in a call
				cancel()
			}
			<-ctx.Done()
			return ctx.Err()
		})
		require.Zero(t, res.Requests, "finished requests (CountUnfinished %v)", count)
		want := 0
		if count {
			want = 2
		}
		require.Equal(t, want, res.Unfinished, "unfinished requests (CountUnfinished %v)", count)
		require.Equal(t, want, res.Latency.Count, "latency samples (CountUnfinished %v)", count)
	}
}
