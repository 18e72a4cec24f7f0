// Package scenario is the report-server example: one HTTP service that both
// waits (an endpoint that calls a cache service) and computes (a risk report
// over a ledger). The same load runs four times: the I/O endpoint alone;
// with reports computed by a naive goroutine-per-chunk loop; with reports
// computed by tandem's parallel, whose helpers come from one budget shared
// by the whole process; and with parallel behind a pool of report slots, so
// that only a few reports compute at once and the rest wait without using
// a core.
package scenario

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"time"

	fin "github.com/tandem-go/tandem/examples/financial-report/scenario"
	"github.com/tandem-go/tandem/examples/internal/chart"
	"github.com/tandem-go/tandem/examples/internal/httpjson"
	"github.com/tandem-go/tandem/examples/internal/load"
	"github.com/tandem-go/tandem/examples/internal/serve"
	"github.com/tandem-go/tandem/examples/internal/standin"
	"github.com/tandem-go/tandem/pool"
)

// Lesson is the one line this example teaches.
const Lesson = "both -> bounded offload: reports share a bounded CPU budget, so the I/O endpoint keeps its latency"

// Config is what to run.
type Config struct {
	// CacheURL is the service the I/O endpoint calls (GET {CacheURL}/orders/{id});
	// empty starts a loopback stand-in answering in 1-3 ms.
	CacheURL string
	// Transactions and Accounts size the ledger each report reads.
	Transactions, Accounts int
	// IOClients and ReportClients are the virtual clients of each endpoint.
	IOClients, ReportClients int
	// Phase is how long each of the four runs lasts.
	Phase time.Duration
}

// DefaultConfig is the full run: four phases of 3 s.
func DefaultConfig() Config {
	return Config{Transactions: 200_000, Accounts: 1000, IOClients: 8, ReportClients: 4, Phase: 3 * time.Second}
}

// QuickConfig is the short run of the tour's quick mode.
func QuickConfig() Config {
	return Config{Transactions: 100_000, Accounts: 1000, IOClients: 8, ReportClients: 4, Phase: time.Second}
}

// Phase is what one run measured.
type Phase struct {
	Name string
	// IO and Reports are the load results of each endpoint (Reports is zero
	// in the I/O-only phase).
	IO, Reports load.Result
	// PeakGoroutines is the most goroutines the process had during the run.
	PeakGoroutines int
}

// Result is the four phases, in the order they ran.
type Result struct{ Phases []Phase }

// Run measures the four phases, prints them to w and returns them.
func Run(ctx context.Context, w io.Writer, cfg Config) (Result, error) {
	if cfg.Transactions < 1 || cfg.Accounts < 1 || cfg.IOClients < 1 || cfg.ReportClients < 1 || cfg.Phase <= 0 {
		return Result{}, fmt.Errorf("invalid config %+v", cfg)
	}
	if cfg.CacheURL == "" {
		cache := standin.NewBackend("cache", standin.Latency{Min: time.Millisecond, Max: 3 * time.Millisecond}, 0)
		defer cache.Close()
		cfg.CacheURL = cache.URL
	}
	ledger := fin.Generate(cfg.Transactions, cfg.Accounts, 1)

	runs := []struct {
		name   string
		report reportFunc
		slots  int
	}{
		{"I/O only", nil, 0},
		{"naive", naiveReport, 0},
		{"parallel", parallelReport, 0},
		{"parallel + slots", parallelReport, max(1, runtime.GOMAXPROCS(0)/2)},
	}
	var res Result
	for _, r := range runs {
		p, err := runPhase(ctx, cfg, ledger, r.name, r.report, r.slots)
		if err != nil {
			return res, fmt.Errorf("%s: %w", r.name, err)
		}
		res.Phases = append(res.Phases, p)
	}
	printResult(w, cfg, res)
	return res, nil
}

// runPhase serves the endpoints and pushes load at them for cfg.Phase.
func runPhase(ctx context.Context, cfg Config, ledger []fin.Transaction, name string, report reportFunc, slots int) (Phase, error) {
	client := httpjson.Client(cfg.IOClients + cfg.ReportClients)
	defer client.CloseIdleConnections()
	s := &Server{ledger: ledger, accounts: cfg.Accounts, cacheURL: cfg.CacheURL, client: client, report: report}
	if slots > 0 {
		s.slots = pool.New(slots)
		defer s.slots.Close()
	}
	srv, err := serve.Loopback(s.Handler())
	if err != nil {
		return Phase{}, err
	}
	defer srv.Close() // the load has stopped by then; nothing is in flight

	p := Phase{Name: name}
	loadCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { p.PeakGoroutines = peakGoroutines(loadCtx) })
	var loads sync.WaitGroup
	loads.Go(func() {
		ioLoad := load.Config{Clients: cfg.IOClients, Duration: cfg.Phase, CountUnfinished: true}
		p.IO = load.Run(loadCtx, ioLoad, func(ctx context.Context) error {
			return httpjson.Get(ctx, client, srv.URL+"/orders/"+strconv.Itoa(rand.IntN(1e6)), nil)
		})
	})
	if report != nil {
		loads.Go(func() {
			p.Reports = load.Run(loadCtx, load.Config{Clients: cfg.ReportClients, Duration: cfg.Phase}, func(ctx context.Context) error {
				var rep RiskReport
				if err := httpjson.Get(ctx, client, srv.URL+"/report", &rep); err != nil {
					return err
				}
				if rep.Transactions != len(ledger) {
					return fmt.Errorf("report over %d transactions, want %d", rep.Transactions, len(ledger))
				}
				return nil
			})
		})
	}
	loads.Wait()
	cancel()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return p, err
	}
	for _, r := range []load.Result{p.IO, p.Reports} {
		if r.Errors > 0 {
			return p, fmt.Errorf("%d of %d requests failed, first: %w", r.Errors, r.Requests, r.FirstErr)
		}
	}
	return p, nil
}

// peakGoroutines samples the goroutine count until ctx is done.
func peakGoroutines(ctx context.Context) int {
	peak := runtime.NumGoroutine()
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return peak
		case <-t.C:
			peak = max(peak, runtime.NumGoroutine())
		}
	}
}

func printResult(w io.Writer, cfg Config, res Result) {
	fmt.Fprintf(w, "  %d I/O clients on GET /orders/{id}; %d report clients on GET /report (%d transactions each)\n",
		cfg.IOClients, cfg.ReportClients, cfg.Transactions)
	var p99, reports []chart.Bar
	for _, p := range res.Phases {
		fmt.Fprintf(w, "  %-17s I/O %6.0f req/s  p50 %-8v p99 %-8v", p.Name, p.IO.Throughput(),
			load.Round(p.IO.Latency.P50), load.Round(p.IO.Latency.P99))
		if p.Reports.Requests > 0 {
			fmt.Fprintf(w, " | reports %5.1f/s  p50 %-7v", p.Reports.Throughput(), p.Reports.Latency.P50.Round(time.Millisecond))
		}
		fmt.Fprintf(w, " | peak %d goroutines\n", p.PeakGoroutines)
		p99 = append(p99, chart.Bar{Label: p.Name, Value: p.IO.Latency.P99.Seconds(), Text: load.Round(p.IO.Latency.P99).String()})
		if p.Reports.Requests > 0 {
			reports = append(reports, chart.Bar{Label: p.Name, Value: p.Reports.Throughput(), Text: fmt.Sprintf("%.1f/s", p.Reports.Throughput())})
		}
	}
	chart.Print(w, "I/O endpoint p99 latency (shorter is better)", p99...)
	chart.Print(w, "reports per second (longer is better)", reports...)
}
