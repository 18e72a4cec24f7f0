package parallel

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSmallInputsRunInlineWithoutGoroutinesOrAllocations(t *testing.T) {
	// Inside a synctest bubble the clock stands still while the caller
	// computes, so the probe never sees its budget spent: this checks that
	// work finished within the budget starts nothing and allocates nothing
	// (a helper would cost the allocation of the call's shared state).
	// Workers up to 16 stand for machines with that many cores: a
	// reduction of 100 items is cut into 8 chunks, which must not pass for
	// "few expensive items" there. The context may be one that can be done.
	synctest.Test(t, func(t *testing.T) {
		xs := squares(100)
		body := loop(func(lo, hi int) {})
		canDone, cancel := context.WithCancel(bg)
		defer cancel()
		for _, ctx := range []context.Context{bg, canDone} {
			for _, w := range []int{2, 4, 8, 16, 64} {
				opts := []Option{Workers(w), knobs{probe: defaultProbe, helperLimit: 15}}
				allocs := testing.AllocsPerRun(100, func() {
					_, _ = Reduce(ctx, xs, zero, sumFold, add, opts...)
					_ = For(ctx, len(xs), body, opts...)
				})
				assert.Zero(t, allocs, "allocations per call of Reduce and For with Workers(%d), ctx done %v", w, ctx.Done() != nil)
				allocs = testing.AllocsPerRun(100, func() { _, _ = Map(ctx, xs, math.Sqrt, opts...) })
				assert.Equal(t, 1.0, allocs, "allocations per call of Map (its result) with Workers(%d)", w)
				requireHelpersGone(t)
			}
		}
	})
}

func TestWorkersOneRunsInlineWithoutAllocations(t *testing.T) {
	xs := squares(100)
	body := loop(func(lo, hi int) {})
	one := []Option{Workers(1)}
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = Reduce(bg, xs, zero, sumFold, add, one...)
		_ = For(bg, len(xs), body, one...)
	})
	assert.Zero(t, allocs)
}

func TestFewItemsRunInParallelAtOnce(t *testing.T) {
	// Two items that each wait for the other to start can only finish if
	// they run at the same time: a call with few items skips the probe. In
	// a bubble, the items run one after the other would be a deadlock,
	// which synctest reports.
	synctest.Test(t, func(t *testing.T) {
		var started [2]chan struct{}
		for i := range started {
			started[i] = make(chan struct{})
		}
		assert.NoError(t, For(bg, 2, loop(func(lo, hi int) {
			close(started[lo])
			<-started[1-lo]
		}), Workers(2), knobs{probe: defaultProbe, helperLimit: 1}))
	})
}

func TestNestedCallsThreeLevelsDeepFinishWithATinyBudget(t *testing.T) {
	var total atomic.Int64
	opts := forced(2, Workers(4))
	require.NoError(t, For(bg, 20, loop(func(lo, hi int) {
		for range hi - lo {
			assert.NoError(t, For(bg, 20, loop(func(lo, hi int) {
				for range hi - lo {
					sum, err := Reduce(bg, ints(20), func() int { return 0 }, func(_ context.Context, acc int, c []int) (int, error) {
						total.Add(int64(len(c)))
						return acc, nil
					}, addInts, opts...)
					assert.NoError(t, err)
					assert.Zero(t, sum)
				}
			}), opts...))
		}
	}), opts...))
	assert.Equal(t, int64(20*20*20), total.Load())
	requireHelpersGone(t)
}

func TestConcurrentCallersShareTheHelperBudget(t *testing.T) {
	// 100 callers at once, each of which may use 8 workers: the helpers
	// running at any moment, seen from inside the bodies, never exceed the
	// budget, so the bodies in flight never exceed the callers plus it.
	const callers, limit = 100, 3
	xs := squares(2000)
	var flight inFlight
	var peakTokens atomic.Int64
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			out := make([]float64, len(xs))
			err := For(bg, len(xs), loop(func(lo, hi int) {
				flight.enter()
				defer flight.leave()
				if inUse := helpersInUse.Load(); inUse > peakTokens.Load() {
					peakTokens.Store(inUse) // racy max, good enough: any sample over the limit fails
				}
				for i := lo; i < hi; i++ {
					out[i] = xs[i] * xs[i]
				}
			}), forced(limit, Workers(8), Chunk(10))...)
			assert.NoError(t, err)
			for i, v := range out {
				if v != xs[i]*xs[i] {
					assert.Fail(t, "wrong result", "out[%d] = %v, want %v", i, v, xs[i]*xs[i])
					return
				}
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, peakTokens.Load(), int64(limit), "helper tokens in use, seen from the bodies")
	assert.LessOrEqual(t, flight.max(), callers+limit, "bodies in flight across %d callers", callers)
	requireHelpersGone(t)
}

func TestAParallelCallAllocatesAConstantNumberOfObjects(t *testing.T) {
	small, large := squares(10_000), squares(1_000_000)
	opts := forced(4, Workers(2))
	body := loop(func(lo, hi int) {})
	for name, call := range map[string]func(xs []float64){
		"Reduce": func(xs []float64) { _, _ = Reduce(bg, xs, zero, sumFold, add, opts...) },
		"For":    func(xs []float64) { _ = For(bg, len(xs), body, opts...) },
		"Map":    func(xs []float64) { _, _ = Map(bg, xs, math.Sqrt, opts...) },
	} {
		a := testing.AllocsPerRun(20, func() { call(small) })
		b := testing.AllocsPerRun(20, func() { call(large) })
		assert.LessOrEqual(t, a, 8.0, "allocations of a parallel %s over 1e4 items", name)
		assert.Equal(t, a, b, "allocations of a parallel %s over 1e4 and 1e6 items", name)
	}
}

func TestEveryHelperHasExitedWhenTheCallReturns(t *testing.T) {
	// A helper that completed its last chunk used to give its token back
	// (and exit) after the caller had already returned. The token is given
	// back just before the helper is counted out, so none may be in use
	// right after the return.
	var sink atomic.Int64
	for i := range 200 {
		require.NoError(t, For(bg, 64, loop(func(lo, hi int) {
			x := 0
			for j := range 2000 * (hi - lo) {
				x += j
			}
			sink.Add(int64(x))
		}), forced(2, Workers(2))...))
		if inUse := helpersInUse.Load(); inUse != 0 {
			t.Fatalf("call %d: For(64, ...) with Workers(2) returned with %d helpers alive, want 0", i, inUse)
		}
	}
}

func TestProgressIsReportedOnTheCallerInOrderEndingAtTotal(t *testing.T) {
	const n = 50_000
	var reports [][2]int
	require.NoError(t, For(bg, n, loop(func(lo, hi int) {}), forced(4, Workers(4), Progress(func(done, total int) {
		assert.False(t, onHelper(), "progress called on a helper")
		reports = append(reports, [2]int{done, total})
	}))...))
	require.NotEmpty(t, reports)
	assert.Equal(t, [2]int{n, n}, reports[len(reports)-1])
	assert.LessOrEqual(t, len(reports), 102, "progress calls")
	for i := 1; i < len(reports); i++ {
		assert.Less(t, reports[i-1][0], reports[i][0], "reports must rise: %v", reports)
	}
}

func TestProgressNeverReportsMoreThanAboutOnceAPercent(t *testing.T) {
	for _, n := range []int{1, 99, 100, 12345, math.MaxInt} {
		for _, opts := range [][]Option{{Workers(1)}, {Workers(4)}, {Workers(4), MinChunk(n/7 + 1)}} {
			calls, last := 0, [2]int{}
			r := &ranges{most: 100_000}
			opts = append(opts, Progress(func(done, total int) { calls++; last = [2]int{done, total} }))
			require.NoError(t, For(bg, n, r.body, forced(8, opts...)...))
			assert.LessOrEqual(t, calls, 102, "n %d, opts %v: progress calls", n, opts)
			assert.Equal(t, [2]int{n, n}, last, "n %d, opts %v: the last report", n, opts)
		}
	}
}
