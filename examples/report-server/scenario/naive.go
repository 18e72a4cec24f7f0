package scenario

import (
	"context"
	"sync"

	fin "github.com/tandem-go/tandem/examples/financial-report/scenario"
)

// naiveChunk is the chunk size of the naive report: small enough that a
// report "uses every core", which is how such code is usually tuned on an
// idle laptop.
const naiveChunk = 1000

// naiveReport is how such a report is often first written: a goroutine per
// chunk, each with its own partial sums. One report alone is fast, but
// every concurrent request starts its own hundreds of goroutines, so under
// load the runnable goroutines pile up without bound and the requests that
// only wait on I/O queue behind them for a core.
func naiveReport(ctx context.Context, txs []fin.Transaction, accounts int) (RiskReport, error) {
	chunks := (len(txs) + naiveChunk - 1) / naiveChunk
	partials := make([][]float64, chunks)
	var wg sync.WaitGroup
	for c := range chunks {
		wg.Go(func() {
			acc := make([]float64, accounts)
			riskChunk(acc, txs[c*naiveChunk:min(len(txs), (c+1)*naiveChunk)])
			partials[c] = acc
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return RiskReport{}, err // the client left; the work was done anyway
	}
	total := make([]float64, accounts)
	for _, p := range partials {
		for a, v := range p {
			total[a] += v
		}
	}
	return summarize(len(txs), total), nil
}
