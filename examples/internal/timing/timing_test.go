package timing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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

func TestSpeedupWarnsInsteadOfAFigureThatCannotBe(t *testing.T) {
	for _, c := range []struct {
		seq, par       time.Duration
		workers, cores int
		want           string
		ok             bool
	}{
		{155 * time.Millisecond, 100 * time.Millisecond, 2, 2, "1.55x on 2 cores", true},
		{200 * time.Millisecond, 100 * time.Millisecond, 2, 2, "2.00x on 2 cores", true},
		{508 * time.Millisecond, 100 * time.Millisecond, 2, 2, "no figure: 5.08x on 2 cores cannot be a speedup", false},
		{150 * time.Millisecond, 100 * time.Millisecond, 1, 8, "no figure: 1.50x on 8 cores", false},
		{90 * time.Millisecond, 100 * time.Millisecond, 2, 2, "no figure: 0.90x on 2 cores", false},
		{0, 100 * time.Millisecond, 2, 2, "no speedup measured", false},
	} {
		got, ok := timing.Speedup(c.seq, c.par, c.workers, c.cores)
		assert.Equal(t, c.ok, ok, "%v / %v on %d workers, %d cores", c.seq, c.par, c.workers, c.cores)
		assert.True(t, strings.HasPrefix(got, c.want), "got %q, want it to start with %q", got, c.want)
	}
}
