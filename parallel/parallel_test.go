package parallel

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
)

// onHelper reports whether the calling goroutine is one of the package's
// helpers rather than the caller.
func onHelper() bool { return strings.Contains(string(debug.Stack()), ".help(") }

func squares(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i)
	}
	return xs
}

func TestForCoversEveryIndexExactlyOnce(t *testing.T) {
	forceHelpers(t, 8)
	for _, n := range []int{0, 1, 2, 3, 7, 100, 1000, 12345} {
		for _, opts := range [][]Option{nil, {Workers(1)}, {Workers(3)}, {Workers(8)}, {Chunk(7)}, {MinChunk(5), Workers(4)}} {
			hits := make([]atomic.Int32, n)
			For(n, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					hits[i].Add(1)
				}
			}, opts...)
			for i := range hits {
				if got := hits[i].Load(); got != 1 {
					t.Fatalf("n=%d opts=%v: index %d ran %d times, want 1", n, opts, i, got)
				}
			}
		}
	}
}

func TestForWithChunkUsesBoundariesFixedByNAndChunkSize(t *testing.T) {
	forceHelpers(t, 8)
	const n, size = 1003, 10
	for _, w := range []int{1, 2, 5, 8} {
		var mu sync.Mutex
		got := map[[2]int]bool{}
		For(n, func(lo, hi int) {
			mu.Lock()
			got[[2]int{lo, hi}] = true
			mu.Unlock()
		}, Chunk(size), Workers(w))
		want := map[[2]int]bool{}
		for lo := 0; lo < n; lo += size {
			want[[2]int{lo, min(lo+size, n)}] = true
		}
		require.Equal(t, want, got, "workers=%d", w)
	}
}

func TestMapKeepsTheOrderOfItsInput(t *testing.T) {
	forceHelpers(t, 8)
	in := squares(5000)
	out := Map(in, func(v float64) string { return fmt.Sprint(v) }, Workers(4))
	require.Len(t, out, len(in))
	for i, s := range out {
		if s != fmt.Sprint(float64(i)) {
			t.Fatalf("out[%d] = %q, want %q", i, s, fmt.Sprint(float64(i)))
		}
	}
	assert.Empty(t, Map([]int{}, func(v int) int { return v }))
}

func TestForEachCanModifyElementsInPlace(t *testing.T) {
	forceHelpers(t, 8)
	in := make([]int, 3000)
	ForEach(in, func(i int, v *int) { *v = 2 * i }, Workers(4))
	for i, v := range in {
		if v != 2*i {
			t.Fatalf("in[%d] = %d, want %d", i, v, 2*i)
		}
	}
}

func TestReduceGivesEveryChunkAFreshAccumulatorAndCombinesInOrder(t *testing.T) {
	forceHelpers(t, 8)
	in := make([]int, 10007)
	for i := range in {
		in[i] = i
	}
	got := Reduce(in,
		func() []int { return nil },
		func(acc []int, chunk []int) []int { return append(acc, chunk...) },
		func(a, b []int) []int { return append(a, b...) },
		Workers(4))
	require.Equal(t, in, got, "concatenating the chunks must give the input back")
	assert.Equal(t, 42, Reduce([]int{}, func() int { return 42 }, func(a int, c []int) int { return a }, func(a, b int) int { return a + b }),
		"an empty input returns identity()")
}

// wideFloats spans many orders of magnitude, so that every change in the
// order of additions changes the bits of the sum.
func wideFloats(n int) []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(17)))
	}
	return xs
}

func sumFold(acc float64, chunk []float64) float64 {
	for _, v := range chunk {
		acc += v
	}
	return acc
}

func add(a, b float64) float64 { return a + b }

func zero() float64 { return 0 }

func TestReduceOfFloatsIsBitIdenticalAcrossRunsAndWorkerCounts(t *testing.T) {
	forceHelpers(t, 8)
	xs := wideFloats(100_003)
	want := Reduce(xs, zero, sumFold, add, Workers(1))
	for w := 1; w <= 8; w++ {
		for run := range 25 {
			got := Reduce(xs, zero, sumFold, add, Workers(w))
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("workers=%d run=%d: sum %v (%x), want %v (%x)", w, run, got, math.Float64bits(got), want, math.Float64bits(want))
			}
			got = MapReduce(xs, zero, func(v float64) float64 { return v }, add, Workers(w))
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("MapReduce workers=%d run=%d: sum %v, want %v", w, run, got, want)
			}
		}
	}
	// The documented rule, by hand: chunks of ceil(n/256) items (n is
	// large), each summed from 0, the sums added left to right.
	manual := chunkedSum(xs, (len(xs)+255)/256)
	assert.Equal(t, math.Float64bits(manual), math.Float64bits(want), "the documented rule: partials of ceil(n/256) items, combined left to right")
}

// chunkedSum sums xs the way Reduce with sumFold and add is documented to:
// each chunk of leaf items from 0, then the chunk sums left to right.
func chunkedSum(xs []float64, leaf int) float64 {
	total := 0.0
	for lo := 0; lo < len(xs); lo += leaf {
		p := sumFold(0, xs[lo:min(lo+leaf, len(xs))])
		if lo == 0 {
			total = p
		} else {
			total += p
		}
	}
	return total
}

func TestSmallInputsRunInlineWithoutGoroutinesOrAllocations(t *testing.T) {
	// Inside a synctest bubble the clock stands still while the caller
	// computes, so the probe never sees its budget spent: this checks that
	// work finished within the budget starts nothing and allocates nothing.
	// Workers up to 16 stand for machines with that many cores: a
	// reduction of 100 items is cut into 8 chunks, which must not pass for
	// "few expensive items" there.
	oldLimit := helperLimit
	helperLimit = func(int) int { return 15 }
	t.Cleanup(func() { helperLimit = oldLimit })
	synctest.Test(t, func(t *testing.T) {
		xs := squares(100)
		for _, w := range []int{2, 4, 8, 16} {
			before := helpersStarted()
			allocs := testing.AllocsPerRun(100, func() {
				_ = Reduce(xs, zero, sumFold, add, Workers(w))
				_ = MapReduce(xs, zero, func(v float64) float64 { return v * v }, add, Workers(w))
				For(len(xs), func(lo, hi int) {}, Workers(w))
			})
			assert.Zero(t, allocs, "allocations per call of Reduce, MapReduce and For with Workers(%d)", w)
			assert.Equal(t, before, helpersStarted(), "helpers started with Workers(%d)", w)
		}
	})
}

func TestWorkersOneRunsInlineWithoutAllocations(t *testing.T) {
	xs := squares(100)
	one := []Option{Workers(1)}
	before := helpersStarted()
	allocs := testing.AllocsPerRun(100, func() {
		_ = Reduce(xs, zero, sumFold, add, one...)
		For(len(xs), func(lo, hi int) {}, one...)
	})
	assert.Zero(t, allocs)
	assert.Equal(t, before, helpersStarted(), "helpers started")
}

func TestFewItemsRunInParallelAtOnce(t *testing.T) {
	// Two items that each wait for the other to start can only finish if
	// they run at the same time: a call with few items skips the probe.
	forceHelpers(t, 1)
	probeBudget = defaultProbeBudget
	var started [2]chan struct{}
	for i := range started {
		started[i] = make(chan struct{})
	}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		For(2, func(lo, hi int) {
			close(started[lo])
			<-started[1-lo]
		}, Workers(2))
	}()
	// A hang guard, not a timing assertion: the items ran one after the
	// other if the call has not returned by then.
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("For(2, ...) with Workers(2) did not return: its two items did not run at the same time")
	}
}

func TestNestedCallsThreeLevelsDeepFinishWithATinyBudget(t *testing.T) {
	forceHelpers(t, 2)
	var total atomic.Int64
	For(20, func(lo, hi int) {
		for range hi - lo {
			For(20, func(lo, hi int) {
				for range hi - lo {
					For(20, func(lo, hi int) { total.Add(int64(hi - lo)) }, Workers(4))
				}
			}, Workers(4))
		}
	}, Workers(4))
	assert.Equal(t, int64(20*20*20), total.Load())
	requireHelpersGone(t)
}

func TestConcurrentCallersShareTheHelperBudget(t *testing.T) {
	const limit = 3
	forceHelpers(t, limit)
	requireHelpersGone(t)
	resetHelpersPeak()
	xs := squares(2000)
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			out := Map(xs, func(v float64) float64 { return v * v })
			for i, v := range out {
				if v != xs[i]*xs[i] {
					assert.Fail(t, "wrong result", "out[%d] = %v, want %v", i, v, xs[i]*xs[i])
					return
				}
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, helpersPeak(), int64(limit), "helpers running at once across 100 callers")
	requireHelpersGone(t)
}

var errBoom = errors.New("boom")

func TestForCtxReturnsTheFirstErrorAndStopsHandingOutChunks(t *testing.T) {
	forceHelpers(t, 4)
	const n = 100_000
	var ran atomic.Int64
	err := ForCtx(context.Background(), n, func(ctx context.Context, lo, hi int) error {
		ran.Add(1)
		if lo >= 10 {
			return fmt.Errorf("chunk %d: %w", lo, errBoom)
		}
		return nil
	}, Chunk(1), Workers(4))
	require.ErrorIs(t, err, errBoom)
	assert.Less(t, ran.Load(), int64(n/2), "chunks run after the first error")
}

func TestForCtxStopsAloneAtTheFirstError(t *testing.T) {
	var ran int
	err := ForCtx(context.Background(), 100, func(ctx context.Context, lo, hi int) error {
		ran++
		return errBoom
	}, Workers(1), Chunk(1))
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, 1, ran, "chunks run")
}

func TestAFailedReductionReturnsTheZeroValueOnEveryPath(t *testing.T) {
	in := make([]int, 100)
	for i := range in {
		in[i] = i
	}
	// The body fails on a late item, after other chunks were folded: their
	// partial sum must not come out with the error, whether the call runs
	// alone (Workers(1) with a context that is never done) or not.
	fold := func(_ context.Context, acc int, chunk []int) (int, error) {
		for _, v := range chunk {
			if v == 95 {
				return 0, errBoom
			}
			acc += v
		}
		return acc, nil
	}
	mapf := func(_ context.Context, v int) (int, error) {
		if v == 95 {
			return 0, errBoom
		}
		return v, nil
	}
	add := func(a, b int) int { return a + b }
	canceled, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, ctx := range []context.Context{context.Background(), canceled} {
		for _, w := range []int{1, 2} {
			what := fmt.Sprintf("workers %d, ctx with a done channel %v", w, ctx.Done() != nil)
			sum, err := ReduceCtx(ctx, in, func() int { return 0 }, fold, add, Chunk(10), Workers(w))
			require.ErrorIs(t, err, errBoom, what)
			assert.Zero(t, sum, "ReduceCtx, %s", what)
			sum, err = MapReduceCtx(ctx, in, func() int { return 0 }, mapf, add, Chunk(10), Workers(w))
			require.ErrorIs(t, err, errBoom, what)
			assert.Zero(t, sum, "MapReduceCtx, %s", what)
		}
	}
}

func TestBodiesSeeTheirContextCanceledAfterAFailure(t *testing.T) {
	forceHelpers(t, 4)
	err := ForCtx(context.Background(), 2, func(ctx context.Context, lo, hi int) error {
		if lo == 0 {
			return errBoom
		}
		<-ctx.Done() // must not hang: the failure cancels it
		assert.ErrorIs(t, context.Cause(ctx), errBoom)
		return ctx.Err()
	}, Workers(2))
	require.ErrorIs(t, err, errBoom)
}

func TestACanceledContextStartsNoChunkAndReturnsItsCause(t *testing.T) {
	cause := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	for _, w := range []int{1, 4} {
		ran := false
		err := ForCtx(ctx, 1000, func(context.Context, int, int) error { ran = true; return nil }, Workers(w))
		assert.ErrorIs(t, err, cause, "workers=%d", w)
		assert.False(t, ran, "workers=%d: a chunk ran", w)
		_, err = ReduceCtx(ctx, squares(10), zero, func(_ context.Context, a float64, c []float64) (float64, error) { return a, nil }, add, Workers(w))
		assert.ErrorIs(t, err, cause)
	}
}

func TestCancelingMidwayStopsNewChunks(t *testing.T) {
	forceHelpers(t, 4)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	cause := errors.New("user left")
	var ran atomic.Int64
	const n = 100_000
	out, err := MapCtx(ctx, make([]int, n), func(_ context.Context, v int) (int, error) {
		if ran.Add(1) == 100 {
			cancel(cause)
		}
		return v, nil
	}, Workers(4))
	require.ErrorIs(t, err, cause)
	assert.Nil(t, out)
	assert.Less(t, ran.Load(), int64(n), "items run after cancellation")
}

func recoverPanicError(t *testing.T, f func()) (p *tandem.PanicError) {
	t.Helper()
	defer func() {
		r := recover()
		require.NotNil(t, r, "no panic was raised")
		var ok bool
		p, ok = r.(*tandem.PanicError)
		require.True(t, ok, "raised %T, want *tandem.PanicError", r)
	}()
	f()
	return nil
}

//go:noinline
func panickingBody(lo int) { panic(fmt.Sprintf("bad chunk %d", lo)) }

func TestAPanicInAHelperIsRaisedInTheCallerWithTheHelpersStack(t *testing.T) {
	forceHelpers(t, 1)
	helperRan := make(chan struct{})
	var once sync.Once
	p := recoverPanicError(t, func() {
		For(1000, func(lo, hi int) {
			if lo == 0 {
				return // the probe's first chunk, on the caller
			}
			if onHelper() {
				once.Do(func() { close(helperRan) })
				panickingBody(lo)
			}
			<-helperRan
		}, Workers(2), Chunk(1))
	})
	assert.Contains(t, fmt.Sprint(p.Value), "bad chunk")
	assert.Contains(t, p.Stack, "panickingBody")
	assert.Contains(t, p.Stack, ".help(", "the stack is the helper's")
	requireHelpersGone(t)
}

func TestEveryPanicIsKept(t *testing.T) {
	forceHelpers(t, 3)
	var panicked atomic.Int32
	p := recoverPanicError(t, func() {
		ForEach(make([]int, 4), func(i int, _ *int) {
			panicked.Add(1)
			panic(i)
		}, Workers(4))
	})
	assert.Equal(t, int(panicked.Load()), 1+len(p.Others), "panics raised vs panics kept")
}

func TestAPanicInTheCallerIsRaisedAsPanicError(t *testing.T) {
	for _, w := range []int{1, 2} {
		p := recoverPanicError(t, func() {
			_ = Reduce(squares(10), zero, func(float64, []float64) float64 { panic(errBoom) }, add, Workers(w))
		})
		assert.ErrorIs(t, p, errBoom, "workers=%d", w)
	}
}

func TestGoexitInAHelperFailsTheCallInsteadOfHanging(t *testing.T) {
	forceHelpers(t, 1)
	// Two items skip the probe; the caller holds item 0 until the helper
	// has taken item 1 and called Goexit.
	body := func(exited chan struct{}) func(lo int) {
		return func(lo int) {
			if onHelper() {
				close(exited)
				runtime.Goexit()
			}
			<-exited
		}
	}
	run := body(make(chan struct{}))
	err := ForCtx(context.Background(), 2, func(_ context.Context, lo, hi int) error { run(lo); return nil }, Workers(2))
	assert.ErrorIs(t, err, tandem.ErrGoexit, "ForCtx")

	// The helper that called Goexit gives its token back while it unwinds,
	// before ForCtx returns: with the only token still held, the next call
	// would get no helper and its caller would wait on item 0 for ever.
	requireHelpersGone(t)
	run = body(make(chan struct{}))
	p := recoverPanicError(t, func() { For(2, func(lo, hi int) { run(lo) }, Workers(2)) })
	assert.ErrorIs(t, p, tandem.ErrGoexit, "For raises it as a panic")
	requireHelpersGone(t)
}

func TestGoexitInTheCallerWaitsForTheHelpersAndDoesNotHang(t *testing.T) {
	forceHelpers(t, 4)
	var running atomic.Int32
	var wg sync.WaitGroup
	out := make([]float64, 1000)
	wg.Go(func() {
		For(len(out), func(lo, hi int) {
			running.Add(1)
			defer running.Add(-1)
			if lo > 0 && !onHelper() {
				// The caller's first chunk after the probe: helpers run.
				runtime.Goexit()
			}
			out[lo] = spinFor(1000)
		}, Workers(4), Chunk(1))
		assert.Fail(t, "For returned after its caller called Goexit")
	})
	wg.Wait()
	assert.Zero(t, running.Load(), "bodies still running after the caller exited")
	requireHelpersGone(t)
}

func TestProgressIsReportedOnTheCallerInOrderEndingAtTotal(t *testing.T) {
	forceHelpers(t, 4)
	const n = 50_000
	var reports [][2]int
	For(n, func(lo, hi int) {}, Workers(4), Progress(func(done, total int) {
		assert.False(t, onHelper(), "progress called on a helper")
		reports = append(reports, [2]int{done, total})
	}))
	require.NotEmpty(t, reports)
	assert.Equal(t, [2]int{n, n}, reports[len(reports)-1])
	assert.LessOrEqual(t, len(reports), 102, "progress calls")
	for i := 1; i < len(reports); i++ {
		assert.Less(t, reports[i-1][0], reports[i][0], "reports must rise: %v", reports)
	}
}

func TestMisuseePanicsWithThePackagePrefix(t *testing.T) {
	for name, f := range map[string]func(){
		"negative n":  func() { For(-1, func(int, int) {}) },
		"nil body":    func() { For(1, nil) },
		"nil fold":    func() { Reduce([]int{1}, func() int { return 0 }, nil, func(a, b int) int { return a }) },
		"workers 0":   func() { Workers(0) },
		"chunk 0":     func() { Chunk(0) },
		"min chunk 0": func() { MinChunk(0) },
	} {
		assert.PanicsWithValue(t, panicMessage(f), f, name)
		assert.True(t, strings.HasPrefix(panicMessage(f), "parallel: "), "%s: %q", name, panicMessage(f))
	}
}

func panicMessage(f func()) (msg string) {
	defer func() { msg, _ = recover().(string) }()
	f()
	return ""
}

func TestNoBodyRunsAfterTheCallReturns(t *testing.T) {
	forceHelpers(t, 4)
	for range 20 {
		var running atomic.Int32
		var returned atomic.Bool
		out := make([]float64, 2000)
		For(len(out), func(lo, hi int) {
			running.Add(1)
			if returned.Load() {
				assert.Fail(t, "a body started after For returned")
			}
			out[lo] = spinFor(50)
			running.Add(-1)
		}, Workers(4), Chunk(1))
		returned.Store(true)
		require.Zero(t, running.Load(), "bodies running after For returned")
	}
}

func spinFor(steps int) float64 {
	x := 1.0
	for range steps {
		x = x*1.0000001 + 1e-9
	}
	return x
}

func TestSkewedWorkloadsCoverEveryItem(t *testing.T) {
	forceHelpers(t, 4)
	const n = 3000
	shapes := map[string]func(i int) int{
		"rising":    func(i int) int { return i / 10 },
		"heavyHead": func(i int) int { return map[bool]int{true: 2000, false: 1}[i < 10] },
		"heavyTail": func(i int) int { return map[bool]int{true: 2000, false: 1}[i >= n-10] },
		"twoHuge":   func(i int) int { return map[bool]int{true: 50000, false: 1}[i == n/3 || i == 2*n/3] },
	}
	for name, cost := range shapes {
		out := make([]float64, n)
		For(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				out[i] = spinFor(cost(i))
			}
		}, Workers(4))
		for i := range out {
			if out[i] != spinFor(cost(i)) {
				t.Fatalf("%s: item %d not computed", name, i)
			}
		}
	}
}

func TestAParallelCallAllocatesAConstantNumberOfObjects(t *testing.T) {
	forceHelpers(t, 4)
	small, large := squares(10_000), squares(1_000_000)
	a := testing.AllocsPerRun(20, func() { _ = Reduce(small, zero, sumFold, add, Workers(2)) })
	b := testing.AllocsPerRun(20, func() { _ = Reduce(large, zero, sumFold, add, Workers(2)) })
	assert.LessOrEqual(t, a, 8.0, "allocations of a parallel Reduce over 1e4 items")
	assert.LessOrEqual(t, b, 8.0, "allocations of a parallel Reduce over 1e6 items")
}

func TestAPanicInANestedCallIsRaisedOnceNotWrappedPerLevel(t *testing.T) {
	forceHelpers(t, 4)
	p := recoverPanicError(t, func() {
		For(4, func(lo, hi int) {
			For(4, func(lo, hi int) {
				if lo == 3 {
					panickingBody(lo)
				}
			}, Workers(2))
		}, Workers(2))
	})
	assert.Equal(t, "bad chunk 3", p.Value, "the value is the body's, not a PanicError")
	assert.Contains(t, p.Stack, "panickingBody")
}

func TestFewItemsOnManyWorkersStillProbe(t *testing.T) {
	// 100 cheap items with 64 workers must not skip the probe (that is for
	// at most 8 chunks), so inside a bubble they run inline.
	synctest.Test(t, func(t *testing.T) {
		before := helpersStarted()
		For(100, func(lo, hi int) {}, Workers(64))
		assert.Equal(t, before, helpersStarted(), "helpers started")
	})
}

func TestNoBodyStartsAfterTheContextIsCanceledEvenWithinAClaim(t *testing.T) {
	// A claim covers many leaves (and a leaf many items): the context must
	// be checked before each body call, not only before each claim, and the
	// skipped items must make the call fail with the cause.
	forceHelpers(t, 4)
	const n, at = 20_000, 5000
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	type form func(ctx context.Context, enter func(lo, hi int), opts ...Option) error
	forms := map[string]form{
		"ForCtx": func(ctx context.Context, enter func(lo, hi int), opts ...Option) error {
			return ForCtx(ctx, n, func(_ context.Context, lo, hi int) error { enter(lo, hi); return nil }, opts...)
		},
		"ForEachCtx": func(ctx context.Context, enter func(lo, hi int), opts ...Option) error {
			return ForEachCtx(ctx, in, func(_ context.Context, i int, _ *int) error { enter(i, i+1); return nil }, opts...)
		},
		"MapCtx": func(ctx context.Context, enter func(lo, hi int), opts ...Option) error {
			_, err := MapCtx(ctx, in, func(_ context.Context, v int) (int, error) { enter(v, v+1); return v, nil }, opts...)
			return err
		},
		"ReduceCtx": func(ctx context.Context, enter func(lo, hi int), opts ...Option) error {
			_, err := ReduceCtx(ctx, in, func() int { return 0 }, func(_ context.Context, acc int, chunk []int) (int, error) {
				enter(chunk[0], chunk[0]+len(chunk))
				return acc + len(chunk), nil
			}, func(a, b int) int { return a + b }, opts...)
			return err
		},
		"MapReduceCtx": func(ctx context.Context, enter func(lo, hi int), opts ...Option) error {
			_, err := MapReduceCtx(ctx, in, func() int { return 0 }, func(_ context.Context, v int) (int, error) {
				enter(v, v+1)
				return 1, nil
			}, func(a, b int) int { return a + b }, opts...)
			return err
		},
	}
	chunkings := map[string][]Option{"Chunk(1)": {Chunk(1)}, "default": nil}
	for name, run := range forms {
		for chunking, opts := range chunkings {
			for _, w := range []int{1, 2, 4} {
				cause := errors.New("stop")
				ctx, cancel := context.WithCancelCause(context.Background())
				var canceled atomic.Bool
				var after atomic.Int64
				err := run(ctx, func(lo, hi int) {
					if canceled.Load() {
						after.Add(1)
					}
					if lo <= at && at < hi {
						cancel(cause)
						canceled.Store(true)
					}
				}, append(opts, Workers(w))...)
				cancel(nil)
				assert.ErrorIs(t, err, cause, "%s, %s, Workers(%d): got error %v", name, chunking, w, err)
				// Only bodies that passed their check before the cancel may
				// start after it: at most one per other worker.
				assert.LessOrEqual(t, after.Load(), int64(w-1),
					"%s, %s, Workers(%d): bodies started after the cancel", name, chunking, w)
			}
		}
	}
}

func TestEveryHelperHasExitedWhenTheCallReturns(t *testing.T) {
	// A helper that completed its last chunk used to give its token back
	// (and exit) after the caller had already returned. The token is given
	// back just before the helper is counted out, so none may be in use
	// right after the return.
	forceHelpers(t, 2)
	var sink atomic.Int64
	for i := range 200 {
		For(64, func(lo, hi int) {
			x := 0
			for j := range 2000 * (hi - lo) {
				x += j
			}
			sink.Add(int64(x))
		}, Workers(2))
		if inUse := budget.inUse.Load(); inUse != 0 {
			t.Fatalf("call %d: For(64, ...) with Workers(2) returned with %d helpers alive, want 0", i, inUse)
		}
	}
}

func TestGoexitInTheCallerStillRaisesThePanicsOfTheHelpers(t *testing.T) {
	forceHelpers(t, 2)
	var helperPanicked atomic.Bool
	var got any
	var wg sync.WaitGroup
	wg.Go(func() {
		defer func() { got = recover() }()
		For(1000, func(lo, hi int) {
			if onHelper() {
				helperPanicked.Store(true)
				panic("helper boom")
			}
			if lo > 0 {
				for !helperPanicked.Load() {
					runtime.Gosched()
				}
				runtime.Goexit()
			}
		}, Workers(2), Chunk(1))
		assert.Fail(t, "For returned after its caller called Goexit")
	})
	wg.Wait()
	p, ok := got.(*tandem.PanicError)
	require.True(t, ok, "recovered %#v, want the helper's *tandem.PanicError", got)
	assert.Equal(t, "helper boom", p.Value)
	requireHelpersGone(t)
}
