package ordered_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/internal/ordered"
)

// emitInOrder runs workers that take the numbers 0..n-1 from a channel,
// yield a random number of times each (a random delay without wall-clock sleeps), and append them to a slice under the chain.
func emitInOrder(t *testing.T, workers, n int, seed uint64) []int {
	t.Helper()
	in := make(chan int)
	go func() {
		for i := range n {
			in <- i
		}
		close(in)
	}()
	chain := ordered.NewChain()
	ctx := context.Background()
	var got []int
	var wg sync.WaitGroup
	for w := range workers {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		delays := make([]int, n)
		for i := range delays {
			delays[i] = rng.IntN(20)
		}
		wg.Go(func() {
			link := chain.Link()
			for {
				if !assert.True(t, link.Enter(ctx)) {
					return
				}
				v, ok := <-in
				if !ok {
					link.Abort()
					return
				}
				link.Taken()
				for range delays[v] {
					runtime.Gosched()
				}
				if !assert.True(t, link.Wait(ctx)) {
					return
				}
				got = append(got, v) // safe: the chain serialises emission
				link.Emitted()
			}
		})
	}
	wg.Wait()
	return got
}

func TestChainEmitsInTheOrderInputsWereTaken(t *testing.T) {
	for _, workers := range []int{1, 2, 4, 9} {
		got := emitInOrder(t, workers, 200, uint64(workers))
		want := make([]int, 200)
		for i := range want {
			want[i] = i
		}
		require.Equal(t, want, got, "workers=%d", workers)
	}
}

func FuzzChainKeepsOrder(f *testing.F) {
	f.Add(uint8(3), uint8(50), uint64(1))
	f.Add(uint8(1), uint8(10), uint64(2))
	f.Add(uint8(8), uint8(100), uint64(3))
	f.Fuzz(func(t *testing.T, workers, n uint8, seed uint64) {
		w := int(workers%8) + 1
		got := emitInOrder(t, w, int(n), seed)
		for i, v := range got {
			if v != i {
				t.Fatalf("workers=%d n=%d seed=%d: position %d holds %d, want %d", w, n, seed, i, v, i)
			}
		}
		require.Len(t, got, int(n))
	})
}

func TestChainWaitersLeaveWhenCtxIsDone(t *testing.T) {
	chain := ordered.NewChain()
	ctx, cancel := context.WithCancel(context.Background())
	first, second := chain.Link(), chain.Link()
	require.True(t, first.Enter(ctx))
	first.Taken()
	require.True(t, second.Enter(ctx))
	second.Taken()
	// The turn is free again, but second must wait for first to emit.
	var wg sync.WaitGroup
	var waited bool
	wg.Go(func() { waited = second.Wait(ctx) })
	cancel()
	wg.Wait()
	assert.False(t, waited, "Wait returned true although the predecessor never emitted")

	third := chain.Link()
	require.True(t, third.Enter(context.Background()), "the turn must be free after Taken")
	blocked := chain.Link()
	assert.False(t, blocked.Enter(ctx), "Enter must give up when ctx is done and the turn is held")
}
