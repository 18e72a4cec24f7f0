package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// The distributed limiter side by side with github.com/go-redis/redis_rate
// on the same Redis, through the same go-redis client settings. They need
// a Redis at TANDEM_REDIS_ADDR (.ci/run starts one) and skip without it,
// except BenchmarkRedisClientOverhead, which answers in-process.

// redisAddr returns TANDEM_REDIS_ADDR, or skips.
func redisAddr(b *testing.B) string {
	addr := os.Getenv("TANDEM_REDIS_ADDR")
	if addr == "" {
		b.Skip("TANDEM_REDIS_ADDR is unset: no Redis to benchmark against")
	}
	return addr
}

// redisClient returns a go-redis client for addr, closed when b ends.
// ContextTimeoutEnabled lets redisrate's Timeout reach the socket.
func redisClient(b *testing.B, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	b.Cleanup(func() { _ = c.Close() })
	return c
}

var redisKeySeq atomic.Int64

// redisKey returns a key no other benchmark or run uses.
func redisKey(b *testing.B) string {
	return fmt.Sprintf("{tandem-bench}:%s:%d:%d", b.Name(), time.Now().UnixNano(), redisKeySeq.Add(1))
}

// redisLimits are the two workloads: admitted (1e6/s with a burst no
// benchmark exhausts; every call writes the new TAT) and denied (an empty
// bucket; every call only reads).
func redisLimits(admitted bool) (ratelimit.Limit, int, redis_rate.Limit) {
	if admitted {
		return 1e6, 1 << 30, redis_rate.Limit{Rate: 1e6, Burst: 1 << 30, Period: time.Second}
	}
	return ratelimit.Every(time.Hour), 1, redis_rate.Limit{Rate: 1, Burst: 1, Period: time.Hour}
}

// BenchmarkRedisAllow is one decision, one round trip, admitted and denied,
// with both libraries' default options (bounded by the client's timeouts
// only).
func BenchmarkRedisAllow(b *testing.B) {
	addr := redisAddr(b)
	ctx := context.Background()
	for _, admitted := range []bool{true, false} {
		name := map[bool]string{true: "admitted", false: "denied"}[admitted]
		limit, burst, rlimit := redisLimits(admitted)
		b.Run(name+"/tandem", func(b *testing.B) {
			l := redisrate.New(redisClient(b, addr), redisKey(b), limit, burst)
			if !admitted {
				_, _ = l.Allow(ctx)
			}
			b.ReportAllocs()
			defer meterRedis(b, addr)()
			for b.Loop() {
				res, err := l.Allow(ctx)
				if err != nil || (res.Allowed == 1) != admitted {
					b.Fatalf("Allow = %+v, %v; want admitted %v", res, err, admitted)
				}
			}
		})
		b.Run(name+"/redis_rate", func(b *testing.B) {
			rl := redis_rate.NewLimiter(redisClient(b, addr))
			key := redisKey(b)
			if !admitted {
				_, _ = rl.Allow(ctx, key, rlimit)
			}
			b.ReportAllocs()
			defer meterRedis(b, addr)()
			for b.Loop() {
				res, err := rl.Allow(ctx, key, rlimit)
				if err != nil || (res.Allowed == 1) != admitted {
					b.Fatalf("Allow = %+v, %v; want admitted %v", res, err, admitted)
				}
			}
		})
	}
}

// BenchmarkRedisAllowPaired is BenchmarkRedisAllow with the two libraries'
// calls interleaved, each first half the time, so that both see the same
// moment of a shared machine: a loopback round trip swings more from one
// second to the next than the gap being measured. It reports each one's
// median latency per call and their ratio (below 1: tandem answers
// faster), with default options, and once more with tandem's Timeout, which
// costs a runtime timer per call.
func BenchmarkRedisAllowPaired(b *testing.B) {
	addr := redisAddr(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name     string
		admitted bool
		opts     []redisrate.Option
	}{
		{"admitted", true, nil},
		{"denied", false, nil},
		{"admitted-Timeout", true, []redisrate.Option{redisrate.Timeout(10 * time.Second)}},
	} {
		limit, burst, rlimit := redisLimits(bc.admitted)
		b.Run(bc.name, func(b *testing.B) {
			l := redisrate.New(redisClient(b, addr), redisKey(b), limit, burst, bc.opts...)
			rl := redis_rate.NewLimiter(redisClient(b, addr))
			key := redisKey(b)
			if !bc.admitted {
				_, _ = l.Allow(ctx)
				_, _ = rl.Allow(ctx, key, rlimit)
			}
			ours := func() bool {
				res, err := l.Allow(ctx)
				return err == nil && (res.Allowed == 1) == bc.admitted
			}
			theirs := func() bool {
				res, err := rl.Allow(ctx, key, rlimit)
				return err == nil && (res.Allowed == 1) == bc.admitted
			}
			var oursNS, theirsNS []float64
			tandemFirst := false
			for b.Loop() {
				tandemFirst = !tandemFirst
				first, second := ours, theirs
				if !tandemFirst {
					first, second = theirs, ours
				}
				t0 := time.Now()
				ok1 := first()
				t1 := time.Now()
				ok2 := second()
				t2 := time.Now()
				if !ok1 || !ok2 {
					b.Fatalf("a decision failed or differed from admitted %v", bc.admitted)
				}
				a, z := float64(t1.Sub(t0)), float64(t2.Sub(t1))
				if !tandemFirst {
					a, z = z, a
				}
				oursNS, theirsNS = append(oursNS, a), append(theirsNS, z)
			}
			o, t := median(oursNS), median(theirsNS)
			b.ReportMetric(o, "tandem-ns/call")
			b.ReportMetric(t, "redis_rate-ns/call")
			b.ReportMetric(o/t, "tandem/redis_rate")
		})
	}
}

// BenchmarkRedisWaitThroughput paces 8 goroutines at 1000/s with burst 1 for
// 2s (0.3s with -short) and reports the events per second achieved:
// tandem's WaitN (one reservation, then a local timer) against redis_rate's
// only way to wait (Allow, sleep RetryAfter, try again).
func BenchmarkRedisWaitThroughput(b *testing.B) {
	addr := redisAddr(b)
	const (
		limit      = 1000
		goroutines = 8
	)
	run := 2 * time.Second
	if testing.Short() {
		run = 300 * time.Millisecond
	}
	b.Run("tandem", func(b *testing.B) {
		l := redisrate.New(redisClient(b, addr), redisKey(b), limit, 1)
		redisThroughput(b, run, goroutines, func(ctx context.Context) bool {
			return l.Wait(ctx) == nil
		})
	})
	b.Run("redis_rate", func(b *testing.B) {
		rl := redis_rate.NewLimiter(redisClient(b, addr))
		key := redisKey(b)
		rlimit := redis_rate.Limit{Rate: limit, Burst: 1, Period: time.Second}
		redisThroughput(b, run, goroutines, func(ctx context.Context) bool {
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

// redisThroughput runs wait in a loop on goroutines goroutines for d per
// iteration and reports the events per second, counted while all ran.
func redisThroughput(b *testing.B, d time.Duration, goroutines int, wait func(context.Context) bool) {
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

// BenchmarkRedisClientOverhead is everything one Allow costs this process
// apart from the socket: the library and go-redis building the command and
// reading the reply. A go-redis hook answers each EVALSHA with the reply
// the library's script would give, so no Redis is involved and the figure
// is free of the loopback's noise. Both run with their default options.
func BenchmarkRedisClientOverhead(b *testing.B) {
	ctx := context.Background()
	b.Run("tandem", func(b *testing.B) {
		c := cannedRedis(b, []any{int64(1), int64(1000), int64(1795653589), int64(23227000)})
		l := redisrate.New(c, "k", 1e6, 1<<30)
		b.ReportAllocs()
		for b.Loop() {
			if res, err := l.Allow(ctx); err != nil || res.Allowed != 1 {
				b.Fatalf("Allow = %+v, %v", res, err)
			}
		}
	})
	b.Run("redis_rate", func(b *testing.B) {
		c := cannedRedis(b, []any{int64(1), int64(1073741823), "-1", "0.000001"})
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

// cannedRedis is a go-redis client whose every command gets reply without
// leaving the process.
func cannedRedis(b *testing.B, reply []any) *redis.Client {
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

// meterRedis reports the two parts of a round trip's cost that differ
// between the libraries, next to the wall time: this process's CPU time per
// call (cpu-ns/op: the library and go-redis, user and system) and the
// server's time inside the script per call (server-ns/op, from Redis's own
// EVALSHA accounting). Both libraries send one EVALSHA per call through the
// same client; the rest of the wall time is the loopback round trip, the
// same for both, and far noisier on a shared machine than these two. Call
// the returned func when the loop ends (defer meterRedis(b, addr)()).
func meterRedis(b *testing.B, addr string) func() {
	c := redisClient(b, addr)
	calls0, usec0 := evalshaStats(b, c)
	cpu0 := cpuTime()
	return func() {
		cpu := cpuTime() - cpu0
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
