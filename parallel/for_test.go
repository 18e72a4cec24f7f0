package parallel

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var bg = context.Background()

func TestForCoversEveryIndexExactlyOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 100, 1000, 12345} {
		for _, opts := range [][]Option{nil, {Workers(1)}, {Workers(3)}, {Workers(8)}, {Chunk(7)}, {MinChunk(5), Workers(4)}} {
			hits := make([]atomic.Int32, n)
			err := For(bg, n, loop(func(lo, hi int) {
				for i := lo; i < hi; i++ {
					hits[i].Add(1)
				}
			}), forced(8, opts...)...)
			require.NoError(t, err)
			for i := range hits {
				if got := hits[i].Load(); got != 1 {
					t.Fatalf("n=%d opts=%v: index %d ran %d times, want 1", n, opts, i, got)
				}
			}
		}
	}
}

func TestForWithChunkUsesBoundariesFixedByNAndChunkSize(t *testing.T) {
	const n, size = 1003, 10
	for _, w := range []int{1, 2, 5, 8} {
		var mu sync.Mutex
		got := map[[2]int]bool{}
		err := For(bg, n, loop(func(lo, hi int) {
			mu.Lock()
			got[[2]int{lo, hi}] = true
			mu.Unlock()
		}), forced(8, Chunk(size), Workers(w))...)
		require.NoError(t, err)
		want := map[[2]int]bool{}
		for lo := 0; lo < n; lo += size {
			want[[2]int{lo, min(lo+size, n)}] = true
		}
		require.Equal(t, want, got, "workers=%d", w)
	}
}

func TestForOfNoItemsCallsNothingAndSucceedsEvenWithACanceledContext(t *testing.T) {
	// Every chunk of an empty call has started, vacuously: there is
	// nothing the context could have stopped.
	ctx, cancel := context.WithCancel(bg)
	cancel()
	err := For(ctx, 0, func(context.Context, int, int) error { panic("called") })
	assert.NoError(t, err)
	out, err := Map(ctx, []int{}, func(int) int { panic("called") })
	assert.NoError(t, err)
	assert.NotNil(t, out, "an empty input gives an empty, non-nil result")
	assert.Empty(t, out)
	sum, err := Reduce(ctx, []int{}, func() int { return 42 }, func(context.Context, int, []int) (int, error) { panic("called") }, func(a, b int) int { return a + b })
	assert.NoError(t, err)
	assert.Equal(t, 42, sum, "an empty input returns identity()")
}

func TestSkewedWorkloadsCoverEveryItem(t *testing.T) {
	const n = 3000
	shapes := map[string]func(i int) int{
		"rising":    func(i int) int { return i / 10 },
		"heavyHead": func(i int) int { return map[bool]int{true: 2000, false: 1}[i < 10] },
		"heavyTail": func(i int) int { return map[bool]int{true: 2000, false: 1}[i >= n-10] },
		"twoHuge":   func(i int) int { return map[bool]int{true: 50000, false: 1}[i == n/3 || i == 2*n/3] },
	}
	for name, cost := range shapes {
		out := make([]float64, n)
		require.NoError(t, For(bg, n, loop(func(lo, hi int) {
			for i := lo; i < hi; i++ {
				out[i] = spinFor(cost(i))
			}
		}), forced(4, Workers(4))...))
		for i := range out {
			if out[i] != spinFor(cost(i)) {
				t.Fatalf("%s: item %d not computed", name, i)
			}
		}
	}
}

func TestNoBodyRunsAfterTheCallReturns(t *testing.T) {
	for range 20 {
		var running atomic.Int32
		var returned atomic.Bool
		out := make([]float64, 2000)
		require.NoError(t, For(bg, len(out), loop(func(lo, hi int) {
			running.Add(1)
			if returned.Load() {
				assert.Fail(t, "a body started after For returned")
			}
			out[lo] = spinFor(50)
			running.Add(-1)
		}), forced(4, Workers(4), Chunk(1))...))
		returned.Store(true)
		require.Zero(t, running.Load(), "bodies running after For returned")
	}
}

// ranges records the ranges a body was called with, and fails the call
// once it has been called more often than any correct schedule needs.
type ranges struct {
	mu   sync.Mutex
	got  [][2]int
	most int
}

var errTooManyCalls = errors.New("too many body calls")

func (r *ranges) body(_ context.Context, lo, hi int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, [2]int{lo, hi})
	if len(r.got) > r.most {
		return errTooManyCalls
	}
	return nil
}

// coverOnce fails unless the recorded ranges are non-empty and tile [0, n)
// without a gap or an overlap.
func (r *ranges) coverOnce(t *testing.T, n int, what string) {
	t.Helper()
	got := slices.Clone(r.got)
	slices.SortFunc(got, func(a, b [2]int) int { return a[0] - b[0] })
	next := 0
	for _, g := range got {
		if g[0] != next || g[1] <= g[0] {
			t.Fatalf("%s: range [%d, %d) after [0, %d) was covered; ranges %v", what, g[0], g[1], next, got)
		}
		next = g[1]
	}
	if next != n {
		t.Fatalf("%s: ranges cover [0, %d), want [0, %d)", what, next, n)
	}
}

func TestForOverMathMaxIntItemsCoversEveryIndexOnce(t *testing.T) {
	// The leaves, the chunk bounds, the growth of chunk sizes and the
	// cursor all used to overflow near math.MaxInt (and the cursor past
	// the end of an int on 32-bit platforms).
	const n = math.MaxInt
	for _, opts := range [][]Option{
		nil, {Workers(2)}, {Workers(8)}, {Workers(n)},
		{Workers(1), Progress(func(int, int) {})},
		{Chunk(n/2 + 1)}, {Chunk(n / 2)}, {Chunk(n/2 + 1), Workers(1)},
		{MinChunk(n / 3)}, {MinChunk(2), Workers(1), Progress(func(int, int) {})},
	} {
		r := &ranges{most: 10_000}
		what := fmt.Sprintf("opts %v", opts)
		require.NoError(t, For(bg, n, r.body, forced(8, opts...)...), what)
		r.coverOnce(t, n, what)
	}
}

func TestAChunkLargerThanTheInputIsOneChunk(t *testing.T) {
	in := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, size := range []int{11, math.MaxInt / 2, math.MaxInt - 1, math.MaxInt} {
		for _, opts := range [][]Option{{Chunk(size)}, {MinChunk(size)}, {Chunk(size), Workers(1)}, {MinChunk(size), Workers(1)}} {
			what := fmt.Sprintf("size %d, opts %v", size, opts)
			r := &ranges{most: 1}
			require.NoError(t, For(bg, len(in), r.body, forced(8, opts...)...), what)
			assert.Equal(t, [][2]int{{0, 10}}, r.got, what)
			sum, err := Reduce(bg, in, func() int { return 0 }, sumInts, addInts, forced(8, opts...)...)
			require.NoError(t, err, what)
			assert.Equal(t, 55, sum, what)
			out, err := Map(bg, in, func(v int) int { return -v }, forced(8, opts...)...)
			require.NoError(t, err, what)
			assert.Equal(t, []int{-1, -2, -3, -4, -5, -6, -7, -8, -9, -10}, out, what)
		}
	}
}

func sumInts(_ context.Context, acc int, chunk []int) (int, error) {
	for _, v := range chunk {
		acc += v
	}
	return acc, nil
}

func addInts(a, b int) int { return a + b }
