package parallel

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func concat(_ context.Context, acc, chunk []int) ([]int, error) { return append(acc, chunk...), nil }

func appendInts(a, b []int) []int { return append(a, b...) }

func TestReduceGivesEveryChunkAFreshAccumulatorAndCombinesInOrder(t *testing.T) {
	in := ints(10007)
	for _, opts := range [][]Option{nil, {Workers(1)}, {Workers(4)}, {Chunk(3), Workers(4)}, {MinChunk(1000), Workers(4)}} {
		got, err := Reduce(bg, in, func() []int { return nil }, concat, appendInts, forced(8, opts...)...)
		require.NoError(t, err)
		require.Equal(t, in, got, "opts %v: concatenating the chunks must give the input back", opts)
	}
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

func sumFold(_ context.Context, acc float64, chunk []float64) (float64, error) {
	for _, v := range chunk {
		acc += v
	}
	return acc, nil
}

func add(a, b float64) float64 { return a + b }

func zero() float64 { return 0 }

func TestReduceOfFloatsIsBitIdenticalAcrossRunsAndWorkerCounts(t *testing.T) {
	xs := wideFloats(100_003)
	want, err := Reduce(bg, xs, zero, sumFold, add, Workers(1))
	require.NoError(t, err)
	canceled, cancel := context.WithCancel(bg) // a ctx that can be done takes the general path
	defer cancel()
	for w := 1; w <= 8; w++ {
		for run := range 25 {
			for _, ctx := range []context.Context{bg, canceled} {
				got, err := Reduce(ctx, xs, zero, sumFold, add, forced(8, Workers(w))...)
				require.NoError(t, err)
				if math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("workers=%d run=%d: sum %v (%x), want %v (%x)", w, run, got, math.Float64bits(got), want, math.Float64bits(want))
				}
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
		p, _ := sumFold(bg, 0, xs[lo:min(lo+leaf, len(xs))])
		if lo == 0 {
			total = p
		} else {
			total += p
		}
	}
	return total
}

func TestAFailedReductionReturnsTheZeroValueOnEveryPath(t *testing.T) {
	// The fold fails on a late item, after other chunks were folded: their
	// partial sum must not come out with the error, whether the call runs
	// alone (Workers(1) with a context that is never done) or not.
	in := ints(100)
	fold := func(_ context.Context, acc int, chunk []int) (int, error) {
		for _, v := range chunk {
			if v == 95 {
				return 0, errBoom
			}
			acc += v
		}
		return acc, nil
	}
	canDone, cancel := context.WithCancel(bg)
	defer cancel()
	for _, ctx := range []context.Context{bg, canDone} {
		for _, w := range []int{1, 2} {
			for _, opts := range [][]Option{{Chunk(10), Workers(w)}, forced(2, Chunk(10), Workers(w))} {
				what := fmt.Sprintf("workers %d, ctx with a done channel %v, opts %v", w, ctx.Done() != nil, opts)
				sum, err := Reduce(ctx, in, func() int { return 0 }, fold, addInts, opts...)
				require.ErrorIs(t, err, errBoom, what)
				assert.Zero(t, sum, what)
			}
		}
	}
}

func TestFoldsSeeTheirContextCanceledAfterAFailure(t *testing.T) {
	_, err := Reduce(bg, ints(2), func() int { return 0 }, func(ctx context.Context, acc int, chunk []int) (int, error) {
		if chunk[0] == 0 {
			return 0, errBoom
		}
		<-ctx.Done() // must not hang: the failure cancels it
		assert.ErrorIs(t, context.Cause(ctx), errBoom)
		return 0, ctx.Err()
	}, addInts, forced(4, Workers(2))...)
	require.ErrorIs(t, err, errBoom)
}
