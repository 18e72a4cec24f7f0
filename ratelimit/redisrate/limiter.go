package redisrate

import (
	"context"
	"time"

	"github.com/tandem-go/tandem/ratelimit"
)

// Limiter is one rate limit shared by every process that uses the same Redis
// key: limit events per second with bursts of up to burst. Each decision is
// one round trip to Redis, which runs the GCRA on its own clock, so replicas
// need no clock agreement and the limit holds however many replicas there are.
//
// A Limiter is safe for concurrent use, holds no goroutines or connections of
// its own and needs no Close. The zero value is not usable: use New (or
// Keyed.Limiter). *Limiter is a ratelimit.Waiter and a ratelimit.Deferrer.
type Limiter struct {
	k    *Keyed
	keys []string // the one key, built once
}

// New returns a Limiter on key that admits limit events per second with
// bursts of up to burst, in package ratelimit's units: ratelimit.Every,
// ratelimit.Per and ratelimit.Inf build the limit, and under ratelimit.Inf
// every call is admitted at once, whatever n and the burst, without Redis.
// The interval between events is whole nanoseconds, rounded up as in
// package ratelimit, so neither limiter admits more than its limit.
//
// New panics with a "redisrate: New: " message if client is nil (a typed
// nil too), an Option is nil, burst < 1, limit is above 1e9 per second (an
// interval under 1ns) and not ratelimit.Inf, burst/limit spans more than
// 2^53ns (about 104 days, where the core's bound is 2^61ns, about 73 years: Lua numbers
// are doubles), FailLocal's share of the limit is too small for a
// ratelimit.Limiter, or limit is not above 0. The core limiter admits only
// the tokens in the bucket under a limit <= 0, for SetLimit(0), a pause of
// one process's limiter; this package has no SetLimit, and in Redis such a
// bucket would be a key that never expires (one per tenant, forever, for a
// Keyed) and a quota for the whole fleet until someone deletes it. A zero
// shared rate is far more often a configuration bug (an unset setting) than
// a wish, so it fails here.
func New(client Scripter, key string, limit ratelimit.Limit, burst int, opts ...Option) *Limiter {
	return newKeyed("New", client, "", limit, burst, opts).Limiter(key)
}

// Key returns the Redis key that holds the limiter's state: for a Keyed's
// Limiter(key), the Keyed's prefix and the key (where ratelimit's
// KeyLimiter.Key returns the key alone, having no Redis key).
func (l *Limiter) Key() string { return l.keys[0] }

// Limit returns the rate.
func (l *Limiter) Limit() ratelimit.Limit { return l.k.limit }

// Burst returns the burst.
func (l *Limiter) Burst() int { return l.k.burst }

// Allow is AllowN(ctx, 1).
func (l *Limiter) Allow(ctx context.Context) (Result, error) {
	r, err := l.k.reserve(ctx, "Limiter.Allow", l.keys, 1, modeAllOrNothing, 0)
	return r.Result, err
}

// AllowN admits n events now, all or nothing, in one round trip. When they do
// not fit, nothing is taken and Result.RetryAfter says when they would.
//
// It returns ratelimit.ErrExceedsBurst if n > burst (they would never fit),
// ctx's error if ctx is done, under FailClosed an error wrapping
// ErrUnavailable when Redis fails, and under every policy an error naming
// the key if it holds something other than the limiter's state (see
// Policy). Under ratelimit.Inf it admits any n. It
// panics with "redisrate: Limiter.AllowN: n must be at least 1" if n < 1, as the
// core limiter does (there is no negative-n refund: see Reservation.Cancel),
// and with "redisrate: Limiter.AllowN: nil context" if ctx is nil. The checks come
// in the core's order: n, ctx, Inf, the burst.
func (l *Limiter) AllowN(ctx context.Context, n int) (Result, error) {
	r, err := l.k.reserve(ctx, "Limiter.AllowN", l.keys, n, modeAllOrNothing, 0)
	return r.Result, err
}

// AllowAtMost admits as many of n events as fit now (Result.Allowed, from 0
// to n), in one round trip: for work that can be split, such as a batch.
// n > burst is treated as burst (under ratelimit.Inf, all n are admitted).
// Errors and panics are those of AllowN (with "Limiter.AllowAtMost" in the
// messages), less ErrExceedsBurst.
func (l *Limiter) AllowAtMost(ctx context.Context, n int) (Result, error) {
	r, err := l.k.reserve(ctx, "Limiter.AllowAtMost", l.keys, n, modeAtMost, 0)
	return r.Result, err
}

// ReserveN admits n events to happen after Reservation.Delay, if that delay
// is at most maxWait (maxWait < 0: any delay), in one round trip. An admitted
// reservation counts at once, even when its events are in the future, so
// concurrent callers queue for successive slots; Cancel gives back what is
// not used. When the delay would exceed maxWait, nothing is taken and
// RetryAfter says when it would not. Reservations book at most 2^53ns
// (about 104 days) ahead, where the core books up to 2^61ns (about 73 years): one that
// would book further is refused, whatever maxWait.
//
// Errors and panics are those of AllowN, with "Limiter.ReserveN" in the messages.
func (l *Limiter) ReserveN(ctx context.Context, n int, maxWait time.Duration) (Reservation, error) {
	return l.k.reserve(ctx, "Limiter.ReserveN", l.keys, n, modeAllOrNothing, maxWaitNS(maxWait))
}

// DeferUntil admits nothing before t, on every replica sharing the key: use
// it to honour a Retry-After from the service the limit protects. From t on
// the bucket refills at the limit from one token, so the first event may
// happen at t. It never brings an earlier schedule forward: a t already past
// or covered by earlier reservations changes nothing, and a t further than
// 2^53ns (about 104 days) ahead is cut to that. It satisfies
// ratelimit.Deferrer, so fanout pushes the shared limit back when a call
// returns fanout.RetryAfter, and every replica backs off together.
//
// t is turned into a delay from now on this machine and applied on the
// server's clock, so clock skew between replicas does not matter. DeferUntil
// makes one round trip, bounded as every call is (the client's timeouts,
// Timeout), and cannot report a failure: when Redis does not answer, the
// deferral is lost, except under FailLocal, whose local limiter is always
// deferred too. Under ratelimit.Inf, which never asks Redis, it does nothing.
func (l *Limiter) DeferUntil(t time.Time) {
	l.k.deferUntil("Limiter.DeferUntil", l.keys, t)
}

// Reset deletes the key, so that the bucket starts full on every replica:
// what was admitted, reserved or deferred is forgotten. Use it to clear a
// tenant after an incident, in tests, or for a key that calls report as
// not the limiter's state. As when Redis loses a key (see Policy), the
// windows around it may admit up to one more burst than the limit's bound,
// and a reservation made before it gives nothing back when canceled after.
// Under FailLocal the key's local limiter starts full too.
//
// Reset is one round trip, bounded as every call is, under ratelimit.Inf
// too. It returns nil once the key is gone, ctx's error if ctx is done, and
// an error wrapping ErrUnavailable when Redis fails, under every policy:
// no fallback can delete a key. It panics with "redisrate: Limiter.Reset: nil
// context" if ctx is nil.
func (l *Limiter) Reset(ctx context.Context) error {
	return l.k.reset(ctx, "Limiter.Reset", l.keys)
}

// Wait is WaitN(ctx, 1).
func (l *Limiter) Wait(ctx context.Context) error {
	return l.k.wait(ctx, "Limiter.Wait", l.keys, 1)
}

// WaitN blocks until n events may happen: one round trip reserves them, then
// a local timer waits out the delay. So waiters on many replicas are served in
// the order they reserved, at the configured rate, with no polling.
//
// Errors, as the core limiter's WaitN where they have a twin:
//   - ctx's error, if ctx is done on entry or while waiting (a wait that is
//     cut short gives its reservation back, best effort: see
//     Reservation.Cancel);
//   - ratelimit.ErrWouldExceedDeadline at once, reserving nothing, if the
//     events could not happen before ctx's deadline (it matches
//     context.DeadlineExceeded), or only beyond what ReserveN books;
//   - ratelimit.ErrExceedsBurst at once if n > burst (not under
//     ratelimit.Inf);
//   - under FailClosed, an error wrapping ErrUnavailable when Redis fails;
//     under FailLocal it waits on the local limiter instead;
//   - under every policy, AllowN's error for a key that holds something
//     other than the limiter's state.
//
// It panics as AllowN does, with "Limiter.WaitN" in the messages.
func (l *Limiter) WaitN(ctx context.Context, n int) error {
	return l.k.wait(ctx, "Limiter.WaitN", l.keys, n)
}
