// Command sequential-vs-concurrent shows the first lesson of tandem: code
// that mostly waits gets faster with concurrency. A request handler needs
// 100 users from a database, 20-50 ms per query. It loads them one after
// another, then in a pool group that keeps at most 20 queries in flight.
//
//	go run ./examples/sequential-vs-concurrent
//	go run ./examples/sequential-vs-concurrent -lookups 500 -limit 50
//	go run ./examples/sequential-vs-concurrent -db http://db.internal:8080
//
// What to look for: the sequential wall time is the sum of the waits (about
// lookups x 35 ms); the group's is about lookups/limit x 50 ms, and the
// database never sees more than -limit queries at once (the peak printed).
// The CPU does almost nothing either way: the waits overlap, nothing
// computes in parallel.
//
// With -db the program queries a real service instead of the loopback
// stand-in; it must answer GET /users/{id} with a JSON object.
package main

import (
	"context"
	"flag"
	"os"

	"github.com/tandem-go/tandem/examples/internal/cli"
	"github.com/tandem-go/tandem/examples/sequential-vs-concurrent/scenario"
)

func main() {
	cfg := scenario.DefaultConfig()
	flag.StringVar(&cfg.DBURL, "db", "", "base URL of a real database service (default: a loopback stand-in)")
	flag.IntVar(&cfg.Lookups, "lookups", cfg.Lookups, "number of users to load")
	flag.IntVar(&cfg.Limit, "limit", cfg.Limit, "most queries in flight at once")
	flag.Parse()

	cli.Run("sequential-vs-concurrent", func(ctx context.Context) error {
		_, err := scenario.Run(ctx, os.Stdout, cfg)
		return err
	})
}
