package pool_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/pool"
)

// bytesPerRun returns the heap bytes f allocates, averaged over runs.
func bytesPerRun(runs int, f func()) uint64 {
	f() // warm up, as testing.AllocsPerRun does
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

// Issue #13.3: New preallocated its queue at the bound, and a group its own
// pool's, so NewGroup(ctx, 1_000_000) and one task allocated 48 MB. Memory
// follows what is queued and running: a huge bound, or none, costs what a
// small one does.
func TestMemoryFollowsTheTasksNotTheBound(t *testing.T) {
	ctx := context.Background()
	task := func(context.Context) error { return nil }
	uses := map[string]func(workers int){
		"New": func(workers int) {
			p := pool.New(workers)
			_ = p.Submit(ctx, task)
			p.Close()
		},
		"NewGroup": func(workers int) {
			g := pool.NewGroup(ctx, workers)
			g.Go(task)
			_ = g.Wait()
		},
		"NewResultGroup": func(workers int) {
			g := pool.NewResultGroup[int](ctx, workers)
			g.Go(func(context.Context) (int, error) { return 1, nil })
			_, _ = g.Wait()
		},
	}
	for name, use := range uses {
		small := bytesPerRun(20, func() { use(1) })
		for _, workers := range []int{1_000, 1_000_000, pool.Unlimited} {
			if workers == pool.Unlimited && name == "New" {
				continue
			}
			big := bytesPerRun(20, func() { use(workers) })
			// A little slack for the runtime's own noise; the bug was MBs.
			assert.LessOrEqual(t, big, small+1024, "%s(%d) allocates %d B, %s(1) %d B", name, workers, big, name, small)
		}
	}
}

// Hot paths keep their allocation count: none per Submit of a trivial task
// on a warm pool, whatever ctx, and no more than the task's own closure
// (built once here) per group Go, amortized over a group.
func TestSubmitAndGroupGoAllocateNothingPerTask(t *testing.T) {
	task := func(context.Context) error { return nil }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for name, ctx := range map[string]context.Context{"Background": context.Background(), "a cancelable ctx": ctx} {
		p := pool.New(8)
		allocs := testing.AllocsPerRun(10_000, func() { _ = p.Submit(ctx, task) })
		p.Close()
		assert.Zero(t, allocs, "allocations per Submit with %s", name)
	}
	shared := pool.New(4)
	defer shared.Close()
	for name, opts := range map[string][]pool.Option{"own workers": nil, "on a shared pool": {pool.OnPool(shared)}} {
		const n = 1000
		perTask := testing.AllocsPerRun(20, func() {
			g := pool.NewGroup(ctx, 8, opts...)
			for range n {
				g.Go(task)
			}
			_ = g.Wait()
		}) / n
		// A group's fixed costs (its ctx, its workers' start) spread over
		// n tasks; nothing per task.
		assert.Less(t, perTask, 0.1, "allocations per Go, %s", name)
	}
}

// Unlimited runs every task at once: here each waits for all the others to
// start, which completes only if none waits for a worker.
func TestAnUnlimitedGroupRunsEveryTaskAtOnce(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprint("shared=", shared), func(t *testing.T) {
			const n = 200
			var opts []pool.Option
			if shared {
				p := pool.New(n)
				defer p.Close()
				opts = append(opts, pool.OnPool(p))
			}
			g := pool.NewResultGroup[int](t.Context(), pool.Unlimited, opts...)
			var started sync.WaitGroup
			started.Add(n)
			for i := range n {
				g.Go(func(context.Context) (int, error) {
					started.Done()
					started.Wait()
					return i, nil
				})
			}
			values, err := g.Wait()
			require.NoError(t, err)
			for i, v := range values {
				require.Equal(t, i, v)
			}
		})
	}
}
