package ratelimit

import (
	"context"
	"time"

	"github.com/tandem-go/tandem/internal/sleep"
)

// waitDeferral waits out what is left of a DeferUntil under Inf: delay
// nanoseconds, nothing if delay <= 0.
func waitDeferral(ctx context.Context, timers *sleep.Timers, delay int64) error {
	switch {
	case delay <= 0:
		return nil
	case exceedsDeadline(ctx, delay):
		return ErrWouldExceedDeadline
	}
	return timers.Sleep(ctx, time.Duration(delay), nil)
}

// exceedsDeadline reports whether a wait of delay nanoseconds would not end
// before ctx's deadline. Ending exactly at the deadline counts as too late:
// ctx is done by then.
func exceedsDeadline(ctx context.Context, delay int64) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Duration(delay) >= time.Until(deadline)
}
