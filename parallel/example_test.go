package parallel_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"strings"

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
// shared between goroutines, and the chunk maps are merged in order.
func ExampleReduce() {
	txs := ledger(1_000_000)
	totals := parallel.Reduce(txs,
		func() map[int]int64 { return map[int]int64{} },
		func(acc map[int]int64, chunk []transaction) map[int]int64 {
			for _, tx := range chunk {
				acc[tx.account] += tx.cents
			}
			return acc
		},
		func(a, b map[int]int64) map[int]int64 {
			for account, cents := range b {
				a[account] += cents
			}
			return a
		})
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

// For hands each goroutine a range; the body loops over it at the speed of
// a plain loop. Here it fills a slice that already exists.
func ExampleFor() {
	xs := make([]float64, 1_000_000)
	parallel.For(len(xs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xs[i] = math.Sqrt(float64(i))
		}
	})
	fmt.Println(xs[4], xs[999_999])
	// Output: 2 999.999499999875
}

// ForCtx stops at the first error: chunks not yet started never start.
func ExampleForCtx() {
	lines := strings.Split("10,20,x,40", ",")
	sum := make([]int, len(lines))
	err := parallel.ForCtx(context.Background(), len(lines), func(ctx context.Context, lo, hi int) error {
		for i := lo; i < hi; i++ {
			if _, err := fmt.Sscan(lines[i], &sum[i]); err != nil {
				return fmt.Errorf("line %d: %w", i+1, err)
			}
		}
		return nil
	})
	fmt.Println(err != nil, strings.HasPrefix(err.Error(), "line 3"))
	// Output: true true
}

// ForEach updates elements in place.
func ExampleForEach() {
	prices := []float64{10, 20, 30}
	parallel.ForEach(prices, func(i int, p *float64) { *p *= 1.2 })
	fmt.Printf("%.0f\n", prices)
	// Output: [12 24 36]
}

// ForEachCtx gives up when the caller's context is done.
func ExampleForEachCtx() {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("client went away"))
	err := parallel.ForEachCtx(ctx, make([]int, 1000), func(ctx context.Context, i int, v *int) error {
		*v = i
		return nil
	})
	fmt.Println(err)
	// Output: client went away
}

// Map keeps the order of its input.
func ExampleMap() {
	blobs := []string{"a", "bb", "ccc"}
	sums := parallel.Map(blobs, func(b string) [32]byte { return sha256.Sum256([]byte(b)) })
	fmt.Printf("%x\n", sums[0][:4])
	// Output: ca978112
}

// MapCtx returns every result, or the first error and no results.
func ExampleMapCtx() {
	ids := []int{1, 2, 3}
	names, err := parallel.MapCtx(context.Background(), ids, func(ctx context.Context, id int) (string, error) {
		return fmt.Sprintf("user-%d", id), nil
	})
	fmt.Println(names, err)
	// Output: [user-1 user-2 user-3] <nil>
}

// ReduceCtx is Reduce for a fold that can fail.
func ExampleReduceCtx() {
	txs := ledger(10_000)
	total, err := parallel.ReduceCtx(context.Background(), txs,
		func() int64 { return 0 },
		func(ctx context.Context, acc int64, chunk []transaction) (int64, error) {
			for _, tx := range chunk {
				if tx.account < 0 {
					return 0, fmt.Errorf("transaction with no account")
				}
				acc += tx.cents
			}
			return acc, nil
		},
		func(a, b int64) int64 { return a + b })
	fmt.Println(total, err)
	// Output: 1995000 <nil>
}

// MapReduce maps each element and combines; with a fixed length and
// options, a float result is the same bits on every run and machine.
func ExampleMapReduce() {
	xs := []float64{1, 2, 3, 4}
	sumSquares := parallel.MapReduce(xs,
		func() float64 { return 0 },
		func(x float64) float64 { return x * x },
		func(a, b float64) float64 { return a + b })
	fmt.Println(sumSquares)
	// Output: 30
}

// MapReduceCtx is MapReduce for a mapping that can fail.
func ExampleMapReduceCtx() {
	words := []string{"go", "is", "fun"}
	letters, err := parallel.MapReduceCtx(context.Background(), words,
		func() int { return 0 },
		func(ctx context.Context, w string) (int, error) { return len(w), nil },
		func(a, b int) int { return a + b })
	fmt.Println(letters, err)
	// Output: 7 <nil>
}

// Chunk fixes the chunk boundaries: the body sees [0,4) [4,8) [8,10).
func ExampleChunk() {
	starts := make([]bool, 10)
	parallel.For(10, func(lo, hi int) { starts[lo] = true }, parallel.Chunk(4))
	fmt.Println(starts[0], starts[4], starts[8], starts[1])
	// Output: true true true false
}

// Workers(1) runs the call inline on the caller: handy to debug a body.
func ExampleWorkers() {
	order := []int{}
	parallel.For(3, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			order = append(order, i) // safe: only the caller runs
		}
	}, parallel.Workers(1))
	fmt.Println(order)
	// Output: [0 1 2]
}

// Progress is called on the caller, so it needs no lock.
func ExampleProgress() {
	var last string
	parallel.For(1_000_000, func(lo, hi int) {}, parallel.Progress(func(done, total int) {
		last = fmt.Sprintf("%d/%d", done, total)
	}))
	fmt.Println(last)
	// Output: 1000000/1000000
}
