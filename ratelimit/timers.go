package ratelimit

import (
	"context"
	"sync"
	"time"
)

// timerPool recycles the timers of sleeping waits, so that a wait that
// sleeps allocates nothing once the pool is warm. Since Go 1.23 a stopped or
// reset timer never delivers a stale tick, which makes reuse safe.
type timerPool struct{ pool sync.Pool }

// sleep waits delay nanoseconds (none if delay <= 0) or until ctx is done.
// On ErrWouldExceedDeadline or ctx's error it calls cancel (if not nil)
// first, to give a booking back.
func (p *timerPool) sleep(ctx context.Context, delay int64, cancel func()) error {
	if delay <= 0 {
		return nil
	}
	if exceedsDeadline(ctx, delay) {
		if cancel != nil {
			cancel()
		}
		return ErrWouldExceedDeadline
	}
	timer, _ := p.pool.Get().(*time.Timer)
	if timer == nil {
		timer = time.NewTimer(time.Duration(delay))
	} else {
		timer.Reset(time.Duration(delay))
	}
	defer p.pool.Put(timer)
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		timer.Stop()
		if cancel != nil {
			cancel()
		}
		return ctx.Err()
	}
}

// exceedsDeadline reports whether a wait of delay nanoseconds would not end
// before ctx's deadline. Ending exactly at the deadline counts as too late:
// ctx is done by then.
func exceedsDeadline(ctx context.Context, delay int64) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Duration(delay) >= time.Until(deadline)
}
