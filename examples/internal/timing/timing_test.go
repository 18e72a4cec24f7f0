package timing_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/internal/timing"
)

func TestBestRunsTheWorkTheGivenNumberOfTimes(t *testing.T) {
	for _, runs := range []int{-1, 0, 1, 3} {
		calls := 0
		d, err := timing.Best(t.Context(), runs, func() error { calls++; return nil })
		require.NoError(t, err)
		require.Equal(t, max(1, runs), calls, "calls for runs=%d", runs)
		require.GreaterOrEqual(t, d, 0*d, "duration")
	}
}

func TestBestStopsAtTheFirstErrorAndWhenCanceled(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	_, err := timing.Best(t.Context(), 5, func() error { calls++; return boom })
	require.ErrorIs(t, err, boom)
	require.Equal(t, 1, calls, "calls after an error")

	ctx, cancel := context.WithCancel(t.Context())
	calls = 0
	_, err = timing.Best(ctx, 5, func() error { calls++; cancel(); return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, calls, "calls after cancel")
}

func TestCompareAlternatesTheTwoWays(t *testing.T) {
	var order []string
	_, _, err := timing.Compare(t.Context(), 3,
		func() error { order = append(order, "a"); return nil },
		func() error { order = append(order, "b"); return nil })
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "a", "b", "a", "b"}, order, "runs")

	boom := errors.New("boom")
	order = nil
	_, _, err = timing.Compare(t.Context(), 3,
		func() error { order = append(order, "a"); return nil },
		func() error { order = append(order, "b"); return boom })
	require.ErrorIs(t, err, boom)
	require.Equal(t, []string{"a", "b"}, order, "runs until the first error")
}
