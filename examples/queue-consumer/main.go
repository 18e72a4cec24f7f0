// Command queue-consumer consumes a queue the way a backend worker does:
// each message is parsed, enriched by a call to a customer service (8 calls
// at once, paced at 500/s), batched (100 messages or 50 ms, whichever comes
// first) and written to the database in one round trip per batch, then
// acknowledged. The stages form a tandem pipeline.
//
// Run it:
//
//	go run ./examples/queue-consumer                    # until the queue is empty; Ctrl-C stops it gracefully
//	go run ./examples/queue-consumer -stop-after 2s     # stop mid-stream
//	go run ./examples/queue-consumer -rate 2000 -workers 32
//	go run ./examples/queue-consumer -enrich http://customers:8080 -db http://rows:8080
//
// What to look for: the per-stage table shows where the time goes. Each
// stage's workers are busy, paced by a rate limit, waiting for input (the
// stage before is slower) or waiting to hand over output (the stage after
// is slower); the bottleneck is named. At 500/s, enrich is paced and every
// other stage waits on it; raise -rate and the enrich workers become busy
// instead, and the store, whose 20-50 ms writes cost the same for 1 row
// or 100, takes bigger batches.
//
// Stopping (Ctrl-C, SIGTERM or -stop-after) is graceful: the consumer takes
// no new message, finishes the ones it has, and acks each only once it is
// stored. The last lines count the messages: received = acked, none back in
// the queue, the rest left for the next consumer, none lost or stored twice.
package main

import (
	"context"
	"flag"
	"os"

	"github.com/tandem-go/tandem/examples/internal/cli"
	"github.com/tandem-go/tandem/examples/queue-consumer/scenario"
)

func main() {
	cfg := scenario.DefaultConfig()
	flag.StringVar(&cfg.EnrichURL, "enrich", "", "base URL of a real customer service (default: a loopback stand-in)")
	flag.StringVar(&cfg.DBURL, "db", "", "base URL of a real store (default: a loopback stand-in)")
	flag.IntVar(&cfg.Messages, "messages", cfg.Messages, "messages on the queue")
	flag.IntVar(&cfg.EnrichWorkers, "workers", cfg.EnrichWorkers, "enrich calls in flight at most")
	flag.IntVar(&cfg.EnrichRate, "rate", cfg.EnrichRate, "enrich calls per second at most")
	flag.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "rows per write at most")
	flag.DurationVar(&cfg.BatchWait, "batch-wait", cfg.BatchWait, "longest wait for a batch to fill")
	flag.DurationVar(&cfg.StopAfter, "stop-after", 0, "stop gracefully after this long (0: when the queue is empty)")
	flag.DurationVar(&cfg.Grace, "grace", cfg.Grace, "longest graceful stop before a hard cancel")
	flag.Parse()

	cli.Run("queue-consumer", func(ctx context.Context) error {
		_, err := scenario.Run(ctx, os.Stdout, cfg)
		return err
	})
}
