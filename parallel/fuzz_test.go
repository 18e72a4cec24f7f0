package parallel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// FuzzMapAndReduceMatchTheSequentialAnswer runs Map, Reduce, MapReduce and
// For over random inputs with random chunk sizes and worker counts, with
// helpers forced on, and compares each with a plain loop: Map element by
// element, an exact integer sum, a concatenation (which only an in-order
// combine gets right), and a float sum bit for bit against the documented
// association.
func FuzzMapAndReduceMatchTheSequentialAnswer(f *testing.F) {
	f.Add(uint16(0), uint8(0), uint8(1), uint64(1))
	f.Add(uint16(1), uint8(1), uint8(2), uint64(2))
	f.Add(uint16(17), uint8(0), uint8(8), uint64(3))
	f.Add(uint16(1000), uint8(7), uint8(3), uint64(4))
	f.Add(uint16(4099), uint8(0), uint8(5), uint64(5))
	f.Add(uint16(65535), uint8(255), uint8(8), uint64(6))
	f.Fuzz(func(t *testing.T, n uint16, chunk, workers uint8, seed uint64) {
		forceHelpers(t, 8)
		r := rand.New(rand.NewPCG(seed, seed))
		in := make([]int, n)
		fl := make([]float64, n)
		for i := range in {
			in[i] = r.IntN(2000) - 1000
			fl[i] = (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(12)))
		}
		opts := []Option{Workers(1 + int(workers)%8)}
		if chunk > 0 {
			opts = append(opts, Chunk(int(chunk)))
		}

		out := Map(in, func(v int) int { return 3*v + 1 }, opts...)
		for i, v := range in {
			if out[i] != 3*v+1 {
				t.Fatalf("n=%d opts=%v: Map out[%d] = %d, want %d", n, opts, i, out[i], 3*v+1)
			}
		}

		want := 0
		for _, v := range in {
			want += v
		}
		got := Reduce(in, func() int { return 0 }, func(acc int, c []int) int {
			for _, v := range c {
				acc += v
			}
			return acc
		}, func(a, b int) int { return a + b }, opts...)
		if got != want {
			t.Fatalf("n=%d opts=%v: Reduce sum = %d, want %d", n, opts, got, want)
		}
		if got := MapReduce(in, func() int { return 0 }, func(v int) int { return v }, func(a, b int) int { return a + b }, opts...); got != want {
			t.Fatalf("n=%d opts=%v: MapReduce sum = %d, want %d", n, opts, got, want)
		}

		cat := Reduce(in, func() []int { return nil }, func(acc, c []int) []int { return append(acc, c...) },
			func(a, b []int) []int { return append(a, b...) }, opts...)
		if !slices.Equal(cat, in) && len(in) > 0 {
			t.Fatalf("n=%d opts=%v: concatenating the chunks did not give the input back", n, opts)
		}

		leaf := int(chunk)
		if leaf == 0 && n > 0 {
			leaves := reductionLeaves(int(n))
			leaf = (int(n) + leaves - 1) / leaves
		}
		manual := chunkedSum(fl, leaf)
		if fs := Reduce(fl, zero, sumFold, add, opts...); math.Float64bits(fs) != math.Float64bits(manual) {
			t.Fatalf("n=%d opts=%v: float Reduce = %v, want %v bit for bit", n, opts, fs, manual)
		}
	})
}
