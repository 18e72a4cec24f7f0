// Package scenario is the api-gateway example: an HTTP API whose handler
// needs three backends per request (profile, orders, recommendations). The
// handler as first written calls them one after another; the tandem version
// calls them at once with fanout, with a timeout per call, retries for the
// flaky orders service, and a hedged call to the recommendations replica
// when the primary is slow. A load generator measures both.
package scenario

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/tandem-go/tandem/examples/internal/chart"
	"github.com/tandem-go/tandem/examples/internal/httpjson"
	"github.com/tandem-go/tandem/examples/internal/load"
	"github.com/tandem-go/tandem/examples/internal/serve"
	"github.com/tandem-go/tandem/pool"
)

// Lesson is the one line this example teaches.
const Lesson = "waiting -> concurrency: call the backends at once, time each call out, retry the flaky one, hedge the slow one"

// Config is what to run.
type Config struct {
	// Backends are real services to call (each serving GET /{anything});
	// zero starts loopback stand-ins.
	Backends Backends
	// Clients is the number of virtual users of the gateway, each with one
	// request in flight.
	Clients int
	// Duration is how long each version is measured.
	Duration time.Duration
}

// DefaultConfig is the full run: 16 users for 5 s per version.
func DefaultConfig() Config { return Config{Clients: 16, Duration: 5 * time.Second} }

// QuickConfig is the short run of the tour's quick mode.
func QuickConfig() Config { return Config{Clients: 16, Duration: 1500 * time.Millisecond} }

// Version is one handler's measurements.
type Version struct {
	Name string
	Load load.Result
	// Degraded is the number of dashboards served without recommendations.
	Degraded int
	// RecsFrom counts the dashboards by the replica whose recommendations
	// they carry.
	RecsFrom map[string]int
}

// Result is both versions, sequential first.
type Result struct{ Versions []Version }

// Run measures both versions of the gateway, prints them to w and returns
// them.
func Run(ctx context.Context, w io.Writer, cfg Config) (Result, error) {
	if cfg.Clients < 1 || cfg.Duration <= 0 {
		return Result{}, fmt.Errorf("need Clients >= 1 and Duration > 0, got %d and %v", cfg.Clients, cfg.Duration)
	}
	if cfg.Backends == (Backends{}) {
		backends, all := standinBackends()
		defer func() {
			for _, b := range all {
				b.Close()
			}
		}()
		cfg.Backends = backends
	}
	client := httpjson.Client(4 * cfg.Clients)
	defer client.CloseIdleConnections()
	// Room for every call of every user, hedges included: the bound holds
	// the backends' load if more users come than the gateway is sized for.
	calls := pool.New(4 * cfg.Clients)
	defer calls.Close()
	g := &Gateway{backends: cfg.Backends, client: client, calls: calls}

	var res Result
	for _, v := range []struct {
		name  string
		build func(context.Context, string) (Dashboard, error)
	}{
		{"sequential", g.buildSequential},
		{"fanout + hedge", g.buildFanout},
	} {
		g.build = v.build
		m, err := measure(ctx, g, cfg)
		if err != nil {
			return res, fmt.Errorf("%s: %w", v.name, err)
		}
		m.Name = v.name
		res.Versions = append(res.Versions, m)
	}
	printResult(w, cfg, res)
	return res, nil
}

// measure serves g on loopback and pushes load at it for cfg.Duration.
func measure(ctx context.Context, g *Gateway, cfg Config) (Version, error) {
	srv, err := serve.Loopback(g.Handler())
	if err != nil {
		return Version{}, err
	}
	defer srv.Close() // the load has stopped by then; nothing is in flight
	client := httpjson.Client(cfg.Clients)
	defer client.CloseIdleConnections()

	v := Version{RecsFrom: make(map[string]int)}
	var mu sync.Mutex // guards v's counts while the load runs
	v.Load = load.Run(ctx, load.Config{Clients: cfg.Clients, Duration: cfg.Duration}, func(ctx context.Context) error {
		var d Dashboard
		if err := httpjson.Get(ctx, client, srv.URL+"/dashboard/"+strconv.Itoa(rand.IntN(1e6)), &d); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if d.Recs == nil {
			v.Degraded++
		} else {
			v.RecsFrom[d.RecsFrom]++
		}
		return nil
	})
	if v.Load.Requests == 0 {
		if err := ctx.Err(); err != nil {
			return v, err
		}
		return v, fmt.Errorf("no request completed")
	}
	return v, nil
}

func printResult(w io.Writer, cfg Config, res Result) {
	fmt.Fprintf(w, "  %d users for %v per version; backends: profile 5-15 ms, orders 10-30 ms (5%% fail),\n", cfg.Clients, cfg.Duration)
	fmt.Fprintf(w, "  recommendations 10-25 ms on two replicas, each stalling 300 ms on 1 call in 20\n")
	var p50, p99, failed []chart.Bar
	for _, v := range res.Versions {
		l := v.Load
		fmt.Fprintf(w, "  %-15s %6.0f req/s  p50 %-8v p99 %-8v errors %d/%d  without recommendations %d\n",
			v.Name, l.Throughput(), load.Round(l.Latency.P50), load.Round(l.Latency.P99), l.Errors, l.Requests, v.Degraded)
		p50 = append(p50, chart.Bar{Label: v.Name, Value: l.Latency.P50.Seconds(), Text: load.Round(l.Latency.P50).String()})
		p99 = append(p99, chart.Bar{Label: v.Name, Value: l.Latency.P99.Seconds(), Text: load.Round(l.Latency.P99).String()})
		share := 100 * float64(l.Errors) / float64(max(1, l.Requests))
		failed = append(failed, chart.Bar{Label: v.Name, Value: share, Text: fmt.Sprintf("%.1f%%", share)})
	}
	chart.Print(w, "p50 latency (shorter is better)", p50...)
	chart.Print(w, "p99 latency (shorter is better)", p99...)
	chart.Print(w, "failed dashboards (shorter is better)", failed...)
}
