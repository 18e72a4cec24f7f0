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

// sleep waits delay nanoseconds or until ctx is done; in that case it calls
// cancel (if not nil), to give a booking back, and returns ctx's error. The
// caller has checked the delay against ctx's deadline.
func (p *timerPool) sleep(ctx context.Context, delay int64, cancel func()) error {
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

// waitDeferral waits out what is left of a DeferUntil under Inf: delay
// nanoseconds, nothing if delay <= 0.
func (p *timerPool) waitDeferral(ctx context.Context, delay int64) error {
	switch {
	case delay <= 0:
		return nil
	case exceedsDeadline(ctx, delay):
		return ErrWouldExceedDeadline
	}
	return p.sleep(ctx, delay, nil)
}

// exceedsDeadline reports whether a wait of delay nanoseconds would not end
// before ctx's deadline. Ending exactly at the deadline counts as too late:
// ctx is done by then.
func exceedsDeadline(ctx context.Context, delay int64) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Duration(delay) >= time.Until(deadline)
}
