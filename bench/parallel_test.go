package bench

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	lop "github.com/samber/lo/parallel"
	"github.com/sourcegraph/conc/iter"

	"github.com/tandem-go/tandem/parallel"
)

// bg is the context of every parallel call here: context.Background, whose
// Done is nil, so no chunk checks it.
var bg = context.Background()

// floats returns n values in [0, 1), made once per size and shared by the
// benchmarks (1e7 of them are 80 MB).
var floats = sync.OnceValue(func() map[int][]float64 { return map[int][]float64{} })

var floatsMu sync.Mutex

func floatInput(n int) []float64 {
	floatsMu.Lock()
	defer floatsMu.Unlock()
	m := floats()
	if xs, ok := m[n]; ok {
		return xs
	}
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = r.Float64()
	}
	m[n] = xs
	return xs
}

func bigN() int {
	if testing.Short() {
		return 100_000
	}
	return 10_000_000
}

func sumSquaresFold(acc float64, chunk []float64) float64 {
	for _, v := range chunk {
		acc += v * v
	}
	return acc
}

// sumSquaresChunk is sumSquaresFold as Reduce's fold.
func sumSquaresChunk(_ context.Context, acc float64, chunk []float64) (float64, error) {
	return sumSquaresFold(acc, chunk), nil
}

// sumMapped is what MapReduce with mapf = square did: a call of square per
// element, combined into the chunk's accumulator; Reduce with it measures
// that per-element call against sumSquaresChunk's loop.
func sumMapped(_ context.Context, acc float64, chunk []float64) (float64, error) {
	for _, v := range chunk {
		acc = addFloats(acc, squareCall(v))
	}
	return acc, nil
}

// squareCall is square through a func value the compiler cannot inline,
// as MapReduce called mapf.
var squareCall = square

func addFloats(a, b float64) float64 { return a + b }

func zeroFloat() float64 { return 0 }

func square(v float64) float64 { return v * v }

// staticSumSquares is the hand-written reference: one goroutine per
// GOMAXPROCS, each summing an equal slice, no scheduling at all. On a
// machine that gives no parallel speedup it shows so.
func staticSumSquares(xs []float64) float64 {
	w := runtime.GOMAXPROCS(0)
	parts := make([]float64, w)
	var wg sync.WaitGroup
	for i := range w {
		wg.Go(func() { parts[i] = sumSquaresFold(0, xs[i*len(xs)/w:(i+1)*len(xs)/w]) })
	}
	wg.Wait()
	s := 0.0
	for _, p := range parts {
		s += p
	}
	return s
}

// staticFor is the hand-written static split of [0, n) over GOMAXPROCS
// goroutines, the caller taking the first share: the best case for uniform
// work, the worst for skewed work.
func staticFor(n int, body func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for i := 1; i < w; i++ {
		wg.Go(func() { body(i*n/w, (i+1)*n/w) })
	}
	body(0, n/w)
	wg.Wait()
}

// BenchmarkParallelSumSquares: sum of x*x over 1e7 float64, the sequential
// loop against Reduce (a loop per chunk), Reduce with a call per element in
// its fold (what MapReduce did),
// conc's iter.Map followed by a sequential sum, and a hand-written static
// split over GOMAXPROCS goroutines. Ideal speedup: the core count.
func BenchmarkParallelSumSquares(b *testing.B) {
	xs := floatInput(bigN())
	b.Run("loop", func(b *testing.B) {
		perItem(b, len(xs), func() { sink = sumSquaresFold(0, xs) })
	})
	b.Run("goroutines-static", func(b *testing.B) {
		perItem(b, len(xs), func() { sink = staticSumSquares(xs) })
	})
	b.Run("tandem-Reduce", func(b *testing.B) {
		perItem(b, len(xs), func() { sink, _ = parallel.Reduce(bg, xs, zeroFloat, sumSquaresChunk, addFloats) })
	})
	b.Run("tandem-Reduce-per-element", func(b *testing.B) {
		perItem(b, len(xs), func() { sink, _ = parallel.Reduce(bg, xs, zeroFloat, sumMapped, addFloats) })
	})
	b.Run("conc-iter.Map", func(b *testing.B) {
		perItem(b, len(xs), func() {
			sq := iter.Map(xs, func(v *float64) float64 { return *v * *v })
			s := 0.0
			for _, v := range sq {
				s += v
			}
			sink = s
		})
	})
}

// spin burns about 1.5 ns per step in a dependent multiply-add chain, with
// no memory traffic, so the cost of an item is exactly its step count.
func spin(steps int) float64 {
	x := 1.0
	for range steps {
		x = x*1.0000001 + 1e-9
	}
	return x
}

// spinRange computes items [lo, hi): the loop baseline and the parallel
// body are the same code, so only the scheduling differs.
func spinRange(out []float64, cost []int, lo, hi int) {
	for i := lo; i < hi; i++ {
		out[i] = spin(cost[i])
	}
}

// skewShapes gives the steps of each of n items for every cost shape; each
// shape totals about 20 steps per item on average.
func skewShapes(n int) map[string][]int {
	shape := func(f func(i int) int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = f(i)
		}
		return s
	}
	heavy := 100 // items carrying ~90% of the work in heavyHead/heavyTail
	return map[string][]int{
		"uniform": shape(func(int) int { return 20 }),
		"linear":  shape(func(i int) int { return 40 * i / n }),
		"heavyHead": shape(func(i int) int {
			if i < heavy {
				return 18 * n / heavy
			}
			return 2
		}),
		"heavyTail": shape(func(i int) int {
			if i >= n-heavy {
				return 18 * n / heavy
			}
			return 2
		}),
		"twoHuge": shape(func(i int) int {
			if i == n/3 || i == 2*n/3 {
				return 9 * n
			}
			return 2
		}),
		"onePercent100x": shape(func(i int) int {
			if i%100 == 0 {
				return 1000
			}
			return 10
		}),
	}
}

// BenchmarkParallelSkew: 100,000 items whose cost follows a shape, the
// sequential loop against For and conc's iter.ForEachIdx (one atomic claim
// per item). Ideal speedup: the core count.
func BenchmarkParallelSkew(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 2_000
	}
	shapes := skewShapes(n)
	out := make([]float64, n)
	for _, name := range []string{"uniform", "linear", "heavyHead", "heavyTail", "twoHuge", "onePercent100x"} {
		cost := shapes[name]
		b.Run(name+"/loop", func(b *testing.B) {
			perItem(b, n, func() { spinRange(out, cost, 0, n) })
		})
		b.Run(name+"/goroutines-static", func(b *testing.B) {
			perItem(b, n, func() { staticFor(n, func(lo, hi int) { spinRange(out, cost, lo, hi) }) })
		})
		b.Run(name+"/tandem-For", func(b *testing.B) {
			perItem(b, n, func() {
				_ = parallel.For(bg, n, func(_ context.Context, lo, hi int) error { spinRange(out, cost, lo, hi); return nil })
			})
		})
		b.Run(name+"/conc-iter.ForEachIdx", func(b *testing.B) {
			perItem(b, n, func() {
				iter.ForEachIdx(cost, func(i int, c *int) { out[i] = spin(*c) })
			})
		})
	}
}

// squares sets out[i] = xs[i]*xs[i] for i in [lo, hi). The loop baselines
// and the bodies of For call this same code, so that only what surrounds it
// differs: a loop written inline, with bounds known at compile time, would
// compile to different code than any range-form body, and the comparison
// would measure the compiler, not For.
//
//go:noinline
func squares(out, xs []float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		out[i] = xs[i] * xs[i]
	}
}

// BenchmarkParallelTiny: 100 trivial items (x*x), the cost of a call that
// should not go parallel at all.
func BenchmarkParallelTiny(b *testing.B) {
	xs := floatInput(100)
	out := make([]float64, len(xs))
	b.Run("loop", func(b *testing.B) {
		perItem(b, len(xs), func() { squares(out, xs, 0, len(xs)) })
	})
	b.Run("tandem-For", func(b *testing.B) {
		perItem(b, len(xs), func() {
			_ = parallel.For(bg, len(xs), func(_ context.Context, lo, hi int) error { squares(out, xs, lo, hi); return nil })
		})
	})
	b.Run("tandem-Reduce", func(b *testing.B) {
		perItem(b, len(xs), func() { sink, _ = parallel.Reduce(bg, xs, zeroFloat, sumSquaresChunk, addFloats) })
	})
	b.Run("tandem-Map", func(b *testing.B) {
		perItem(b, len(xs), func() { sink, _ = parallel.Map(bg, xs, square) })
	})
	b.Run("conc-iter.Map", func(b *testing.B) {
		perItem(b, len(xs), func() { sink = iter.Map(xs, func(v *float64) float64 { return *v * *v }) })
	})
	b.Run("lo-parallel.Map", func(b *testing.B) {
		perItem(b, len(xs), func() { sink = lop.Map(xs, func(v float64, _ int) float64 { return v * v }) })
	})
}

// coldCalls times op alone, each call after 300 µs in which the other cores
// had nothing to do, so their Ps parked: a call that wakes helpers pays for
// waking them. The caller busy-waits meanwhile when callerBusy is set (the
// case the figures are about: only the other cores idled), or sleeps (its
// own core idles too, so its caches and branch predictors are cold as well:
// even the plain loop then costs several times its warm time). Run with a
// fixed count (-benchtime=2000x): b.Loop sizes a run by the timed part
// alone and would wait for minutes.
func coldCalls(b *testing.B, callerBusy bool, op func()) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if callerBusy {
			for start := time.Now(); time.Since(start) < 300*time.Microsecond; {
			}
		} else {
			time.Sleep(300 * time.Microsecond)
		}
		b.StartTimer()
		op()
	}
}

// benchmarkTinyCold runs the 100 items of BenchmarkParallelTiny as cold
// calls (see coldCalls).
func benchmarkTinyCold(b *testing.B, callerBusy bool) {
	xs := floatInput(100)
	out := make([]float64, len(xs))
	b.Run("loop", func(b *testing.B) {
		coldCalls(b, callerBusy, func() { squares(out, xs, 0, len(xs)) })
	})
	b.Run("tandem-For", func(b *testing.B) {
		coldCalls(b, callerBusy, func() {
			_ = parallel.For(bg, len(xs), func(_ context.Context, lo, hi int) error { squares(out, xs, lo, hi); return nil })
		})
	})
	b.Run("tandem-Reduce", func(b *testing.B) {
		coldCalls(b, callerBusy, func() { sink, _ = parallel.Reduce(bg, xs, zeroFloat, sumSquaresChunk, addFloats) })
	})
	b.Run("conc-iter.Map", func(b *testing.B) {
		coldCalls(b, callerBusy, func() { sink = iter.Map(xs, func(v *float64) float64 { return *v * *v }) })
	})
}

// BenchmarkParallelTinyCold: tiny calls after the other cores idled, the
// caller busy (see coldCalls).
func BenchmarkParallelTinyCold(b *testing.B) { benchmarkTinyCold(b, true) }

// BenchmarkParallelTinyAllCold: tiny calls after every core idled, the
// caller's included (see coldCalls).
func BenchmarkParallelTinyAllCold(b *testing.B) { benchmarkTinyCold(b, false) }

// BenchmarkParallelWorkers1: the same 100 items with Workers(1), against
// the hand-written loops they should cost no more than: loop-sum for Reduce
// (both box the float64 result into sink: 1 alloc), loop-out for For (whose
// closure, capturing xs and out, is the 1 alloc the caller pays).
func BenchmarkParallelWorkers1(b *testing.B) {
	xs := floatInput(100)
	out := make([]float64, len(xs))
	one := []parallel.Option{parallel.Workers(1)}
	b.Run("loop-sum", func(b *testing.B) {
		perItem(b, len(xs), func() { sink = sumSquaresFold(0, xs) })
	})
	b.Run("tandem-Reduce", func(b *testing.B) {
		perItem(b, len(xs), func() { sink, _ = parallel.Reduce(bg, xs, zeroFloat, sumSquaresChunk, addFloats, one...) })
	})
	b.Run("loop-out", func(b *testing.B) {
		perItem(b, len(xs), func() { squares(out, xs, 0, len(xs)) })
	})
	b.Run("tandem-For", func(b *testing.B) {
		perItem(b, len(xs), func() {
			_ = parallel.For(bg, len(xs), func(_ context.Context, lo, hi int) error { squares(out, xs, lo, hi); return nil }, one...)
		})
	})
	// The same body made once: what For itself costs, without the closure
	// allocation that a literal capturing xs and out costs every call.
	body := func(_ context.Context, lo, hi int) error { squares(out, xs, lo, hi); return nil }
	b.Run("tandem-For-hoisted", func(b *testing.B) {
		perItem(b, len(xs), func() { _ = parallel.For(bg, len(xs), body, one...) })
	})
}

func double(v float64) float64 { return 2 * v }

// BenchmarkParallelMapTrivial: a trivial function over 1e7 items, the result
// allocated by each call: a plain loop, Map, conc's iter.Map and lo's
// parallel.Map (a goroutine per item; -short only, it takes seconds).
func BenchmarkParallelMapTrivial(b *testing.B) {
	xs := floatInput(bigN())
	b.Run("loop", func(b *testing.B) {
		perItem(b, len(xs), func() {
			out := make([]float64, len(xs))
			for i, v := range xs {
				out[i] = 2 * v
			}
			sink = out
		})
	})
	b.Run("tandem-Map", func(b *testing.B) {
		perItem(b, len(xs), func() { sink, _ = parallel.Map(bg, xs, double) })
	})
	b.Run("conc-iter.Map", func(b *testing.B) {
		perItem(b, len(xs), func() { sink = iter.Map(xs, func(v *float64) float64 { return 2 * *v }) })
	})
	b.Run("lo-parallel.Map", func(b *testing.B) {
		perItem(b, len(xs), func() { sink = lop.Map(xs, func(v float64, _ int) float64 { return 2 * v }) })
	})
}
