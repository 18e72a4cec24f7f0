package pool_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/pool"
)

// checkAddsUp fails the test unless s accounts for every accepted task.
func checkAddsUp(t *testing.T, s pool.Stats) {
	t.Helper()
	sum := s.Queued + s.Running + s.Completed + s.Failed + s.Panicked + s.Canceled
	assert.Equal(t, s.Submitted, sum, "Submitted vs Queued+Running+Completed+Failed+Panicked+Canceled in %+v", s)
}

// TestPoolStatsAddUpUnderARandomMixOfOutcomes submits, from several
// goroutines, tasks that succeed, fail, panic, call Goexit, get canceled
// and get rejected, and checks the counts while it runs and at the end.
func TestPoolStatsAddUpUnderARandomMixOfOutcomes(t *testing.T) {
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 42))
		limit, queue := 1+rng.IntN(6), rng.IntN(8)
		var panics sync.Map
		p := pool.New(limit, pool.WithQueueSize(queue), pool.WithPanicHandler(func(pe *tandem.PanicError) {
			panics.Store(pe.Value, true)
		}))
		canceledCtx, cancel := context.WithCancel(t.Context())
		cancel()

		type tally struct{ accepted, rejected, completed, failed, panicked, canceled int }
		var mu sync.Mutex
		var want tally
		var wg sync.WaitGroup
		for g := range 4 {
			plan := make([]int, 150)
			for i := range plan {
				plan[i] = rng.IntN(7)
			}
			wg.Go(func() {
				for i, kind := range plan {
					ctx := t.Context()
					var task func(context.Context) error
					var outcome *int
					switch kind {
					case 0, 1:
						task, outcome = func(context.Context) error { runtime.Gosched(); return nil }, &want.completed
					case 2:
						task, outcome = func(context.Context) error { return errors.New("fails") }, &want.failed
					case 3:
						task, outcome = func(context.Context) error { panic([2]int{g, i}) }, &want.panicked
					case 4:
						task, outcome = func(context.Context) error { runtime.Goexit(); return nil }, &want.failed
					case 5:
						ctx = canceledCtx // accepted or rejected, never run
						task, outcome = func(context.Context) error { t.Error("a canceled task ran"); return nil }, &want.canceled
					case 6:
						task, outcome = func(context.Context) error { return nil }, &want.completed
					}
					var err error
					if kind == 6 {
						err = p.TrySubmit(ctx, task)
					} else {
						err = p.Submit(ctx, task)
					}
					mu.Lock()
					if err != nil {
						want.rejected++
					} else {
						want.accepted++
						*outcome++
					}
					mu.Unlock()
					if i%25 == 0 {
						checkAddsUp(t, p.Stats())
					}
				}
			})
		}
		wg.Wait()
		p.Close()
		s := p.Stats()
		checkAddsUp(t, s)
		got := tally{s.Submitted, s.Rejected, s.Completed, s.Failed, s.Panicked, s.Canceled}
		require.Equal(t, want, got, "seed %d, limit %d, queue %d", seed, limit, queue)
		assert.Zero(t, s.Running+s.Queued+s.Workers)
		n := 0
		panics.Range(func(any, any) bool { n++; return true })
		assert.Equal(t, want.panicked, n, "panics seen by the handler")
	}
}
