package pool_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/pool"
)

// FuzzResultGroup checks, for any bound (Unlimited included), task count
// and pattern of failures, on the group's own workers or on a shared pool,
// that values come back in submission order, that no more than the bound
// run at once, that every task is accounted for by its own error, and that
// a shared pool's Stats count every task once.
func FuzzResultGroup(f *testing.F) {
	f.Add(uint8(1), uint16(10), uint8(0), false, false)
	f.Add(uint8(3), uint16(100), uint8(7), true, false)
	f.Add(uint8(8), uint16(300), uint8(5), false, true)
	f.Add(uint8(2), uint16(50), uint8(3), true, true)
	f.Add(uint8(16), uint16(200), uint8(4), false, true)
	f.Fuzz(func(t *testing.T, limit uint8, n uint16, failEvery uint8, collect, shared bool) {
		lim := int(limit%17) + 1
		workers, bound := lim, int64(lim)
		if lim == 17 {
			workers, bound = pool.Unlimited, math.MaxInt64
		}
		count := int(n % 500)
		var opts []pool.Option
		if collect {
			opts = append(opts, pool.CollectAll())
		}
		var p *pool.Pool
		if shared {
			p = pool.New(max(1, lim/2), pool.QueueSize(1))
			bound = min(bound, int64(max(1, lim/2)))
			opts = append(opts, pool.OnPool(p))
		}
		g := pool.NewResultGroup[int](t.Context(), workers, opts...)
		var hw highWater
		fails := func(i int) bool { return failEvery > 0 && i%int(failEvery) == int(failEvery)-1 }
		for i := range count {
			g.Go(func(context.Context) (int, error) {
				hw.enter()
				defer hw.leave()
				runtime.Gosched()
				if fails(i) {
					return -i, fmt.Errorf("task %d", i)
				}
				return i, nil
			})
		}
		values, err := g.Wait()
		require.Len(t, values, count)
		assert.LessOrEqual(t, hw.peak.Load(), bound, "workers %d, shared %v", workers, shared)
		if shared {
			p.Close()
			s := p.Stats()
			checkAddsUp(t, s)
			assert.Equal(t, count, s.Submitted+s.Rejected, "tasks vs Submitted+Rejected in %+v", s)
			assert.Zero(t, s.Queued+s.Running, "%+v", s)
		}
		errs := g.Errs()
		anyFail := false
		for i := range count {
			anyFail = anyFail || fails(i)
			var itemErr error
			if errs != nil {
				itemErr = errs[i]
			}
			switch {
			case errors.Is(itemErr, context.Canceled):
				// Fail-fast: started after a failure, so it never started.
				assert.False(t, collect, "task %d never started although errors are collected", i)
				assert.Zero(t, values[i], "value of task %d that never started", i)
			case fails(i):
				assert.EqualError(t, itemErr, fmt.Sprint("task ", i))
				assert.Equal(t, -i, values[i], "a failed task keeps its partial value")
			default:
				assert.NoError(t, itemErr, "task %d", i)
				assert.Equal(t, i, values[i], "value of task %d", i)
			}
		}
		assert.Equal(t, anyFail, err != nil, "Wait's error %v", err)
	})
}

// FuzzPool checks, for any limit, queue size and mix of blocking and
// non-blocking submissions with a resize in the middle, that no more tasks
// run at once than the larger of the two limits, and that every task is
// accounted for.
func FuzzPool(f *testing.F) {
	f.Add(uint8(1), uint8(0), uint16(50), uint8(2), []byte{0, 1, 0, 1})
	f.Add(uint8(4), uint8(4), uint16(200), uint8(8), []byte{1, 1, 0})
	f.Add(uint8(16), uint8(1), uint16(400), uint8(1), []byte{0})
	f.Fuzz(func(t *testing.T, limit, queue uint8, n uint16, resizeTo uint8, modes []byte) {
		lim, q, count := int(limit%16)+1, int(queue%16), int(n%500)
		newLim := int(resizeTo%16) + 1
		p := pool.New(lim, pool.QueueSize(q))
		var hw highWater
		var ran atomic.Int64
		accepted := 0
		for i := range count {
			if i == count/2 {
				p.Resize(newLim)
			}
			task := func(context.Context) error {
				hw.enter()
				defer hw.leave()
				runtime.Gosched()
				ran.Add(1)
				return nil
			}
			var err error
			if len(modes) > 0 && modes[i%len(modes)]%2 == 1 {
				err = p.TrySubmit(t.Context(), task)
			} else {
				err = p.Submit(t.Context(), task)
			}
			if err == nil {
				accepted++
			} else {
				require.ErrorIs(t, err, pool.ErrFull)
			}
		}
		p.Close()
		if count == 0 {
			newLim = lim // no resize came
		}
		assert.LessOrEqual(t, hw.peak.Load(), int64(max(lim, newLim)), "limits %d then %d", lim, newLim)
		s := p.Stats()
		checkAddsUp(t, s)
		assert.Equal(t, int64(accepted), ran.Load())
		assert.Equal(t, pool.Stats{Workers: newLim, Submitted: accepted, Succeeded: accepted, Rejected: count - accepted}, s)
	})
}
