// Package scenario is the queue-consumer example: messages from a queue
// flow through parse -> enrich (an HTTP call, 8 at once, paced) -> batch
// (100 messages or 50 ms) -> store, as a tandem pipeline. It prints each
// stage's figures and names the bottleneck; stopped mid-stream, it drains
// what it took and acks every stored message, so none is lost or processed
// twice.
package scenario

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/tandem-go/tandem/examples/internal/httpjson"
	"github.com/tandem-go/tandem/examples/internal/standin"
	"github.com/tandem-go/tandem/pipeline"
)

// Lesson is the one line this example teaches.
const Lesson = "waiting -> concurrency, in stages: each stage at its own concurrency, the slowest sets the pace, a stop loses nothing"

// Config is what to run.
type Config struct {
	// EnrichURL is the customer service (GET {EnrichURL}/customers/{id});
	// empty starts a loopback stand-in answering in 5-15 ms.
	EnrichURL string
	// DBURL is the store (POST {DBURL}/rows); empty starts the loopback
	// database stand-in (20-50 ms per write).
	DBURL string
	// Messages is the number of messages on the queue.
	Messages int
	// EnrichWorkers and EnrichRate (calls per second) bound the enrich stage.
	EnrichWorkers, EnrichRate int
	// BatchSize and BatchWait close a batch: whichever comes first.
	BatchSize int
	BatchWait time.Duration
	// StopAfter stops the consumer gracefully after this long, mid-stream;
	// 0 runs until the queue is empty.
	StopAfter time.Duration
	// Grace bounds a graceful stop; past it the stop becomes a hard cancel.
	Grace time.Duration
}

// DefaultConfig is the full run: 5,000 messages, enrichment at 500/s.
func DefaultConfig() Config {
	return Config{Messages: 5000, EnrichWorkers: 8, EnrichRate: 500, BatchSize: 100,
		BatchWait: 50 * time.Millisecond, Grace: 10 * time.Second}
}

// QuickConfig is the short run of the tour's quick mode: 1,000 messages,
// stopped after 1 s, mid-stream.
func QuickConfig() Config {
	cfg := DefaultConfig()
	cfg.Messages, cfg.StopAfter = 1000, time.Second
	return cfg
}

// Result is what the run did.
type Result struct {
	Elapsed time.Duration
	// Queue is the queue's counts after the run (Requeued included).
	Queue QueueStats
	// Requeued is the number of messages in flight when the run ended that
	// went back to the queue (0 after a clean or graceful stop).
	Requeued int
	// Stored and Duplicates are the store's counts: rows written, and rows
	// written twice.
	Stored, Duplicates int
	// Stats are the pipeline's per-stage figures.
	Stats pipeline.Stats
	// Stopped reports whether the run was stopped before the queue was empty.
	Stopped bool
}

// Lost is the number of messages neither acked nor back in the queue.
func (r Result) Lost(published int) int { return published - r.Queue.Acked - r.Queue.Ready }

// Run consumes the queue, prints the figures to w and returns them. When ctx
// is done (Ctrl-C in the program) or StopAfter passes, the consumer stops
// gracefully: it takes no new message and finishes the ones it has.
func Run(ctx context.Context, w io.Writer, cfg Config) (Result, error) {
	if cfg.Messages < 0 || cfg.EnrichWorkers < 1 || cfg.EnrichRate < 1 || cfg.BatchSize < 1 {
		return Result{}, fmt.Errorf("invalid config %+v", cfg)
	}
	c := &consumer{queue: NewQueue(cfg.Messages), enrichURL: cfg.EnrichURL, dbURL: cfg.DBURL}
	if c.enrichURL == "" {
		b := standin.NewBackend("customers", standin.Latency{Min: 5 * time.Millisecond, Max: 15 * time.Millisecond}, 0)
		defer b.Close()
		c.enrichURL = b.URL
	}
	var db *standin.DB
	if c.dbURL == "" {
		db = standin.NewDB()
		defer db.Close()
		c.dbURL = db.URL
	}
	c.client = httpjson.Client(cfg.EnrichWorkers + 2)
	defer c.client.CloseIdleConnections()

	p := c.pipeline(cfg)
	// A stop request (the caller's ctx, or the StopAfter timer) is a
	// graceful stop, never a hard cancel: Run gets a ctx that outlives it.
	stopCtx := ctx
	if cfg.StopAfter > 0 {
		var cancel context.CancelFunc
		stopCtx, cancel = context.WithTimeout(ctx, cfg.StopAfter)
		defer cancel()
	}
	stopping := make(chan struct{})
	unregister := context.AfterFunc(stopCtx, func() {
		defer close(stopping)
		p.Stop(cfg.Grace)
	})
	start := time.Now()
	err := p.Run(context.WithoutCancel(ctx))
	res := Result{Elapsed: time.Since(start), Stats: p.Stats()}
	stopRequested := !unregister()
	if stopRequested {
		<-stopping // the stop began: wait for its goroutine, so none is left behind
	}
	res.Requeued = c.queue.Requeue()
	res.Queue = c.queue.Stats()
	res.Stopped = stopRequested && res.Queue.Ready > 0
	if db != nil {
		res.Stored, res.Duplicates = db.Rows(), db.Duplicates()
	}
	printResult(w, cfg, res, db != nil)
	if err != nil {
		return res, err
	}
	if lost := res.Lost(cfg.Messages); lost != 0 || res.Duplicates != 0 {
		return res, fmt.Errorf("%d messages lost, %d stored twice", lost, res.Duplicates)
	}
	return res, nil
}

func printResult(w io.Writer, cfg Config, res Result, standins bool) {
	how := "the queue was empty"
	if res.Stopped {
		how = fmt.Sprintf("stopped gracefully after %v, mid-stream", cfg.StopAfter)
	}
	fmt.Fprintf(w, "  %d messages: receive -> parse -> enrich (%d workers, %d/s) -> batch (%d or %v) -> store\n",
		cfg.Messages, cfg.EnrichWorkers, cfg.EnrichRate, cfg.BatchSize, cfg.BatchWait)
	fmt.Fprintf(w, "  ran %v, %s\n", res.Elapsed.Round(10*time.Millisecond), how)
	fmt.Fprintf(w, "  %-8s %7s %6s %6s %7s %7s %9s %10s\n", "stage", "workers", "in", "out", "busy", "paced", "wait in", "wait out")
	for _, s := range res.Stats.Stages {
		fmt.Fprintf(w, "  %-8s %7d %6d %6d %6.0f%% %6.0f%% %8.0f%% %9.0f%%\n", s.Name, s.Workers, s.In, s.Out,
			share(s.Busy, s, res), share(s.Paced, s, res), share(s.WaitingInput, s, res), share(s.WaitingOutput, s, res))
	}
	if b, ok := res.Stats.Bottleneck(); ok {
		fmt.Fprintf(w, "  bottleneck: %s (busy or paced %.0f%% of the time; the stages around it wait on it)\n", b.Name, 100*b.Load)
	}
	q := res.Queue
	fmt.Fprintf(w, "  queue: %d received, %d acked, %d back in the queue after the run, %d left for the next consumer\n",
		q.Received, q.Acked, res.Requeued, q.Ready)
	if standins {
		fmt.Fprintf(w, "  store: %d rows, %d written twice; messages lost: %d\n", res.Stored, res.Duplicates, res.Lost(cfg.Messages))
	}
}

// share is d as a percentage of the stage's worker time over the run.
func share(d time.Duration, s pipeline.StageStats, res Result) float64 {
	total := float64(s.Workers) * float64(res.Stats.Elapsed)
	if total <= 0 {
		return 0
	}
	return 100 * float64(d) / total
}
