package parallel_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/tandem-go/tandem/parallel"
)

// A transaction of the synthetic ledger the examples report on.
type transaction struct {
	account int
	cents   int64
}

// ledger makes n transactions over 5 accounts, deterministically.
func ledger(n int) []transaction {
	txs := make([]transaction, n)
	for i := range txs {
		txs[i] = transaction{account: i % 5, cents: int64(i%1000) - 300}
	}
	return txs
}

// The report of the package's motivation: per-account totals over a million
// transactions. Each chunk is folded into its own fresh map, so no map is
// shared between goroutines, and the chunk maps are merged in chunk order.
func ExampleReduce() {
	txs := ledger(1_000_000)
	totals, err := parallel.Reduce(context.Background(), txs,
		func() map[int]int64 { return map[int]int64{} },
		func(_ context.Context, acc map[int]int64, chunk []transaction) (map[int]int64, error) {
			for _, tx := range chunk {
				acc[tx.account] += tx.cents
			}
			return acc, nil
		},
		func(a, b map[int]int64) map[int]int64 {
			for account, cents := range b {
				a[account] += cents
			}
			return a
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	for account := range 5 {
		fmt.Printf("account %d: %d cents\n", account, totals[account])
	}
	// Output:
	// account 0: 39500000 cents
	// account 1: 39700000 cents
	// account 2: 39900000 cents
	// account 3: 40100000 cents
	// account 4: 40300000 cents
}

// What MapReduce(in, identity, mapf, combine) did, a function per element
// combined into the chunk's accumulator, is a loop in Reduce's fold, where
// it costs no call per element.
func ExampleReduce_mapReduce() {
	xs := []float64{1, 2, 3, 4}
	sumSquares, err := parallel.Reduce(context.Background(), xs,
		func() float64 { return 0 },
		func(_ context.Context, acc float64, chunk []float64) (float64, error) {
			for _, x := range chunk {
				acc += float64(x * x) // mapf(x), combined; the conversion forbids fusing into an FMA
			}
			return acc, nil
		},
		func(a, b float64) float64 { return a + b })
	fmt.Println(sumSquares, err)
	// Output: 30 <nil>
}

// For hands each goroutine a range; the body loops over it at the speed of
// a plain loop. Here it fills a slice that already exists.
func ExampleFor() {
	xs := make([]float64, 1_000_000)
	err := parallel.For(context.Background(), len(xs), func(_ context.Context, lo, hi int) error {
		for i := lo; i < hi; i++ {
			xs[i] = math.Sqrt(float64(i))
		}
		return nil
	})
	fmt.Println(xs[4], xs[999_999], err)
	// Output: 2 999.999499999875 <nil>
}

// An element function that can fail is written with For over the caller's
// own result slice: the body loops over its range and returns the first
// error, which stops the chunks not yet started. There is no partial
// result to use: on failure, the caller drops out.
func ExampleFor_elementsThatCanFail() {
	parse := func(ctx context.Context, lines []string) ([]int, error) {
		out := make([]int, len(lines))
		err := parallel.For(ctx, len(lines), func(_ context.Context, lo, hi int) error {
			for i := lo; i < hi; i++ {
				v, err := strconv.Atoi(lines[i])
				if err != nil {
					return fmt.Errorf("line %d: %w", i+1, err)
				}
				out[i] = v
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	fmt.Println(parse(context.Background(), strings.Split("10,20,30,40", ",")))
	_, err := parse(context.Background(), strings.Split("10,20,x,40", ","))
	fmt.Println(err)
	// Output:
	// [10 20 30 40] <nil>
	// line 3: strconv.Atoi: parsing "x": invalid syntax
}

// Map keeps the order of its input.
func ExampleMap() {
	blobs := []string{"a", "bb", "ccc"}
	sums, err := parallel.Map(context.Background(), blobs, func(b string) [32]byte { return sha256.Sum256([]byte(b)) })
	fmt.Printf("%x %v\n", sums[0][:4], err)
	// Output: ca978112 <nil>
}

// Map's only error is its context's cause, with no results.
func ExampleMap_canceled() {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("client went away"))
	out, err := parallel.Map(ctx, make([]int, 1000), func(v int) int { return v + 1 })
	fmt.Println(out == nil, err)
	// Output: true client went away
}

// Chunk fixes the chunk boundaries: the body sees [0,4) [4,8) [8,10).
func ExampleChunk() {
	starts := make([]bool, 10)
	_ = parallel.For(context.Background(), 10, func(_ context.Context, lo, hi int) error {
		starts[lo] = true
		return nil
	}, parallel.Chunk(4))
	fmt.Println(starts[0], starts[4], starts[8], starts[1])
	// Output: true true true false
}

// MinChunk keeps automatic chunks at least this large (the last one may be
// shorter), here for a body with a set-up cost per chunk.
func ExampleMinChunk() {
	var small atomic.Int64
	_ = parallel.For(context.Background(), 100_000, func(_ context.Context, lo, hi int) error {
		if hi-lo < 64 && hi != 100_000 {
			small.Add(1)
		}
		return nil
	}, parallel.MinChunk(64))
	fmt.Println("chunks under 64 items, the last aside:", small.Load())
	// Output: chunks under 64 items, the last aside: 0
}

// Workers(1) runs the call on the caller alone: handy to debug a body.
func ExampleWorkers() {
	order := []int{}
	_ = parallel.For(context.Background(), 3, func(_ context.Context, lo, hi int) error {
		for i := lo; i < hi; i++ {
			order = append(order, i) // safe: only the caller runs
		}
		return nil
	}, parallel.Workers(1))
	fmt.Println(order)
	// Output: [0 1 2]
}

// Progress is called on the caller, so it needs no lock.
func ExampleProgress() {
	var last string
	_ = parallel.For(context.Background(), 1_000_000, func(context.Context, int, int) error { return nil },
		parallel.Progress(func(done, total int) {
			last = fmt.Sprintf("%d/%d", done, total)
		}))
	fmt.Println(last)
	// Output: 1000000/1000000
}
