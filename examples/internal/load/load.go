// Package load is the load generator the examples share: a fixed number of
// virtual clients call a function in a loop for a duration (or a number of
// requests), and the latencies are summarized as throughput, p50 and p99.
package load

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config says how hard and how long to push.
type Config struct {
	// Clients is the number of virtual clients, each with one request in
	// flight at a time.
	Clients int
	// Duration stops the run after this long (0: no time limit).
	Duration time.Duration
	// Requests stops the run after this many requests in all (0: no limit).
	// One of Duration and Requests must be set.
	Requests int
	// CountUnfinished records the requests still in flight when the run
	// ends with the time they had waited so far, a lower bound of their
	// latency, so that an endpoint starved of CPU shows its wait in the
	// percentiles instead of vanishing from them. Default: they are left out.
	CountUnfinished bool
}

// Result is what a run measured.
type Result struct {
	// Requests counts the requests that finished, Errors those of them that
	// failed, and Unfinished those cut short by the end of the run.
	Requests   int
	Errors     int
	Unfinished int
	// FirstErr is the first error a request returned, for the report.
	FirstErr error
	Elapsed  time.Duration
	Latency  Summary
}

// Throughput is requests per second over the run.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

func (r Result) String() string {
	return fmt.Sprintf("%d requests (%d errors) in %v: %.0f req/s, %v",
		r.Requests, r.Errors, r.Elapsed.Round(time.Millisecond), r.Throughput(), r.Latency)
}

// Run calls do from cfg.Clients goroutines until the duration has passed, the
// request budget is spent or ctx is done, and returns when every client has
// stopped. A request that fails because the run's ctx ended is not counted.
func Run(ctx context.Context, cfg Config, do func(ctx context.Context) error) Result {
	if cfg.Clients < 1 || (cfg.Duration <= 0 && cfg.Requests <= 0) {
		panic("load: Config needs Clients >= 1 and a Duration or a Requests budget")
	}
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	var (
		budget     atomic.Int64
		rec        Recorder
		mu         sync.Mutex
		errs       int
		unfinished int
		firstErr   error
		wg         sync.WaitGroup
	)
	budget.Store(int64(cfg.Requests))
	start := time.Now()
	for range cfg.Clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				if cfg.Requests > 0 && budget.Add(-1) < 0 {
					return
				}
				t := time.Now()
				err := do(ctx)
				if err != nil && ctx.Err() != nil { // cut short by the end of the run, not a failure
					if cfg.CountUnfinished {
						rec.Add(time.Since(t))
						mu.Lock()
						unfinished++
						mu.Unlock()
					}
					return
				}
				rec.Add(time.Since(t))
				if err != nil {
					mu.Lock()
					errs++
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	s := rec.Summary()
	return Result{Requests: s.Count - unfinished, Errors: errs, Unfinished: unfinished, FirstErr: firstErr,
		Elapsed: time.Since(start), Latency: s}
}

// Recorder collects latencies from many goroutines. The zero value is ready.
type Recorder struct {
	mu      sync.Mutex
	samples []time.Duration
}

// Add records one latency.
func (r *Recorder) Add(d time.Duration) {
	r.mu.Lock()
	r.samples = append(r.samples, d)
	r.mu.Unlock()
}

// Summary is a latency distribution in brief.
type Summary struct {
	Count         int
	P50, P99, Max time.Duration
}

func (s Summary) String() string {
	return fmt.Sprintf("p50 %v  p99 %v  max %v", Round(s.P50), Round(s.P99), Round(s.Max))
}

// Summary returns the distribution of what was recorded so far.
func (r *Recorder) Summary() Summary {
	r.mu.Lock()
	s := slices.Clone(r.samples)
	r.mu.Unlock()
	if len(s) == 0 {
		return Summary{}
	}
	slices.Sort(s)
	return Summary{Count: len(s), P50: quantile(s, 0.50), P99: quantile(s, 0.99), Max: s[len(s)-1]}
}

// quantile is the nearest-rank quantile of sorted samples.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Round keeps about three significant digits of d, for reading.
func Round(d time.Duration) time.Duration {
	switch {
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}
