package ordered_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/internal/ordered"
)

// emitInOrder runs workers that take the numbers 0..n-1 from a channel,
// yield a random number of times each (a random delay without wall-clock
// sleeps), and pass [v, v] on through a window; it returns what was emitted
// and the most tickets ever in flight.
func emitInOrder(t *testing.T, workers, size, n int, seed uint64) (got []int, maxAhead int64) {
	t.Helper()
	in := make(chan int)
	go func() {
		for i := range n {
			in <- i
		}
		close(in)
	}()
	win := ordered.NewWindow[int](size)
	ctx := context.Background()
	var taken, emitted atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		wg.Go(func() {
			var v int
			for {
				ticket, ok := win.Take(ctx, func() bool {
					var more bool
					v, more = <-in
					return more
				})
				if !ok {
					return
				}
				if ahead := taken.Add(1) - emitted.Load(); ahead > atomic.LoadInt64(&maxAhead) {
					atomic.StoreInt64(&maxAhead, ahead)
				}
				assert.EqualValues(t, v, ticket, "tickets follow the input order")
				for range rng.IntN(20) {
					runtime.Gosched()
				}
				ok = win.Done(ticket, []int{v, v}, func(vals []int) bool {
					got = append(got, vals...) // safe: one emitter at a time
					emitted.Add(1)
					return true
				}, func(bool) bool { return true })
				assert.True(t, ok)
			}
		})
	}
	wg.Wait()
	return got, maxAhead
}

func want(n int) []int {
	w := make([]int, 0, 2*n)
	for i := range n {
		w = append(w, i, i)
	}
	return w
}

func TestWindowEmitsInTheOrderInputsWereTaken(t *testing.T) {
	for _, workers := range []int{1, 2, 4, 9} {
		for _, size := range []int{1, 2, 8} {
			got, ahead := emitInOrder(t, workers, size, 300, uint64(workers*10+size))
			require.Equal(t, want(300), got, "workers=%d size=%d", workers, size)
			assert.LessOrEqual(t, ahead, int64(size), "workers=%d size=%d: tickets in flight beyond the window", workers, size)
		}
	}
}

func FuzzWindowKeepsOrder(f *testing.F) {
	f.Add(uint8(3), uint8(2), uint8(50), uint64(1))
	f.Add(uint8(1), uint8(1), uint8(10), uint64(2))
	f.Add(uint8(8), uint8(16), uint8(200), uint64(3))
	f.Fuzz(func(t *testing.T, workers, size, n uint8, seed uint64) {
		w, s := int(workers%8)+1, int(size%16)+1
		got, ahead := emitInOrder(t, w, s, int(n), seed)
		require.Equal(t, want(int(n)), append([]int{}, got...), "workers=%d size=%d n=%d seed=%d", w, s, n, seed)
		require.LessOrEqual(t, ahead, int64(s), "workers=%d size=%d: tickets in flight beyond the window", w, s)
	})
}

func TestWindowTakersLeaveWhenCtxIsDone(t *testing.T) {
	win := ordered.NewWindow[int](1)
	ctx, cancel := context.WithCancel(context.Background())
	ticket, ok := win.Take(ctx, func() bool { return true })
	require.True(t, ok)
	require.Zero(t, ticket)
	// The window of 1 is full until ticket 0 is done: the next taker waits.
	var wg sync.WaitGroup
	var tookSecond bool
	wg.Go(func() { _, tookSecond = win.Take(ctx, func() bool { return true }) })
	cancel()
	wg.Wait()
	assert.False(t, tookSecond, "Take went past a full window")
}

func TestWindowReportsDrainedOnlyWhenNothingIsInFlight(t *testing.T) {
	win := ordered.NewWindow[string](4)
	ctx := context.Background()
	take := func() bool { return true }
	t0, _ := win.Take(ctx, take)
	t1, _ := win.Take(ctx, take)
	var out []string
	var drained []bool
	emit := func(v []string) bool { out = append(out, v...); return true }
	idle := func(d bool) bool { drained = append(drained, d); return true }
	require.True(t, win.Done(t1, []string{"b"}, emit, idle))
	assert.Empty(t, out, "ticket 1 must wait for ticket 0")
	require.True(t, win.Done(t0, []string{"a"}, emit, idle))
	assert.Equal(t, []string{"a", "b"}, out)
	assert.Equal(t, []bool{true}, drained)
}

// emitStamped is emitInOrder with tickets numbered by the producer: the
// workers receive (ticket, value) pairs and wait for room themselves.
func emitStamped(t *testing.T, workers, size, n int, seed uint64) (got []int, maxAhead int64) {
	t.Helper()
	type stamped struct{ ticket, v int }
	in := make(chan stamped)
	go func() {
		for i := range n {
			in <- stamped{i, i}
		}
		close(in)
	}()
	win := ordered.NewWindow[int](size)
	ctx := context.Background()
	var emitted atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		wake := make(chan struct{}, 1)
		wg.Go(func() {
			for s := range in {
				win.Arrived(uint64(s.ticket))
				for range rng.IntN(20) {
					runtime.Gosched()
				}
				if !assert.True(t, win.WaitRoom(ctx, uint64(s.ticket), wake)) {
					return
				}
				if ahead := int64(s.ticket) + 1 - emitted.Load(); ahead > atomic.LoadInt64(&maxAhead) {
					atomic.StoreInt64(&maxAhead, ahead)
				}
				assert.True(t, win.Done(uint64(s.ticket), []int{s.v, s.v}, func(vals []int) bool {
					got = append(got, vals...)
					emitted.Add(1)
					return true
				}, func(bool) bool { return true }))
			}
		})
	}
	wg.Wait()
	return got, maxAhead
}

func TestWindowOrdersTicketsNumberedByTheProducer(t *testing.T) {
	for _, workers := range []int{1, 3, 8} {
		for _, size := range []int{1, 2, 16} {
			got, ahead := emitStamped(t, workers, size, 300, uint64(workers*10+size))
			require.Equal(t, want(300), got, "workers=%d size=%d", workers, size)
			assert.LessOrEqual(t, ahead, int64(size), "workers=%d size=%d: results held beyond the window", workers, size)
		}
	}
}

func TestWindowPendingCountsResultsNeverPassedOn(t *testing.T) {
	win := ordered.NewWindow[int](8)
	for ticket := range uint64(4) {
		win.Arrived(ticket)
	}
	var emitted []int
	emit := func(vals []int) bool {
		for _, v := range vals {
			if v == 1 {
				return false // the consumer stopped while ticket 1 was passed on
			}
			emitted = append(emitted, v)
		}
		return true
	}
	idle := func(bool) bool { return true }
	require.True(t, win.Done(1, []int{1}, emit, idle))
	require.True(t, win.Done(2, []int{2}, emit, idle))
	require.True(t, win.Done(3, nil, emit, idle), "ticket 3 has no results (filtered out)")
	require.Equal(t, 2, win.Pending(), "tickets 1 and 2 wait for ticket 0")

	require.False(t, win.Done(0, []int{0}, emit, idle), "emit failed on ticket 1")
	require.Equal(t, []int{0}, emitted)
	require.Equal(t, 1, win.Pending(), "ticket 0 was passed on, ticket 1 accounted by the failed emit: only ticket 2 is left")
}
