// Command financial-report shows the second lesson of tandem: code that
// mostly computes gets faster with parallelism, up to the number of cores.
// It builds per-account totals, averages and percentiles over millions of
// synthetic transactions, first with plain loops, then with tandem's
// parallel (Reduce for the totals, For over the accounts for the
// percentiles).
//
//	go run ./examples/financial-report
//	go run ./examples/financial-report -transactions 10000000
//	GOMAXPROCS=1 go run ./examples/financial-report   # no speedup on one core
//
// What to look for: the speedup next to the core count (at best the core
// count, less the sequential grouping pass); the grand total printed
// bit-identical across three parallel runs, one of them on a single
// worker, because Reduce's chunks depend only on the input's length and are
// combined in order (the same bits on any machine of this GOARCH, which
// the line names: Reduce promises no more across architectures, where a
// fold that multiplies may be fused into FMA instructions); and the
// plain loop's total, a hair different, because floating-point addition is
// not associative.
package main

import (
	"context"
	"flag"
	"os"

	"github.com/tandem-go/tandem/examples/financial-report/scenario"
	"github.com/tandem-go/tandem/examples/internal/cli"
)

func main() {
	cfg := scenario.DefaultConfig()
	flag.IntVar(&cfg.Transactions, "transactions", cfg.Transactions, "number of synthetic transactions")
	flag.IntVar(&cfg.Accounts, "accounts", cfg.Accounts, "number of accounts")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the synthetic ledger")
	flag.Parse()

	cli.Run("financial-report", func(ctx context.Context) error {
		_, err := scenario.Run(ctx, os.Stdout, cfg)
		return err
	})
}
