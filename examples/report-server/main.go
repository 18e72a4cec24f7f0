// Command report-server shows a service that both waits and computes. Its
// GET /orders/{id} endpoint waits on a cache service (1-3 ms); its
// GET /report endpoint computes a risk score over a 200,000-transaction
// ledger, pure CPU. A load generator keeps both busy through four runs:
//
//  1. the I/O endpoint alone: its normal latency;
//  2. reports by a naive loop that starts a goroutine per chunk;
//  3. reports by tandem's parallel: helpers from one process-wide budget;
//  4. the same behind a pool of report slots (GOMAXPROCS/2, at least 1):
//     reports queue for a slot, blocked and using no CPU, and compute
//     with parallel once admitted. This is the bounded offload.
//
// Run it:
//
//	go run ./examples/report-server
//	go run ./examples/report-server -phase 10s -report-clients 8
//	go run ./examples/report-server -cache http://cache.internal:8080
//
// What to look for: the I/O endpoint's p99 latency in each run, next to
// the reports per second and the peak goroutine count. The naive loop puts
// hundreds of runnable goroutines on the scheduler per report, and an I/O
// request whose answer has arrived queues behind all of them for a core:
// its latency goes from milliseconds to seconds. parallel's shared budget
// keeps the goroutines to about one helper per core, which helps, but each
// report's own goroutine still computes, so four concurrent reports on two
// cores still crowd the run queue. Admitting reports through a pool bounds
// the CPU work itself: I/O latency stays close to the idle figure, and the
// reports per second do not drop, because the cores were already full.
//
// With -cache the I/O endpoint calls a real service instead of the loopback
// stand-in; it must answer GET /orders/{id}.
package main

import (
	"context"
	"flag"
	"os"

	"github.com/tandem-go/tandem/examples/internal/cli"
	"github.com/tandem-go/tandem/examples/report-server/scenario"
)

func main() {
	cfg := scenario.DefaultConfig()
	flag.StringVar(&cfg.CacheURL, "cache", "", "base URL of a real cache service (default: a loopback stand-in)")
	flag.IntVar(&cfg.Transactions, "transactions", cfg.Transactions, "ledger size each report reads")
	flag.IntVar(&cfg.IOClients, "io-clients", cfg.IOClients, "virtual clients of the I/O endpoint")
	flag.IntVar(&cfg.ReportClients, "report-clients", cfg.ReportClients, "virtual clients of the report endpoint")
	flag.DurationVar(&cfg.Phase, "phase", cfg.Phase, "length of each run")
	flag.Parse()

	cli.Run("report-server", func(ctx context.Context) error {
		_, err := scenario.Run(ctx, os.Stdout, cfg)
		return err
	})
}
