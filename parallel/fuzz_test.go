package parallel

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
)

// FuzzForMapAndReduceKeepTheirInvariants runs For, Map and Reduce over
// random inputs with random chunking and worker counts, with helpers forced
// on, and checks the invariants of the package: For visits every index
// once, Map equals a plain loop element by element, reductions equal the
// sequential answer (an exact integer sum, a concatenation that only an
// in-order combine gets right, and a float sum bit for bit against the
// documented association), and no form ever has more than Workers bodies in
// flight.
func FuzzForMapAndReduceKeepTheirInvariants(f *testing.F) {
	f.Add(uint16(0), uint8(0), uint8(0), uint8(1), uint64(1))
	f.Add(uint16(1), uint8(1), uint8(0), uint8(2), uint64(2))
	f.Add(uint16(17), uint8(0), uint8(3), uint8(8), uint64(3))
	f.Add(uint16(1000), uint8(7), uint8(0), uint8(3), uint64(4))
	f.Add(uint16(4099), uint8(0), uint8(0), uint8(5), uint64(5))
	f.Add(uint16(4099), uint8(0), uint8(200), uint8(4), uint64(7))
	f.Add(uint16(65535), uint8(255), uint8(0), uint8(8), uint64(6))
	f.Fuzz(func(t *testing.T, n uint16, chunk, minChunk, workers uint8, seed uint64) {
		r := rand.New(rand.NewPCG(seed, seed))
		in := make([]int, n)
		fl := make([]float64, n)
		for i := range in {
			in[i] = r.IntN(2000) - 1000
			fl[i] = (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(12)))
		}
		w := 1 + int(workers)%8
		opts := []Option{Workers(w)}
		if chunk > 0 {
			opts = append(opts, Chunk(int(chunk)))
		}
		if minChunk > 0 {
			opts = append(opts, MinChunk(int(minChunk)))
		}
		var reports [][2]int
		if seed%2 == 0 {
			opts = append(opts, Progress(func(done, total int) { reports = append(reports, [2]int{done, total}) }))
		}
		what := fmt.Sprintf("n=%d opts=%v", n, opts)
		opts = forced(8, opts...)
		var flight inFlight
		checkFlight := func(form string) {
			t.Helper()
			if got := flight.max(); got > w {
				t.Fatalf("%s: %s had %d bodies in flight, want at most Workers = %d", what, form, got, w)
			}
			flight.reset()
			checkProgress(t, what+" "+form, reports, int(n), seed%2 == 0)
			reports = nil
		}

		hits := make([]atomic.Int32, n)
		err := For(bg, int(n), func(_ context.Context, lo, hi int) error {
			flight.enter()
			defer flight.leave()
			for i := lo; i < hi; i++ {
				hits[i].Add(1)
			}
			return nil
		}, opts...)
		if err != nil {
			t.Fatalf("%s: For: %v", what, err)
		}
		for i := range hits {
			if got := hits[i].Load(); got != 1 {
				t.Fatalf("%s: For visited index %d %d times, want 1", what, i, got)
			}
		}
		checkFlight("For")

		out, err := Map(bg, in, func(v int) int {
			flight.enter()
			defer flight.leave()
			return 3*v + 1
		}, opts...)
		if err != nil || len(out) != len(in) {
			t.Fatalf("%s: Map returned %d results and %v", what, len(out), err)
		}
		for i, v := range in {
			if out[i] != 3*v+1 {
				t.Fatalf("%s: Map out[%d] = %d, want %d", what, i, out[i], 3*v+1)
			}
		}
		checkFlight("Map")

		want := 0
		for _, v := range in {
			want += v
		}
		got, err := Reduce(bg, in, func() int { return 0 }, func(ctx context.Context, acc int, c []int) (int, error) {
			flight.enter()
			defer flight.leave()
			return sumInts(ctx, acc, c)
		}, addInts, opts...)
		if err != nil || got != want {
			t.Fatalf("%s: Reduce sum = %d, %v, want %d", what, got, err, want)
		}
		checkFlight("Reduce")

		cat, err := Reduce(bg, in, func() []int { return nil }, concat, appendInts, opts...)
		if err != nil || (!slices.Equal(cat, in) && len(in) > 0) {
			t.Fatalf("%s: concatenating the chunks did not give the input back (%v)", what, err)
		}

		leaf := int(chunk)
		if leaf == 0 && n > 0 {
			leaf = max(int(minChunk), ceilDiv(int(n), reductionLeaves(int(n))))
		}
		manual := chunkedSum(fl, leaf)
		if fs, err := Reduce(bg, fl, zero, sumFold, add, opts...); err != nil || math.Float64bits(fs) != math.Float64bits(manual) {
			t.Fatalf("%s: float Reduce = %v, %v, want %v bit for bit", what, fs, err, manual)
		}
	})
}

// checkProgress fails unless reports rise, stay within about one per 1% of
// the items and end at (n, n), or are absent without Progress or items.
func checkProgress(t *testing.T, what string, reports [][2]int, n int, on bool) {
	t.Helper()
	if !on || n == 0 {
		if len(reports) > 0 {
			t.Fatalf("%s: progress reported %v with nothing to report", what, reports)
		}
		return
	}
	if len(reports) == 0 || reports[len(reports)-1] != [2]int{n, n} || len(reports) > 102 {
		t.Fatalf("%s: progress reports %v, want at most 102 ending at (%d, %d)", what, reports, n, n)
	}
	for i := 1; i < len(reports); i++ {
		if reports[i-1][0] >= reports[i][0] || reports[i][1] != n {
			t.Fatalf("%s: progress reports %v do not rise", what, reports)
		}
	}
}
