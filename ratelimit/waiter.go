package ratelimit

import (
	"context"
	"time"
)

// Waiter is the one interface that pacing consumers in tandem accept
// (fanout, pipeline): WaitN blocks until n events may happen, or returns an
// error when they cannot happen before ctx is done.
//
// *Limiter and KeyLimiter (one key of a Keyed) satisfy it, and so do the
// limiters of package ratelimit/redisrate and x/time/rate's *rate.Limiter.
type Waiter interface {
	WaitN(ctx context.Context, n int) error
}

// KeyedWaiter is Waiter with one rate per key (per host, per tenant):
// WaitN blocks until n events for key may happen, or returns an error when
// they cannot happen before ctx is done. fanout.PacePerKey takes one.
//
// *Keyed[K] satisfies KeyedWaiter[K], and the distributed *Keyed of
// package ratelimit/redisrate satisfies KeyedWaiter[string].
type KeyedWaiter[K comparable] interface {
	WaitN(ctx context.Context, key K, n int) error
}

// Deferrer is a limiter that a server's "come back later" (an HTTP 429 or
// 503 with Retry-After) can push back: DeferUntil(t) admits nothing before
// t. Consumers look for it on the Waiter they are given: fanout pushes its
// Pace limiter back when a call returns fanout.RetryAfter. *Limiter and
// KeyLimiter satisfy it, and so does package ratelimit/redisrate's, for
// every replica at once.
//
// A wrapper around a Limiter (for metrics, say) keeps that behaviour only
// if it forwards DeferUntil; assert it at compile time with
// var _ ratelimit.Deferrer = (*myWrapper)(nil). That is why the interface
// is exported rather than a shape each consumer checks in private: the
// behaviour it switches on is otherwise invisible.
type Deferrer interface {
	DeferUntil(t time.Time)
}

// KeyedDeferrer is Deferrer for one key of a keyed limiter: DeferUntil(key,
// t) admits nothing for key before t and leaves the other keys alone.
// fanout pushes back the input's key of its PacePerKey limiter with it.
// *Keyed[K] satisfies KeyedDeferrer[K]; *redisrate.Keyed satisfies
// KeyedDeferrer[string].
type KeyedDeferrer[K comparable] interface {
	DeferUntil(key K, t time.Time)
}
