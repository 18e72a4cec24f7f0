package parallel

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	forceHelpers(t, 8)
	const n = math.MaxInt
	for _, opts := range [][]Option{
		nil, {Workers(2)}, {Workers(8)},
		{Workers(1), Progress(func(int, int) {})},
		{Chunk(n/2 + 1)}, {Chunk(n / 2)}, {Chunk(n/2 + 1), Workers(1)},
		{MinChunk(n / 3)}, {MinChunk(2), Workers(1), Progress(func(int, int) {})},
	} {
		r := &ranges{most: 10_000}
		err := ForCtx(context.Background(), n, r.body, opts...)
		what := fmt.Sprintf("opts %v", opts)
		require.NoError(t, err, what)
		r.coverOnce(t, n, what)
	}
}

func TestAChunkLargerThanTheInputIsOneChunk(t *testing.T) {
	forceHelpers(t, 8)
	for _, size := range []int{11, math.MaxInt / 2, math.MaxInt - 1, math.MaxInt} {
		for _, opts := range [][]Option{{Chunk(size)}, {MinChunk(size)}, {Chunk(size), Workers(1)}, {MinChunk(size), Workers(1)}} {
			what := fmt.Sprintf("size %d, opts %v", size, opts)
			r := &ranges{most: 1}
			require.NoError(t, ForCtx(context.Background(), 10, r.body, opts...), what)
			assert.Equal(t, [][2]int{{0, 10}}, r.got, what)
			in := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
			sum := Reduce(in, func() int { return 0 }, func(acc int, c []int) int {
				for _, v := range c {
					acc += v
				}
				return acc
			}, func(a, b int) int { return a + b }, opts...)
			assert.Equal(t, 55, sum, what)
		}
	}
}

func TestProgressNeverReportsMoreThanAboutOnceAPercent(t *testing.T) {
	forceHelpers(t, 8)
	for _, n := range []int{1, 99, 100, 12345, math.MaxInt} {
		for _, opts := range [][]Option{{Workers(1)}, {Workers(4)}, {Workers(4), MinChunk(n/7 + 1)}} {
			calls, last := 0, [2]int{}
			r := &ranges{most: 100_000}
			opts = append(opts, Progress(func(done, total int) { calls++; last = [2]int{done, total} }))
			require.NoError(t, ForCtx(context.Background(), n, r.body, opts...))
			assert.LessOrEqual(t, calls, 102, "n %d, opts %v: progress calls", n, opts)
			assert.Equal(t, [2]int{n, n}, last, "n %d, opts %v: the last report", n, opts)
		}
	}
}
