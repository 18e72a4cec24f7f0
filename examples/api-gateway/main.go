// Command api-gateway shows an HTTP API whose handler needs three backends
// per request: profile, orders and recommendations. It measures two
// versions of the handler under the same load:
//
//   - sequential: one backend after the other, as first written;
//   - fanout + hedge: the three calls at once with tandem's fanout, a
//     200 ms timeout per attempt, up to 3 attempts for failed calls, and
//     recommendations hedged: if the primary replica has not answered in
//     40 ms, the other replica gets the same request and the first answer
//     wins.
//
// The backends are loopback stand-ins: profile 5-15 ms, orders 10-30 ms
// failing 5% of calls with 503, and two recommendation replicas of 10-25 ms
// that stall for 300 ms on one call in 20.
//
// Run it:
//
//	go run ./examples/api-gateway
//	go run ./examples/api-gateway -clients 64 -duration 10s
//	go run ./examples/api-gateway -profile http://profile:8080 -orders http://orders:8080 \
//	    -recs http://recs-a:8080 -recs-replica http://recs-b:8080
//
// What to look for: the p50 falls from the sum of three latencies to the
// largest of them; the p99 falls from the replica's 300 ms stall to about
// the hedge delay plus one normal call; the sequential version returns the
// orders service's 5% failures as errors, while the retries make them
// vanish; and throughput rises with the lower latency, for the same number
// of users.
package main

import (
	"context"
	"flag"
	"os"

	"github.com/tandem-go/tandem/examples/api-gateway/scenario"
	"github.com/tandem-go/tandem/examples/internal/cli"
)

func main() {
	cfg := scenario.DefaultConfig()
	flag.StringVar(&cfg.Backends.Profile, "profile", "", "base URL of a real profile service (default: loopback stand-ins for all four)")
	flag.StringVar(&cfg.Backends.Orders, "orders", "", "base URL of a real orders service")
	flag.StringVar(&cfg.Backends.Recs, "recs", "", "base URL of the primary recommendations replica")
	flag.StringVar(&cfg.Backends.RecsReplica, "recs-replica", "", "base URL of the other recommendations replica")
	flag.IntVar(&cfg.Clients, "clients", cfg.Clients, "virtual users, each with one request in flight")
	flag.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long each version is measured")
	flag.Parse()

	cli.Run("api-gateway", func(ctx context.Context) error {
		_, err := scenario.Run(ctx, os.Stdout, cfg)
		return err
	})
}
