package scenario_test

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/financial-report/scenario"
)

func TestRunAgreesWithTheSequentialReportAndRepeatsItsTotalBitForBit(t *testing.T) {
	cfg := scenario.Config{Transactions: 100_000, Accounts: 300, Seed: 7, Runs: 2}
	var out bytes.Buffer
	res, err := scenario.Run(t.Context(), &out, cfg)
	require.NoError(t, err, "output:\n%s", out.String())
	require.Empty(t, res.Mismatch, "parallel vs sequential report")
	require.True(t, res.Identical(), "grand totals of the parallel runs: %v", res.Totals)
	require.Len(t, res.Totals, 3, "parallel runs: 2 timed, 1 on one worker")
	require.Positive(t, res.Speedup(), "speedup reported")
	var count int
	for _, a := range res.Report.Accounts {
		count += a.Count
	}
	require.Equal(t, cfg.Transactions, count, "transactions accounted for in the per-account counts")
}

func TestParallelTotalIsTheSameWithAnyWorkerCount(t *testing.T) {
	txs := scenario.Generate(50_000, 100, 3)
	want, err := scenario.Parallel(t.Context(), txs, 100, 1)
	require.NoError(t, err)
	for workers := 2; workers <= 8; workers++ {
		got, err := scenario.Parallel(t.Context(), txs, 100, workers)
		require.NoError(t, err)
		require.Equal(t, math.Float64bits(want.Total), math.Float64bits(got.Total),
			"total with %d workers %v, with 1 worker %v", workers, got.Total, want.Total)
	}
}

func TestParallelStopsWhenCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := scenario.Parallel(ctx, scenario.Generate(10_000, 10, 1), 10, 0)
	require.ErrorIs(t, err, context.Canceled)
}
