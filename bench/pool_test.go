package bench

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/gammazero/workerpool"
	"github.com/panjf2000/ants/v2"
	concpool "github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"

	"github.com/tandem-go/tandem/pool"
)

// The pool families run the same batch in every implementation: construct
// the pool, submit n tasks from one goroutine with concurrency limit 100,
// wait for all of them, tear the pool down. Task closures are built once per
// batch, so B/item and allocs/item are the library's own.

const poolLimit = 100

// poolPeers is one batch per implementation: run calls task n times under
// a limit of poolLimit and returns when all calls have returned.
var poolPeers = []struct {
	name string
	run  func(n int, task func())
}{
	{"tandem", func(n int, task func()) {
		p := pool.New(poolLimit)
		f := func(context.Context) error { task(); return nil }
		ctx := context.Background()
		for range n {
			_ = p.Submit(ctx, f)
		}
		p.Close()
	}},
	{"go+sem", func(n int, task func()) {
		sem := make(chan struct{}, poolLimit)
		var wg sync.WaitGroup
		for range n {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				task()
				<-sem
				wg.Done()
			}()
		}
		wg.Wait()
	}},
	{"errgroup", func(n int, task func()) {
		var g errgroup.Group
		g.SetLimit(poolLimit)
		f := func() error { task(); return nil }
		for range n {
			g.Go(f)
		}
		_ = g.Wait()
	}},
	{"conc", func(n int, task func()) {
		p := concpool.New().WithMaxGoroutines(poolLimit)
		for range n {
			p.Go(task)
		}
		p.Wait()
	}},
	{"pond", func(n int, task func()) {
		p := pond.NewPool(poolLimit)
		for range n {
			p.Go(task)
		}
		p.StopAndWait()
	}},
	{"ants", func(n int, task func()) {
		p, _ := ants.NewPool(poolLimit)
		var wg sync.WaitGroup
		f := func() { task(); wg.Done() }
		for range n {
			wg.Add(1)
			_ = p.Submit(f)
		}
		wg.Wait()
		_ = p.ReleaseTimeout(5 * time.Second)
	}},
	{"gammazero", func(n int, task func()) {
		wp := workerpool.New(poolLimit)
		for range n {
			wp.Submit(task)
		}
		wp.StopWait()
	}},
}

// runPeers runs one sub-benchmark per implementation, each doing a batch of
// n calls of task per op, and reports per-item figures plus CPU per item
// (user+sys time of the process, steadier than wall time on a busy machine).
func runPeers(b *testing.B, n int, task func()) {
	for _, peer := range poolPeers {
		b.Run(peer.name, func(b *testing.B) {
			before := cpuTime()
			perItem(b, n, func() { peer.run(n, task) })
			b.ReportMetric(float64((cpuTime()-before).Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/item")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPoolTrivial measures dispatch: 1e6 empty tasks (1e4 with -short).
func BenchmarkPoolTrivial(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	runPeers(b, n, func() {})
}

// BenchmarkPoolSleep is I/O-like work: 1e5 tasks of time.Sleep(1ms) (1e3
// with -short). The ideal is n*1ms/100 of wall time, 10 µs per item.
func BenchmarkPoolSleep(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 1_000
	}
	runPeers(b, n, func() { time.Sleep(time.Millisecond) })
}

// BenchmarkPoolDeepStack runs 1e5 tasks (1e3 with -short) that each use
// about 20 KiB of stack, like a deep client call chain: a fresh goroutine
// per task pays for growing its stack every time, a reused worker once.
func BenchmarkPoolDeepStack(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 1_000
	}
	runPeers(b, n, func() {
		if deepStack(80) < 0 { // never: keeps the call without a result to store
			panic("unreachable")
		}
	})
}

//go:noinline
func deepStack(depth int) int {
	var frame [256]byte
	frame[depth%len(frame)] = byte(depth)
	if depth == 0 {
		return int(frame[0])
	}
	return deepStack(depth-1) + int(frame[depth%len(frame)])
}

// BenchmarkPoolGroupResults collects 1e5 results (1e3 with -short) of a
// trivial task in submission order under limit 100.
func BenchmarkPoolGroupResults(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 1_000
	}
	square := func(i int) int { return i * i }
	b.Run("tandem", func(b *testing.B) {
		perItem(b, n, func() {
			g := pool.NewResultGroup[int](context.Background(), poolLimit)
			for i := range n {
				g.Go(func(context.Context) (int, error) { return square(i), nil })
			}
			v, _ := g.Wait()
			sink = v
		})
	})
	b.Run("errgroup", func(b *testing.B) {
		perItem(b, n, func() {
			g, _ := errgroup.WithContext(context.Background())
			g.SetLimit(poolLimit)
			v := make([]int, n)
			for i := range n {
				g.Go(func() error { v[i] = square(i); return nil })
			}
			_ = g.Wait()
			sink = v
		})
	})
	b.Run("conc", func(b *testing.B) {
		perItem(b, n, func() {
			p := concpool.NewWithResults[int]().WithMaxGoroutines(poolLimit)
			for i := range n {
				p.Go(func() int { return square(i) })
			}
			sink = p.Wait()
		})
	})
	b.Run("pond", func(b *testing.B) {
		perItem(b, n, func() {
			p := pond.NewResultPool[int](poolLimit)
			g := p.NewGroup()
			for i := range n {
				g.Submit(func() int { return square(i) })
			}
			v, _ := g.Wait()
			p.StopAndWait()
			sink = v
		})
	})
}
