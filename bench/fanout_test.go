package bench

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
	"golang.org/x/time/rate"

	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/pool"
	"github.com/tandem-go/tandem/ratelimit"
)

// handResult is what the hand-composed fan-out keeps per input: the fields
// of fanout.Result, so both do the same bookkeeping.
type handResult[T any] struct {
	Value    T
	Err      error
	Duration time.Duration
}

// handMap is the composition people write today: errgroup.SetLimit for the
// concurrency, a limiter's Wait inside each task (after the slot, as in
// fanout), results in index slots.
func handMap[In, Out any](ctx context.Context, inputs []In, c int, lim ratelimit.Waiter, call func(context.Context, In) (Out, error)) []handResult[Out] {
	results := make([]handResult[Out], len(inputs))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(c)
	for i, in := range inputs {
		g.Go(func() error {
			start := time.Now()
			if lim != nil {
				if err := lim.WaitN(ctx, 1); err != nil {
					results[i].Err = err
					return nil
				}
			}
			v, err := call(ctx, in)
			results[i] = handResult[Out]{v, err, time.Since(start)}
			return nil
		})
	}
	_ = g.Wait()
	return results
}

func trivialCall(_ context.Context, x int) (int, error) { return x + 1, nil }

// BenchmarkFanoutOverhead: the cost per call of the fan-out itself, with a
// trivial call and no rate limit, 1000 inputs per op, C = 8.
func BenchmarkFanoutOverhead(b *testing.B) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	inputs := make([]int, n)
	const c = 8
	b.Run("tandem", func(b *testing.B) {
		perItem(b, n, func() {
			res, _ := fanout.Map(context.Background(), inputs, trivialCall, fanout.Workers(c))
			sink = res
		})
	})
	b.Run("errgroup", func(b *testing.B) {
		perItem(b, n, func() {
			sink = handMap(context.Background(), inputs, c, nil, trivialCall)
		})
	})
	// Stream over the same inputs: a feeder and channel hand-offs instead
	// of the atomic cursor, results in completion order.
	b.Run("tandem-stream", func(b *testing.B) {
		perItem(b, n, func() {
			sum := 0
			for _, r := range fanout.Stream(context.Background(), slices.Values(inputs), trivialCall, fanout.Workers(c)) {
				sum += r.Value
			}
			sink = sum
		})
	})
	// The same with an x/time/rate limiter at rate.Inf, which never waits:
	// the cost of asking a limiter on every call.
	b.Run("tandem-rateInf", func(b *testing.B) {
		lim := rate.NewLimiter(rate.Inf, 1)
		perItem(b, n, func() {
			res, _ := fanout.Map(context.Background(), inputs, trivialCall, fanout.Workers(c), fanout.Pace(lim))
			sink = res
		})
	})
	b.Run("errgroup-rateInf", func(b *testing.B) {
		lim := rate.NewLimiter(rate.Inf, 1)
		perItem(b, n, func() {
			sink = handMap(context.Background(), inputs, c, lim, trivialCall)
		})
	})
	// And with tandem's limiter at ratelimit.Inf.
	b.Run("tandem-ratelimitInf", func(b *testing.B) {
		lim := ratelimit.New(ratelimit.Inf, 1)
		perItem(b, n, func() {
			res, _ := fanout.Map(context.Background(), inputs, trivialCall, fanout.Workers(c), fanout.Pace(lim))
			sink = res
		})
	})
}

// BenchmarkFanoutPacing: 1000 calls at 200/s (burst 1) with C = 50, each
// call taking 20 ms: 5 s of real time per op (999 × 5 ms plus the last
// call). Reports seconds per run and the peak calls in flight. tandem and
// errgroup pace with x/time/rate, side by side; tandem-ratelimit is fanout
// with tandem's own limiter. -short shrinks it to 50 calls at 2000/s.
func BenchmarkFanoutPacing(b *testing.B) {
	n, perSecond := 1000, 200.0
	if testing.Short() {
		n, perSecond = 50, 2000
	}
	inputs := make([]int, n)
	const c = 50
	xRate := func() ratelimit.Waiter { return rate.NewLimiter(rate.Limit(perSecond), 1) }
	tandemRate := func() ratelimit.Waiter { return ratelimit.New(ratelimit.Limit(perSecond), 1) }
	run := func(b *testing.B, newLimiter func() ratelimit.Waiter, fan func(lim ratelimit.Waiter, call func(context.Context, int) (int, error))) {
		var now, peak atomic.Int64
		call := func(_ context.Context, x int) (int, error) {
			v := now.Add(1)
			for {
				old := peak.Load()
				if v <= old || peak.CompareAndSwap(old, v) {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
			now.Add(-1)
			return x, nil
		}
		for b.Loop() {
			fan(newLimiter(), call)
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
		b.ReportMetric(float64(peak.Load()), "peak-in-flight")
	}
	fanoutMap := func(lim ratelimit.Waiter, call func(context.Context, int) (int, error)) {
		res, _ := fanout.Map(context.Background(), inputs, call, fanout.Workers(c), fanout.Pace(lim))
		sink = res
	}
	b.Run("tandem", func(b *testing.B) { run(b, xRate, fanoutMap) })
	b.Run("errgroup", func(b *testing.B) {
		run(b, xRate, func(lim ratelimit.Waiter, call func(context.Context, int) (int, error)) {
			sink = handMap(context.Background(), inputs, c, lim, call)
		})
	})
	b.Run("tandem-ratelimit", func(b *testing.B) { run(b, tandemRate, fanoutMap) })
}

// BenchmarkFanoutOnPool: the cost per call of counting every call against
// a shared pool.Pool (fanout.OnPool): a hand-off to a worker of the pool
// and a wake-up when the call returns. 1000 trivial calls per op, 8
// workers; the pool has 8 workers too, so it never makes a call wait.
// own-workers is the fan-out without a pool; 4-fanouts runs four fan-outs
// at once on one pool, calls contending for its workers; hand-semaphore is
// the composition people write for a service-wide limit: errgroup's
// SetLimit per fan-out and one x/sync semaphore for the service.
func BenchmarkFanoutOnPool(b *testing.B) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	inputs := make([]int, n)
	const c = 8
	b.Run("own-workers", func(b *testing.B) {
		perItem(b, n, func() {
			res, _ := fanout.Map(context.Background(), inputs, trivialCall, fanout.Workers(c))
			sink = res
		})
	})
	b.Run("on-pool", func(b *testing.B) {
		p := pool.New(c)
		defer p.Close()
		perItem(b, n, func() {
			res, _ := fanout.Map(context.Background(), inputs, trivialCall, fanout.Workers(c), fanout.OnPool(p))
			sink = res
		})
	})
	b.Run("on-pool-4-fanouts", func(b *testing.B) {
		p := pool.New(c)
		defer p.Close()
		perItem(b, 4*n, func() {
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					_, _ = fanout.Map(context.Background(), inputs, trivialCall, fanout.Workers(c), fanout.OnPool(p))
				})
			}
			wg.Wait()
		})
	})
	b.Run("hand-semaphore-4-fanouts", func(b *testing.B) {
		sem := semaphore.NewWeighted(c)
		limited := func(ctx context.Context, x int) (int, error) {
			if err := sem.Acquire(ctx, 1); err != nil {
				return 0, err
			}
			defer sem.Release(1)
			return trivialCall(ctx, x)
		}
		perItem(b, 4*n, func() {
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() { _ = handMap(context.Background(), inputs, c, nil, limited) })
			}
			wg.Wait()
		})
	})
}
