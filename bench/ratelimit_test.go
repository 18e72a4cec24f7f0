package bench

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	uber "go.uber.org/ratelimit"
	"golang.org/x/time/rate"

	"github.com/tandem-go/tandem/ratelimit"
)

// x/time/rate's *rate.Limiter is a ratelimit.Waiter, so fanout and pipeline
// accept it as they accept ours.
var _ ratelimit.Waiter = (*rate.Limiter)(nil)
var _ ratelimit.Waiter = (*ratelimit.Limiter)(nil)

// Limits high enough that no call waits or is denied: the cost of the
// bookkeeping alone. 1e9/s is one token per nanosecond, the finest rate
// every implementation represents.
const (
	openLimit = 1e9
	openBurst = 1 << 30
)

// BenchmarkRateAllow: one goroutine, every call admitted. uber has no
// non-blocking call; its Take never sleeps at this rate. "clock" is the
// floor: the monotonic clock read alone (time.Since of a base), which every
// limiter must pay.
func BenchmarkRateAllow(b *testing.B) {
	b.Run("clock", func(b *testing.B) {
		base := time.Now()
		var total time.Duration
		perItem(b, 1, func() { total += time.Since(base) })
		sink = total
	})
	b.Run("tandem", func(b *testing.B) {
		l := ratelimit.New(openLimit, openBurst)
		perItem(b, 1, func() { l.Allow() })
	})
	b.Run("xtime", func(b *testing.B) {
		l := rate.NewLimiter(openLimit, openBurst)
		perItem(b, 1, func() { l.Allow() })
	})
	b.Run("uber", func(b *testing.B) {
		l := uber.New(openLimit)
		perItem(b, 1, func() { l.Take() })
	})
}

// BenchmarkRateAllowDenied: one goroutine, every call denied (the bucket
// is empty and refills once an hour).
func BenchmarkRateAllowDenied(b *testing.B) {
	b.Run("tandem", func(b *testing.B) {
		l := ratelimit.New(ratelimit.Every(time.Hour), 1, ratelimit.InitialTokens(0))
		perItem(b, 1, func() {
			if l.Allow() {
				b.Fatal("admitted")
			}
		})
	})
	b.Run("xtime", func(b *testing.B) {
		l := rate.NewLimiter(rate.Every(time.Hour), 1)
		l.Allow()
		perItem(b, 1, func() {
			if l.Allow() {
				b.Fatal("admitted")
			}
		})
	})
}

// BenchmarkRateAllowN: one goroutine, 4 tokens per call, all admitted.
func BenchmarkRateAllowN(b *testing.B) {
	b.Run("tandem", func(b *testing.B) {
		l := ratelimit.New(openLimit, openBurst)
		perItem(b, 1, func() { l.AllowN(4) })
	})
	b.Run("xtime", func(b *testing.B) {
		l := rate.NewLimiter(openLimit, openBurst)
		perItem(b, 1, func() { l.AllowN(time.Now(), 4) })
	})
}

// BenchmarkRateReserve: one goroutine, a reservation with no delay.
func BenchmarkRateReserve(b *testing.B) {
	b.Run("tandem", func(b *testing.B) {
		l := ratelimit.New(openLimit, openBurst)
		perItem(b, 1, func() { sinkReservation = l.Reserve() })
	})
	b.Run("xtime", func(b *testing.B) {
		l := rate.NewLimiter(openLimit, openBurst)
		perItem(b, 1, func() { sink = l.Reserve() })
	})
}

var sinkReservation ratelimit.Reservation

// BenchmarkRateWait: one goroutine, a Wait that need not sleep, with a
// cancelable context (as real callers have).
func BenchmarkRateWait(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("tandem", func(b *testing.B) {
		l := ratelimit.New(openLimit, openBurst)
		perItem(b, 1, func() { _ = l.Wait(ctx) })
	})
	b.Run("xtime", func(b *testing.B) {
		l := rate.NewLimiter(openLimit, openBurst)
		perItem(b, 1, func() { _ = l.Wait(ctx) })
	})
	b.Run("uber", func(b *testing.B) {
		l := uber.New(openLimit)
		perItem(b, 1, func() { l.Take() })
	})
}

// BenchmarkRateWaitSleeping: every Wait sleeps (burst 1 at 20k/s); the
// figure that matters is allocs/op. ns/op is the runtime timer's
// granularity, not the limiter's.
func BenchmarkRateWaitSleeping(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const limit = 20_000
	b.Run("tandem", func(b *testing.B) {
		l := ratelimit.New(limit, 1)
		perItem(b, 1, func() { _ = l.Wait(ctx) })
	})
	b.Run("xtime", func(b *testing.B) {
		l := rate.NewLimiter(limit, 1)
		perItem(b, 1, func() { _ = l.Wait(ctx) })
	})
	b.Run("uber", func(b *testing.B) {
		l := uber.New(limit, uber.WithoutSlack)
		perItem(b, 1, func() { l.Take() })
	})
}

// BenchmarkRateAllowParallel: 32 goroutines per P hammer Allow on one
// limiter. "open" admits every call (the CAS path); "exact" runs at 1e6/s
// with burst 1000, so most calls are denied, and reports how many events
// were admitted above the bound burst + elapsed·limit (over/bound; must be
// 0 for an exact limiter).
func BenchmarkRateAllowParallel(b *testing.B) {
	type allower func() bool
	impls := []struct {
		name string
		open func() allower
		mk   func(limit float64, burst int) allower
	}{
		{"tandem",
			func() allower { return ratelimit.New(openLimit, openBurst).Allow },
			func(limit float64, burst int) allower { return ratelimit.New(ratelimit.Limit(limit), burst).Allow }},
		{"xtime",
			func() allower { return rate.NewLimiter(openLimit, openBurst).Allow },
			func(limit float64, burst int) allower { return rate.NewLimiter(rate.Limit(limit), burst).Allow }},
	}
	for _, impl := range impls {
		b.Run("open/"+impl.name, func(b *testing.B) {
			allow := impl.open()
			b.ReportAllocs()
			b.SetParallelism(32)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					allow()
				}
			})
		})
		b.Run("exact/"+impl.name, func(b *testing.B) {
			const limit, burst = 1e6, 1000
			start := time.Now()
			allow := impl.mk(limit, burst)
			var admitted atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(32)
			b.RunParallel(func(pb *testing.PB) {
				n := int64(0)
				for pb.Next() {
					if allow() {
						n++
					}
				}
				admitted.Add(n)
			})
			bound := burst + time.Since(start).Seconds()*limit
			b.ReportMetric(max(0, float64(admitted.Load())-bound)/bound, "over/bound")
		})
	}
	b.Run("open/uber", func(b *testing.B) {
		l := uber.New(openLimit)
		b.ReportAllocs()
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Take()
			}
		})
	})
}

// BenchmarkRateKeyedAllow: Allow over 1e5 distinct string keys, round
// robin, every call admitted, every key staying live (1/s with a burst of
// 2^20: each call books a second ahead); B/key is the heap held per live
// key, the key strings excluded. The
// baseline is the usual hand-made keyed limiter: a mutex-guarded map of
// x/time/rate limiters (which never forgets a key).
func BenchmarkRateKeyedAllow(b *testing.B) {
	keys := make([]string, 100_000)
	if testing.Short() {
		keys = keys[:1000]
	}
	for i := range keys {
		keys[i] = "tenant-" + strconv.Itoa(i)
	}
	b.Run("tandem", func(b *testing.B) {
		before := heapInUse()
		k := ratelimit.NewKeyed[string](1, 1<<20)
		for _, key := range keys {
			k.Allow(key)
		}
		perKey := float64(heapInUse()-before) / float64(len(keys))
		i := 0
		perItem(b, 1, func() {
			k.Allow(keys[i])
			if i++; i == len(keys) {
				i = 0
			}
		})
		b.ReportMetric(perKey, "B/key")
		if k.Len() != len(keys) {
			b.Fatalf("Len %d, want %d live keys", k.Len(), len(keys))
		}
	})
	b.Run("xtime-map", func(b *testing.B) {
		before := heapInUse()
		var mu sync.Mutex
		m := map[string]*rate.Limiter{}
		allow := func(key string) bool {
			mu.Lock()
			l, ok := m[key]
			if !ok {
				l = rate.NewLimiter(1, 1<<20)
				m[key] = l
			}
			mu.Unlock()
			return l.Allow()
		}
		for _, key := range keys {
			allow(key)
		}
		perKey := float64(heapInUse()-before) / float64(len(keys))
		i := 0
		perItem(b, 1, func() {
			allow(keys[i])
			if i++; i == len(keys) {
				i = 0
			}
		})
		b.ReportMetric(perKey, "B/key")
	})
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkRatePacing is the real-time pacing check: 8 goroutines wait on
// one limiter at 1000/s, burst 1, for 500ms (100ms with -short). It
// reports the achieved rate (events/s, after the initial burst) and the
// most events seen in any 1ms window (ideal 1; the runtime timer's
// granularity makes it more on a loaded box).
func BenchmarkRatePacing(b *testing.B) {
	run := 500 * time.Millisecond
	if testing.Short() {
		run = 100 * time.Millisecond
	}
	const limit = 1000
	impls := []struct {
		name string
		wait func() func(ctx context.Context) error
	}{
		{"tandem", func() func(context.Context) error { return ratelimit.New(limit, 1).Wait }},
		{"xtime", func() func(context.Context) error { return rate.NewLimiter(limit, 1).Wait }},
		{"uber", func() func(context.Context) error {
			l := uber.New(limit, uber.WithoutSlack)
			return func(ctx context.Context) error {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				l.Take()
				return nil
			}
		}},
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			var rates, clumps []float64
			for b.Loop() {
				r, c := pace(impl.wait(), run)
				rates, clumps = append(rates, r), append(clumps, c)
			}
			b.ReportMetric(median(rates), "events/s")
			b.ReportMetric(median(clumps), "max/1ms")
		})
	}
}

// pace runs 8 waiters for d and returns the achieved rate and the largest
// count in a 1ms window.
func pace(wait func(context.Context) error, d time.Duration) (perSec, maxPerMs float64) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	at := instants(8, func(start time.Time) (mine []time.Duration) {
		for wait(ctx) == nil {
			now := time.Since(start)
			if now > d {
				break
			}
			mine = append(mine, now)
		}
		return mine
	})
	return float64(len(at)-1) / d.Seconds(), float64(mostInWindow(at, time.Millisecond))
}

// instants runs body in g goroutines and merges the instants, measured
// from one common start, that they return.
func instants(g int, body func(start time.Time) []time.Duration) []time.Duration {
	start := time.Now()
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	for range g {
		wg.Go(func() {
			mine := body(start)
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all
}

// mostInWindow returns the most instants of at that fall in any window of
// length w.
func mostInWindow(at []time.Duration, w time.Duration) int {
	slices.Sort(at)
	most, lo := 0, 0
	for hi := range at {
		for at[hi]-at[lo] >= w {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// BenchmarkRateHammer is the prior-art contention check in real time: 1000
// goroutines call Allow in a tight loop on one limiter at 100k/s, burst
// 1000, for 200ms (50ms with -short). It reports the most events admitted
// in any 10ms window over the bound burst + 10ms·limit = 2000
// (max/10ms-bound, at most 1 for an exact limiter; timestamps are taken
// after Allow returns, so descheduling can only blur, not hide, a burst).
func BenchmarkRateHammer(b *testing.B) {
	run := 200 * time.Millisecond
	if testing.Short() {
		run = 50 * time.Millisecond
	}
	const limit, burst = 100_000, 1000
	impls := []struct {
		name string
		mk   func() func() bool
	}{
		{"tandem", func() func() bool { return ratelimit.New(limit, burst).Allow }},
		{"xtime", func() func() bool { return rate.NewLimiter(limit, burst).Allow }},
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			var worst []float64
			for b.Loop() {
				worst = append(worst, hammer(impl.mk(), run)/(burst+limit/100))
			}
			b.ReportMetric(median(worst), "max/10ms-bound")
		})
	}
}

// hammer runs 1000 goroutines calling allow for d and returns the most
// admissions seen in any 10ms window.
func hammer(allow func() bool, d time.Duration) float64 {
	at := instants(1000, func(start time.Time) (mine []time.Duration) {
		for {
			ok := allow()
			now := time.Since(start)
			if now > d {
				return mine
			}
			if ok {
				mine = append(mine, now)
			}
		}
	})
	return float64(mostInWindow(at, 10*time.Millisecond))
}
