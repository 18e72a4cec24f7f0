package redisrate

import (
	"context"
	"sync"
	"time"
)

// timers is the core's internal/sleep, written again here because a nested
// module may not import the core's internal packages: keep the two in step.
//
// timers recycles the timers of waits, so that a wait allocates nothing
// once the pool is warm. Each Keyed has its own: a timer made inside a
// testing/synctest bubble belongs to that bubble, so a limiter made in one
// must only ever reuse its own timers. The zero value is ready to use; it
// must not be copied after use.
type timers struct{ pool sync.Pool }

// sleep waits d or until ctx is done, whichever comes first. When ctx ends
// first it calls onCancel, so that the caller can give back what it booked
// for the wait, and returns ctx.Err(). A d <= 0 returns ctx.Err() at once.
//
// A timer goes back to the pool only when no tick of it can be pending:
// it fired and its tick was received, or Stop stopped it before it fired.
// A timer that fired just as ctx ended is dropped instead. Since Go 1.23 a
// stopped timer's channel never delivers a stale tick, but under
// GODEBUG=asynctimerchan=1 (the older timers, still honoured) its tick may
// still be on its way when Stop returns false, and the next wait on it
// would end at once.
func (t *timers) sleep(ctx context.Context, d time.Duration, onCancel func()) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer, _ := t.pool.Get().(*time.Timer)
	if timer == nil {
		timer = time.NewTimer(d)
	} else {
		timer.Reset(d)
	}
	select {
	case <-timer.C:
		t.pool.Put(timer)
		return nil
	case <-ctx.Done():
		if timer.Stop() {
			t.pool.Put(timer)
		}
		onCancel()
		return ctx.Err()
	}
}
