// Package scenario is the financial-report example: per-account totals,
// averages and percentiles over millions of synthetic transactions, built
// by a sequential loop and by tandem's parallel, with the speedup against
// the core count and the grand total checked bit for bit across runs (and
// worker counts) on this GOARCH.
package scenario

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"time"

	"github.com/tandem-go/tandem/examples/internal/chart"
	"github.com/tandem-go/tandem/examples/internal/timing"
)

// Lesson is the one line this example teaches.
const Lesson = "computing -> parallelism: a report over a big slice splits into chunks on every core, with float sums bit-identical run to run"

// Config is what to run.
type Config struct {
	Transactions, Accounts int
	// Seed picks the synthetic ledger.
	Seed uint64
	// Runs is how many times each way is timed; the best time counts.
	Runs int
}

// DefaultConfig is the full run: 4 million transactions over 5,000 accounts.
func DefaultConfig() Config { return Config{Transactions: 4_000_000, Accounts: 5000, Seed: 1, Runs: 3} }

// QuickConfig is the short run of the tour's quick mode.
func QuickConfig() Config { return Config{Transactions: 1_000_000, Accounts: 5000, Seed: 1, Runs: 5} }

// Result is what the run measured and computed.
type Result struct {
	Sequential, Parallel time.Duration
	Workers              int
	// Report is the parallel report; Totals are the grand totals of the
	// parallel runs (on all cores, then one on a single worker), which must
	// be bit-identical.
	Report Report
	Totals []float64
	// SequentialTotal is the plain loop's grand total, which may differ in
	// the last bits: it adds in another order.
	SequentialTotal float64
	// Mismatch describes the first difference between the sequential and
	// the parallel report beyond float rounding, or is empty.
	Mismatch string
}

// Speedup is how many times faster the parallel report was.
func (r Result) Speedup() float64 { return r.Sequential.Seconds() / r.Parallel.Seconds() }

// Identical reports whether every parallel run gave the same grand total,
// bit for bit.
func (r Result) Identical() bool {
	for _, t := range r.Totals {
		if math.Float64bits(t) != math.Float64bits(r.Totals[0]) {
			return false
		}
	}
	return len(r.Totals) > 0
}

// Run builds the report both ways, prints the figures to w and returns them.
func Run(ctx context.Context, w io.Writer, cfg Config) (Result, error) {
	if cfg.Transactions < 1 || cfg.Accounts < 1 {
		return Result{}, fmt.Errorf("need Transactions and Accounts >= 1, got %d and %d", cfg.Transactions, cfg.Accounts)
	}
	start := time.Now()
	txs := Generate(cfg.Transactions, cfg.Accounts, cfg.Seed)
	fmt.Fprintf(w, "  %d transactions over %d accounts (generated in %v)\n",
		cfg.Transactions, cfg.Accounts, time.Since(start).Round(time.Millisecond))

	res := Result{Workers: runtime.GOMAXPROCS(0)}
	var seq Report
	var err error
	res.Sequential, res.Parallel, err = timing.Compare(ctx, cfg.Runs,
		func() error {
			seq = Sequential(txs, cfg.Accounts)
			return nil
		},
		func() error {
			rep, err := Parallel(ctx, txs, cfg.Accounts, 0)
			res.Report = rep
			res.Totals = append(res.Totals, rep.Total)
			return err
		})
	if err != nil {
		return res, err
	}
	res.SequentialTotal = seq.Total
	one, err := Parallel(ctx, txs, cfg.Accounts, 1) // the same chunks on one worker
	if err != nil {
		return res, err
	}
	res.Totals = append(res.Totals, one.Total)
	res.Mismatch = compare(seq, res.Report)

	fmt.Fprintf(w, "  sequential loop:        %v (best of %d)\n", res.Sequential.Round(time.Millisecond), max(1, cfg.Runs))
	speedup, ok := timing.Speedup(res.Sequential, res.Parallel, res.Workers, runtime.NumCPU())
	if ok {
		speedup += fmt.Sprintf(" (the ideal is %d.00x)", min(res.Workers, runtime.NumCPU()))
	}
	fmt.Fprintf(w, "  parallel, %d workers:    %v (best of %d) = %s\n",
		res.Workers, res.Parallel.Round(time.Millisecond), max(1, cfg.Runs), speedup)
	fmt.Fprintf(w, "  grand total %.2f: bit-identical in %d parallel runs (the last on 1 worker) on %s: %v\n",
		res.Totals[0], len(res.Totals), runtime.GOARCH, yesNo(res.Identical()))
	fmt.Fprintf(w, "  the plain loop's total differs by %.3g: it adds in another order, so floats round differently\n",
		seq.Total-res.Totals[0])
	fmt.Fprintf(w, "  top accounts:  account  count      total     mean     p50      p99\n")
	for _, a := range res.Report.Top(3) {
		fmt.Fprintf(w, "                 %7d %6d %10.2f %8.2f %7.2f %8.2f\n", a.Account, a.Count, a.Total, a.Mean, a.P50, a.P99)
	}
	chart.Print(w, "wall time (shorter is better)",
		chart.Bar{Label: "sequential", Value: res.Sequential.Seconds(), Text: res.Sequential.Round(time.Millisecond).String()},
		chart.Bar{Label: "parallel", Value: res.Parallel.Seconds(),
			Text: res.Parallel.Round(time.Millisecond).String() + timing.BarSpeedup(res.Sequential, res.Parallel, res.Workers, runtime.NumCPU())},
	)
	if res.Mismatch != "" {
		return res, errors.New("parallel report differs from the sequential one: " + res.Mismatch)
	}
	if !res.Identical() {
		return res, fmt.Errorf("parallel grand totals differ between runs: %v", res.Totals)
	}
	return res, nil
}

// compare checks that two reports agree: the same accounts, counts and
// percentiles exactly, and totals up to float rounding.
func compare(a, b Report) string {
	if len(a.Accounts) != len(b.Accounts) {
		return fmt.Sprintf("%d accounts, want %d", len(b.Accounts), len(a.Accounts))
	}
	for i, x := range a.Accounts {
		y := b.Accounts[i]
		if x.Account != y.Account || x.Count != y.Count || x.P50 != y.P50 || x.P99 != y.P99 {
			return fmt.Sprintf("account %d: %+v, want %+v", x.Account, y, x)
		}
		if math.Abs(x.Total-y.Total) > 1e-6*max(1, math.Abs(x.Total)) {
			return fmt.Sprintf("account %d total %v, want %v", x.Account, y.Total, x.Total)
		}
	}
	return ""
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}
