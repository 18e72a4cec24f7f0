package redisrate_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

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
			// The default options: like redis_rate, bounded by the client's
			// timeouts only.
			l := redisrate.New(newClient(b, redisAddr), freshKey(b), ratelimit.Limit(rate), burst)
			if !admitted {
				_, _ = l.Allow(ctx)
			}
			b.ReportAllocs()
			defer meterCost(b)()
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
			defer meterCost(b)()
			for b.Loop() {
				res, err := rl.Allow(ctx, key, limit)
				if err != nil || (res.Allowed == 1) != admitted {
					b.Fatalf("Allow = %+v, %v; want admitted %v", res, err, admitted)
				}
			}
		})
	}
}

// BenchmarkRedisAllowPaired is BenchmarkRedisAllow with the two libraries'
// calls interleaved, tandem then redis_rate, so that both see the same
// moment of a shared machine: the loopback round trip on a VM swings by
// ±20% from one second to the next, more than the gap being measured. It
// reports each library's median latency per call and their ratio
// (tandem/redis_rate: below 1 means tandem answers faster). Both run with
// their default options, bounded by the client's timeouts only, and once
// more with tandem's WithTimeout, which pays for a runtime timer per call.
func BenchmarkRedisAllowPaired(b *testing.B) {
	ctx := context.Background()
	for _, bc := range []struct {
		name     string
		admitted bool
		opts     []redisrate.Option
	}{
		{"admitted", true, nil},
		{"denied", false, nil},
		// The cost of a per-call deadline: a runtime timer per call. (The
		// client has ContextTimeoutEnabled, so it reaches the socket.)
		{"admitted-WithTimeout", true, []redisrate.Option{redisrate.Timeout(10 * time.Second)}},
	} {
		admitted := bc.admitted
		rate, burst := 1e6, 1<<30
		limit := redis_rate.Limit{Rate: int(rate), Burst: burst, Period: time.Second}
		if !admitted {
			rate, burst = 1.0/3600, 1
			limit = redis_rate.Limit{Rate: 1, Burst: 1, Period: time.Hour}
		}
		b.Run(bc.name, func(b *testing.B) {
			l := redisrate.New(newClient(b, redisAddr), freshKey(b), ratelimit.Limit(rate), burst, bc.opts...)
			rl := redis_rate.NewLimiter(newClient(b, redisAddr))
			key := freshKey(b)
			if !admitted {
				_, _ = l.Allow(ctx)
				_, _ = rl.Allow(ctx, key, limit)
			}
			var ours, theirs []time.Duration
			tandemFirst := false
			for b.Loop() {
				// Each goes first half the time: the call after a pause
				// may differ from the call right after another.
				tandemFirst = !tandemFirst
				var res redisrate.Result
				var rres *redis_rate.Result
				var err, rerr error
				t0 := time.Now()
				if tandemFirst {
					res, err = l.Allow(ctx)
				} else {
					rres, rerr = rl.Allow(ctx, key, limit)
				}
				t1 := time.Now()
				if tandemFirst {
					rres, rerr = rl.Allow(ctx, key, limit)
				} else {
					res, err = l.Allow(ctx)
				}
				t2 := time.Now()
				if err != nil || rerr != nil || (res.Allowed == 1) != admitted || (rres.Allowed == 1) != admitted {
					b.Fatalf("Allow = %+v, %v and %+v, %v; want admitted %v", res, err, rres, rerr, admitted)
				}
				first, second := t1.Sub(t0), t2.Sub(t1)
				if !tandemFirst {
					first, second = second, first
				}
				ours, theirs = append(ours, first), append(theirs, second)
			}
			o, t := median(ours), median(theirs)
			b.ReportMetric(float64(o.Nanoseconds()), "tandem-ns/call")
			b.ReportMetric(float64(t.Nanoseconds()), "redis_rate-ns/call")
			b.ReportMetric(float64(o)/float64(t), "tandem/redis_rate")
		})
	}
}

// median returns the middle of ds, which it sorts.
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
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
		l := redisrate.New(newClient(b, redisAddr), freshKey(b), limit, 1)
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

// meterCost reports the two parts of a round trip's cost that differ between
// the libraries, next to the wall time: this process's CPU time per call
// (cpu-ns/op: the library and go-redis, user and system) and the server's
// time inside the script per call (server-ns/op, from Redis's own EVALSHA
// accounting). Both libraries send one EVALSHA per call through the same
// client; the rest of the wall time is the loopback round trip, the same
// for both. On a shared machine the wall time varies by ±20% with
// scheduling; these two vary far less. Call the returned func when the
// loop ends (defer meterCost(b)() before it).
func meterCost(b *testing.B) func() {
	c := newClient(b, redisAddr)
	calls0, usec0 := evalshaStats(b, c)
	cpu0 := processCPU()
	return func() {
		cpu := processCPU() - cpu0
		calls, usec := evalshaStats(b, c)
		if b.N > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
		if n := calls - calls0; n > 0 {
			b.ReportMetric(float64(usec-usec0)*1000/float64(n), "server-ns/op")
		}
	}
}

// evalshaStats reads the server's count of EVALSHA calls and their total
// time in microseconds.
func evalshaStats(b *testing.B, c *redis.Client) (calls, usec int64) {
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatalf("INFO commandstats: %v", err)
	}
	for line := range strings.Lines(info) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_evalsha:")
		if !ok {
			continue
		}
		for field := range strings.SplitSeq(rest, ",") {
			name, value, _ := strings.Cut(field, "=")
			switch name {
			case "calls":
				calls, _ = strconv.ParseInt(value, 10, 64)
			case "usec":
				usec, _ = strconv.ParseInt(value, 10, 64)
			}
		}
	}
	return calls, usec
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkClientOverhead is everything one Allow costs this process apart
// from the socket: the library and go-redis building the command and reading
// the reply. A go-redis hook answers each EVALSHA with the reply the
// library's script would give, so no Redis is involved and the figure is
// free of the loopback's scheduling noise. Both run with their default
// options.
func BenchmarkClientOverhead(b *testing.B) {
	ctx := context.Background()
	b.Run("tandem", func(b *testing.B) {
		c := cannedClient(b, []any{int64(1), int64(1000), int64(1795653589), int64(23227000)})
		l := redisrate.New(c, "k", 1e6, 1<<30)
		b.ReportAllocs()
		for b.Loop() {
			if res, err := l.Allow(ctx); err != nil || res.Allowed != 1 {
				b.Fatalf("Allow = %+v, %v", res, err)
			}
		}
	})
	b.Run("redis_rate", func(b *testing.B) {
		c := cannedClient(b, []any{int64(1), int64(1073741823), "-1", "0.000001"})
		rl := redis_rate.NewLimiter(c)
		limit := redis_rate.Limit{Rate: 1e6, Burst: 1 << 30, Period: time.Second}
		b.ReportAllocs()
		for b.Loop() {
			if res, err := rl.Allow(ctx, "k", limit); err != nil || res.Allowed != 1 {
				b.Fatalf("Allow = %+v, %v", res, err)
			}
		}
	})
}

// cannedClient is a go-redis client whose every command gets reply without
// leaving the process.
func cannedClient(b *testing.B, reply []any) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	c.AddHook(cannedReply(reply))
	b.Cleanup(func() { _ = c.Close() })
	return c
}

type cannedReply []any

func (cannedReply) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r cannedReply) ProcessHook(redis.ProcessHook) redis.ProcessHook {
	return func(_ context.Context, cmd redis.Cmder) error {
		cmd.(*redis.Cmd).SetVal([]any(r))
		return nil
	}
}

func (cannedReply) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
