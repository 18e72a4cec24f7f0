package pool_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/pool"
)

// goroutinesInTasks tracks how many distinct goroutines are inside a task
// body at once: a task run inline shares its submitter's goroutine.
type goroutinesInTasks struct {
	mu   sync.Mutex
	in   map[int64]int
	peak int
}

func (g *goroutinesInTasks) enter() (leave func()) {
	id := goroutineID()
	g.mu.Lock()
	if g.in == nil {
		g.in = map[int64]int{}
	}
	g.in[id]++
	g.peak = max(g.peak, len(g.in))
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		if g.in[id]--; g.in[id] == 0 {
			delete(g.in, id)
		}
		g.mu.Unlock()
	}
}

// A task that waits for work it gave its own pool (through a group on the
// pool, or Do) used to deadlock once every worker did it while the pool's
// queue had room: the work queued behind the workers waiting for it. The
// inline path covered only a full queue. A group made with a task's ctx
// never queues its tasks on that pool: they take free workers or run on
// the waiting worker, so every mix of bounds and depths completes, within
// the pool's bound of goroutines.
func TestATaskWaitingForWorkItGaveItsOwnPoolNeverDeadlocks(t *testing.T) {
	for _, workers := range []int{1, 2, 3} {
		for _, queue := range []int{0, 1, 4, 64} {
			for _, via := range []string{"Group", "ResultGroup", "Do"} {
				t.Run(fmt.Sprintf("workers=%d/queue=%d/%s", workers, queue, via), func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						p := pool.New(workers, pool.QueueSize(queue))
						var g goroutinesInTasks
						var fanOut func(ctx context.Context, depth int) error
						leaf := func(context.Context) error { defer g.enter()(); return nil }
						fanOut = func(ctx context.Context, depth int) error {
							defer g.enter()()
							if depth == 0 {
								return nil
							}
							next := func(ctx context.Context) error { return fanOut(ctx, depth-1) }
							switch via {
							case "Group":
								grp := pool.NewGroup(ctx, 3, pool.OnPool(p))
								for range 4 {
									grp.Go(next)
								}
								grp.Go(leaf)
								return grp.Wait()
							case "ResultGroup":
								grp := pool.NewResultGroup[int](ctx, 2, pool.OnPool(p))
								for i := range 4 {
									grp.Go(func(ctx context.Context) (int, error) { return i, next(ctx) })
								}
								v, err := grp.Wait()
								assert.Equal(t, []int{0, 1, 2, 3}, v)
								return err
							default:
								for range 3 {
									if _, err := pool.Do(ctx, p, func(ctx context.Context) (int, error) { return 0, next(ctx) }); err != nil {
										return err
									}
								}
								return nil
							}
						}
						for range workers + queue {
							require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error { return fanOut(ctx, 2) }))
						}
						p.Close() // a deadlock here is the bug; synctest reports it
						s := p.Stats()
						checkAddsUp(t, s)
						assert.Zero(t, s.Failed+s.Panicked+s.NotStarted+s.Rejected, "%+v", s)
						assert.LessOrEqual(t, g.peak, workers, "goroutines running tasks at once")
					})
				})
			}
		}
	}
}
