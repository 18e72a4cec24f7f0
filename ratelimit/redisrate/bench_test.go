package redisrate_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// The package's own benchmarks, on the Redis the tests use. The
// side-by-side ones against github.com/go-redis/redis_rate are in the
// bench module (bench/redisrate_test.go), so that this module does not
// require a peer.

// BenchmarkAllow is one decision, one round trip: admitted (a limit that
// never runs out: every call writes the new TAT), denied (an empty bucket:
// every call only reads), and admitted with Timeout (a runtime timer per
// call).
func BenchmarkAllow(b *testing.B) {
	ctx := context.Background()
	for _, bc := range []struct {
		name  string
		limit ratelimit.Limit
		burst int
		opts  []redisrate.Option
	}{
		{"admitted", 1e6, 1 << 30, nil},
		{"denied", ratelimit.Every(time.Hour), 1, nil},
		{"admitted-Timeout", 1e6, 1 << 30, []redisrate.Option{redisrate.Timeout(10 * time.Second)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l := redisrate.New(newClient(b, redisAddr), freshKey(b), bc.limit, bc.burst, bc.opts...)
			admitted := bc.burst > 1
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
	}
}

// BenchmarkWaitThroughput paces 8 goroutines at 1000/s with burst 1 for 2s
// (0.3s with -short) and reports the events per second achieved, which
// should be the limit: one reservation per event, then a local timer.
func BenchmarkWaitThroughput(b *testing.B) {
	run := 2 * time.Second
	if testing.Short() {
		run = 300 * time.Millisecond
	}
	l := redisrate.New(newClient(b, redisAddr), freshKey(b), 1000, 1)
	var total float64
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), run)
		var n atomic.Int64
		start := time.Now()
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for l.Wait(ctx) == nil {
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

// BenchmarkClientOverhead is what one Allow costs this process apart from
// the socket: the limiter and go-redis building the command and reading the
// reply. A go-redis hook answers each EVALSHA with a reply of the script, so
// no Redis is involved and the figure is free of the loopback's noise.
func BenchmarkClientOverhead(b *testing.B) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	c.AddHook(scriptReply{int64(1), int64(1000), int64(1795653589), int64(23227000)})
	b.Cleanup(func() { _ = c.Close() })
	l := redisrate.New(c, "k", 1e6, 1<<30)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res, err := l.Allow(ctx); err != nil || res.Allowed != 1 {
			b.Fatalf("Allow = %+v, %v", res, err)
		}
	}
}

// scriptReply is a go-redis hook that answers every command with itself.
type scriptReply []any

func (scriptReply) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r scriptReply) ProcessHook(redis.ProcessHook) redis.ProcessHook {
	return func(_ context.Context, cmd redis.Cmder) error {
		cmd.(*redis.Cmd).SetVal([]any(r))
		return nil
	}
}

func (scriptReply) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
