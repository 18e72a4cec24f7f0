package pipeline_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/pipeline"
)

// orderedRun squares 0..n-1 through an ordered stage whose items take a
// random number of scheduler yields each, and returns what came out.
func orderedRun(t *testing.T, n, workers, buffer int, seed uint64, flat bool) []int {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	delays := make([]int, n)
	for i := range delays {
		delays[i] = rng.IntN(30)
	}
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(n), pipeline.Buffer(buffer))
	opts := []pipeline.Option{pipeline.Workers(workers), pipeline.Ordered(), pipeline.Buffer(buffer)}
	var out *pipeline.Stage[int]
	if flat {
		out = pipeline.FlatMap(src, func(_ context.Context, v int) ([]int, error) {
			for range delays[v] {
				runtime.Gosched()
			}
			return []int{2 * v, 2*v + 1}, nil
		}, opts...)
	} else {
		out = pipeline.Map(src, func(_ context.Context, v int) (int, error) {
			for range delays[v] {
				runtime.Gosched()
			}
			return v, nil
		}, opts...)
	}
	got, err := pipeline.RunCollect(context.Background(), out)
	require.NoError(t, err)
	return got
}

func TestOrderedStagesKeepInputOrderDespiteRandomDelays(t *testing.T) {
	for _, workers := range []int{2, 4, 16} {
		for _, buffer := range []int{0, 1, 64} {
			got := orderedRun(t, 500, workers, buffer, uint64(workers*100+buffer), false)
			require.Equal(t, numbers(500), got, "workers=%d buffer=%d", workers, buffer)
			got = orderedRun(t, 200, workers, buffer, uint64(workers*100+buffer), true)
			require.Equal(t, numbers(400), got, "FlatMap workers=%d buffer=%d", workers, buffer)
		}
	}
}

func FuzzOrderedMapKeepsOrder(f *testing.F) {
	f.Add(uint16(100), uint8(4), uint8(8), uint64(1), false)
	f.Add(uint16(1), uint8(1), uint8(0), uint64(2), true)
	f.Add(uint16(300), uint8(9), uint8(1), uint64(3), false)
	f.Fuzz(func(t *testing.T, n uint16, workers, buffer uint8, seed uint64, flat bool) {
		items := int(n % 1000)
		w := int(workers%16) + 1
		got := orderedRun(t, items, w, int(buffer), seed, flat)
		want := numbers(items)
		if flat {
			want = numbers(2 * items)
		}
		for i := range want {
			if i >= len(got) || got[i] != want[i] {
				t.Fatalf("n=%d workers=%d buffer=%d flat=%v: output differs at %d: got %v", items, w, buffer, flat, i, got[i:min(i+5, len(got))])
			}
		}
		if len(got) != len(want) {
			t.Fatalf("n=%d workers=%d: got %d items, want %d", items, w, len(got), len(want))
		}
	})
}

func FuzzPipelineSumEqualsTheSequentialSum(f *testing.F) {
	f.Add(uint16(1000), uint8(1), uint8(64), false)
	f.Add(uint16(77), uint8(5), uint8(0), true)
	f.Add(uint16(500), uint8(3), uint8(7), false)
	f.Fuzz(func(t *testing.T, n uint16, workers, buffer uint8, ordered bool) {
		items := int(n % 2000)
		opts := []pipeline.Option{pipeline.Workers(int(workers%8) + 1), pipeline.Buffer(int(buffer))}
		if ordered {
			opts = append(opts, pipeline.Ordered())
		}
		p := pipeline.New()
		src := pipeline.FromSlice(p, numbers(items), pipeline.Buffer(int(buffer)))
		sq := pipeline.Map(src, square, opts...)
		odd := pipeline.Filter(sq, func(_ context.Context, v int) (bool, error) { return v%2 == 1, nil }, opts...)
		sum, err := pipeline.RunReduce(context.Background(), odd, 0, func(_ context.Context, acc, v int) (int, error) { return acc + v, nil })
		require.NoError(t, err)
		want := 0
		for i := range items {
			if i*i%2 == 1 {
				want += i * i
			}
		}
		require.Equal(t, want, sum, "n=%d workers=%d buffer=%d ordered=%v", items, workers%8+1, buffer, ordered)
	})
}

func TestOrderedStageAfterSeveralWritersKeepsEachWritersOrder(t *testing.T) {
	for _, workers := range []int{2, 5} {
		p := pipeline.New()
		evens, odds := make([]int, 0, 500), make([]int, 0, 500)
		for i := range 1000 {
			if i%2 == 0 {
				evens = append(evens, i)
			} else {
				odds = append(odds, i)
			}
		}
		merged := pipeline.Merge([]*pipeline.Stage[int]{pipeline.FromSlice(p, evens), pipeline.FromSlice(p, odds)})
		rng := rand.New(rand.NewPCG(uint64(workers), 1))
		delays := make([]int, 1000)
		for i := range delays {
			delays[i] = rng.IntN(30)
		}
		out := pipeline.Map(merged, func(_ context.Context, v int) (int, error) {
			for range delays[v] {
				runtime.Gosched()
			}
			return v, nil
		}, pipeline.Workers(workers), pipeline.Ordered())
		got, err := pipeline.RunCollect(context.Background(), out)
		require.NoError(t, err)
		require.Len(t, got, 1000)
		var gotEvens, gotOdds []int
		for _, v := range got {
			if v%2 == 0 {
				gotEvens = append(gotEvens, v)
			} else {
				gotOdds = append(gotOdds, v)
			}
		}
		require.Equal(t, evens, gotEvens, "workers=%d: the order of the first input changed", workers)
		require.Equal(t, odds, gotOdds, "workers=%d: the order of the second input changed", workers)
	}
}
