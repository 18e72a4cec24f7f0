package redisrate_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// The benchmarks compare this package with github.com/go-redis/redis_rate/v10
// on the same Redis (TANDEM_REDIS_ADDR or the one TestMain starts), through
// the same go-redis client settings. Run them with
//
//	go test -run '^$' -bench . -count 6 ./ratelimit/redisrate/ | benchstat -

// BenchmarkRedisAllow is one decision, one round trip: admitted (a limit
// that never runs out) and denied (an empty bucket).
func BenchmarkRedisAllow(b *testing.B) {
	ctx := context.Background()
	for _, admitted := range []bool{true, false} {
		// Admitted: 1e6/s with a burst no benchmark exhausts; every call
		// writes the new TAT. Denied: an empty bucket, every call reads only.
		name := "admitted"
		rate, burst := 1e6, 1<<30
		if !admitted {
			name = "denied"
			rate, burst = 1.0/3600, 1
		}
		b.Run(name+"/tandem", func(b *testing.B) {
			// The default options but a timeout long enough that a stalled
			// machine fails no call: redis_rate has no timeout to hit.
			l := redisrate.New(newClient(b, redisAddr), freshKey(b), ratelimit.Limit(rate), burst,
				redisrate.WithTimeout(10*time.Second))
			if !admitted {
				_, _ = l.Allow(ctx)
			}
			b.ReportAllocs()
			for b.Loop() {
				res, err := l.Allow(ctx)
				if err != nil || (res.Allowed == 1) != admitted {
					b.Fatalf("Allow = %+v, %v; want admitted %v", res, err, admitted)
				}
			}
		})
		b.Run(name+"/redis_rate", func(b *testing.B) {
			rl := redis_rate.NewLimiter(newClient(b, redisAddr))
			key := freshKey(b)
			limit := redis_rate.Limit{Rate: int(rate), Burst: burst, Period: time.Second}
			if !admitted {
				limit = redis_rate.Limit{Rate: 1, Burst: 1, Period: time.Hour}
				_, _ = rl.Allow(ctx, key, limit)
			}
			b.ReportAllocs()
			for b.Loop() {
				res, err := rl.Allow(ctx, key, limit)
				if err != nil || (res.Allowed == 1) != admitted {
					b.Fatalf("Allow = %+v, %v; want admitted %v", res, err, admitted)
				}
			}
		})
	}
}

// BenchmarkRedisWaitThroughput paces 8 goroutines at 1000/s with burst 1 for
// 2 s (0.3 s with -short) and reports the events per second achieved:
// tandem's WaitN (one reservation, then a local timer) against redis_rate's
// only way to wait (Allow, sleep RetryAfter, try again).
func BenchmarkRedisWaitThroughput(b *testing.B) {
	const (
		limit      = 1000
		goroutines = 8
	)
	run := 2 * time.Second
	if testing.Short() {
		run = 300 * time.Millisecond
	}
	b.Run("tandem", func(b *testing.B) {
		l := redisrate.New(newClient(b, redisAddr), freshKey(b), limit, 1, redisrate.WithTimeout(10*time.Second))
		throughput(b, run, goroutines, func(ctx context.Context) bool {
			return l.Wait(ctx) == nil
		})
	})
	b.Run("redis_rate", func(b *testing.B) {
		rl := redis_rate.NewLimiter(newClient(b, redisAddr))
		key := freshKey(b)
		rlimit := redis_rate.Limit{Rate: limit, Burst: 1, Period: time.Second}
		throughput(b, run, goroutines, func(ctx context.Context) bool {
			for ctx.Err() == nil {
				res, err := rl.Allow(ctx, key, rlimit)
				if err != nil {
					return false
				}
				if res.Allowed == 1 {
					return true
				}
				t := time.NewTimer(res.RetryAfter)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
				}
			}
			return false
		})
	})
}

// throughput runs wait in a loop on goroutines goroutines for d per
// iteration and reports the events per second, counted only while all ran.
func throughput(b *testing.B, d time.Duration, goroutines int, wait func(context.Context) bool) {
	var total float64
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		var n atomic.Int64
		start := time.Now()
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for wait(ctx) {
					n.Add(1)
				}
			})
		}
		wg.Wait()
		cancel()
		total += float64(n.Load()) / time.Since(start).Seconds()
	}
	b.ReportMetric(total/float64(b.N), "events/s")
	b.ReportMetric(0, "ns/op")
}
