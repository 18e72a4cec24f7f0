package fanout_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/fanout"
)

// count yields 0, 1, 2, ... for ever, or until the consumer stops.
func count(yield func(int) bool) {
	for i := 0; yield(i); i++ {
	}
}

func TestStreamYieldsResultsInCompletionOrderWithTheirIndex(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Input i takes (4-i)×10 ms: they complete in reverse order.
		var order []int
		for i, r := range fanout.Stream(t.Context(), slices.Values([]int{0, 1, 2, 3}), func(_ context.Context, x int) (int, error) {
			time.Sleep(time.Duration(4-x) * 10 * time.Millisecond)
			return x * x, nil
		}, fanout.Workers(4)) {
			require.Equal(t, fanout.Succeeded, r.Status)
			require.Equal(t, i*i, r.Value, "result of input %d", i)
			order = append(order, i)
		}
		assert.Equal(t, []int{3, 2, 1, 0}, order)
	})
}

func TestStreamOverAnUnboundedSequenceStopsWhenTheLoopBreaks(t *testing.T) {
	var calls atomic.Int64
	var st fanout.Stats
	n := 0
	for _, r := range fanout.Stream(t.Context(), count, func(_ context.Context, x int) (int, error) {
		calls.Add(1)
		return x, nil
	}, fanout.Workers(3), fanout.StatsTo(&st)) {
		require.NoError(t, r.Err)
		if n++; n == 100 {
			break
		}
	}
	// Every goroutine has exited here (goleak checks at the end); what ran
	// after the break is bounded by the workers and the output buffer.
	assert.Equal(t, st.Attempts, int(calls.Load()))
	assert.LessOrEqual(t, st.Inputs, 100+3+3+3+1, "inputs read past the break (in flight, in the output and input buffers, held): %+v", st)
	assert.Equal(t, st.Inputs, st.Succeeded+st.Failed+st.Canceled+st.NotStarted, "statuses add up: %+v", st)
}

func TestStreamFailFastStopsReadingTheInputs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		var read atomic.Int64
		inputs := func(yield func(int) bool) {
			for i := 0; ; i++ {
				read.Add(1)
				if !yield(i) {
					return
				}
			}
		}
		var st fanout.Stats
		var firstFailure error
		for i, r := range fanout.Stream(t.Context(), inputs, func(ctx context.Context, x int) (int, error) {
			if x == 10 { // fails halfway through its pair's calls
				time.Sleep(time.Millisecond / 2)
				return 0, boom
			}
			select {
			case <-time.After(time.Millisecond):
				return x, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}, fanout.Workers(2), fanout.FailFast(), fanout.StatsTo(&st)) {
			if r.Status == fanout.Failed && firstFailure == nil {
				firstFailure = r.Err
				assert.Equal(t, 10, i)
			}
		}
		require.Equal(t, boom, firstFailure)
		// Inputs 10 and 11 run together, from 5 ms; 10 fails at 5.5 ms while
		// 12 and 13 wait in the workers' buffer and the feeder holds 14: 12
		// inputs started, 15 were read, and the 3 read ahead never start.
		assert.Equal(t, fanout.Stats{Inputs: 15, Succeeded: 10, Failed: 1, Canceled: 1, NotStarted: 3, Attempts: 12}, st)
		assert.Equal(t, int64(15), read.Load(), "inputs read")
		assert.Equal(t, int(read.Load()), st.Inputs)
		assert.Equal(t, st.Inputs, st.Succeeded+st.Failed+st.Canceled+st.NotStarted, "statuses add up: %+v", st)
	})
}

func TestStreamWhoseConsumerPanicsStillJoinsEveryGoroutine(t *testing.T) {
	var seq iter.Seq2[int, fanout.Result[int]] = fanout.Stream(t.Context(), count, double)
	assert.PanicsWithValue(t, "consumer bug", func() {
		for range seq {
			panic("consumer bug")
		}
	})
	// goleak in TestMain fails the package if a goroutine outlived the loop.
}

func TestStreamOfNothingYieldsNothing(t *testing.T) {
	for range fanout.Stream(t.Context(), slices.Values([]int(nil)), double) {
		t.Fatal("yielded a result for no input")
	}
}
