package scenario

import (
	"context"

	fin "github.com/tandem-go/tandem/examples/financial-report/scenario"
	"github.com/tandem-go/tandem/parallel"
)

// parallelReport computes the report with parallel.Reduce: the caller
// works on its own report and borrows helpers from the process-wide budget,
// so however many reports run at once, the helpers number about one per
// core, and a client that leaves stops the work between chunks.
func parallelReport(ctx context.Context, txs []fin.Transaction, accounts int) (RiskReport, error) {
	perAccount, err := parallel.Reduce(ctx, txs,
		func() []float64 { return make([]float64, accounts) },
		func(_ context.Context, acc []float64, chunk []fin.Transaction) ([]float64, error) {
			riskChunk(acc, chunk)
			return acc, nil
		},
		func(a, b []float64) []float64 {
			for i, v := range b {
				a[i] += v
			}
			return a
		})
	if err != nil {
		return RiskReport{}, err
	}
	return summarize(len(txs), perAccount), nil
}
