package ratelimit

import "context"

// Waiter is the one interface that pacing consumers in tandem accept
// (fanout, pipeline): WaitN blocks until n events may happen, or returns an
// error when they cannot happen before ctx is done.
//
// *Limiter satisfies it, and so do the distributed limiter of package
// ratelimit/redisrate and x/time/rate's *rate.Limiter.
type Waiter interface {
	WaitN(ctx context.Context, n int) error
}
