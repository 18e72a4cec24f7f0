package redisrate

import (
	"context"
	"fmt"
	"time"

	"github.com/tandem-go/tandem/ratelimit"
)

// Keyed is one limit applied separately to each of many keys (per tenant,
// per user, per API token): every key has its own bucket in Redis, under
// prefix+key, shared by every process that uses the same prefix and
// settings. A key costs nothing while its bucket is full: Redis expires it.
// Processes sharing keys must use the same limit and burst: the bucket's
// state is one time, and each call applies its own settings to it.
//
// A Keyed is safe for concurrent use and holds no goroutines or
// connections; besides its settings it keeps a pool of timers for waits
// and, under FailLocal, the local limiters. It needs no Close. The zero
// value is not usable: use NewKeyed.
//
// Its methods are Limiter's with a key, and name themselves "Keyed.Name"
// in misuse messages. *Keyed is a ratelimit.KeyedWaiter[string] and a
// ratelimit.KeyedDeferrer[string], so fanout.PacePerKey paces with it as
// with ratelimit.Keyed.
type Keyed struct {
	client              Scripter
	prefix              string
	limit               ratelimit.Limit
	burst               int
	interval, tolerance int64 // ns
	intervalArg, tolArg any   // interval and tolerance, boxed once
	timeout             time.Duration
	policy              Policy
	locals              *locals // FailLocal's limiters
	timers              timers
}

// NewKeyed returns a limiter that admits limit events per second to each key,
// with bursts of up to burst events at once, its state in Redis under
// prefix+key. Put a Redis Cluster hash tag in prefix or in the keys to place
// keys on one slot; each decision touches one key, so any placement works.
//
// Its settings and panics are New's, with "NewKeyed" in the messages.
func NewKeyed(client Scripter, prefix string, limit ratelimit.Limit, burst int, opts ...Option) *Keyed {
	return newKeyed("NewKeyed", client, prefix, limit, burst, opts)
}

func newKeyed(name string, client Scripter, prefix string, limit ratelimit.Limit, burst int, opts []Option) *Keyed {
	if isNil(client) {
		panicf(name, "nil client")
	}
	if burst < 1 {
		panicf(name, "burst must be at least 1, got %d", burst)
	}
	interval := intervalOf(name, limit)
	if interval > maxTAT/int64(burst) {
		panicf(name, "burst/limit must be at most 2^53ns (about 104 days: Lua numbers are doubles), got burst %d at limit %v", burst, float64(limit))
	}
	o := buildOptions(name, opts)
	k := &Keyed{
		client:      client,
		prefix:      prefix,
		limit:       limit,
		burst:       burst,
		interval:    interval,
		tolerance:   interval * int64(burst),
		intervalArg: interval,
		tolArg:      interval * int64(burst),
		timeout:     o.timeout,
		policy:      o.policy,
	}
	if o.policy.kind == failLocal && interval > 0 {
		k.locals = newLocals(name, limit, burst, o.policy.share)
	}
	return k
}

// Limit returns the rate per key.
func (k *Keyed) Limit() ratelimit.Limit { return k.limit }

// Burst returns the burst per key.
func (k *Keyed) Burst() int { return k.burst }

// Limiter returns the limiter of one key: a *Limiter sharing k's settings,
// for code that takes a ratelimit.Waiter.
func (k *Keyed) Limiter(key string) *Limiter {
	return &Limiter{k: k, keys: []string{k.prefix + key}}
}

// Allow is AllowN(ctx, key, 1).
func (k *Keyed) Allow(ctx context.Context, key string) (Result, error) {
	r, err := k.reserve(ctx, "Keyed.Allow", []string{k.prefix + key}, 1, modeAllOrNothing, 0)
	return r.Result, err
}

// AllowN admits n events for key now, all or nothing; see Limiter.AllowN.
func (k *Keyed) AllowN(ctx context.Context, key string, n int) (Result, error) {
	r, err := k.reserve(ctx, "Keyed.AllowN", []string{k.prefix + key}, n, modeAllOrNothing, 0)
	return r.Result, err
}

// AllowAtMost admits as many of n events for key as it can now; see
// Limiter.AllowAtMost.
func (k *Keyed) AllowAtMost(ctx context.Context, key string, n int) (Result, error) {
	r, err := k.reserve(ctx, "Keyed.AllowAtMost", []string{k.prefix + key}, n, modeAtMost, 0)
	return r.Result, err
}

// ReserveN reserves n events for key; see Limiter.ReserveN.
func (k *Keyed) ReserveN(ctx context.Context, key string, n int, maxWait time.Duration) (Reservation, error) {
	return k.reserve(ctx, "Keyed.ReserveN", []string{k.prefix + key}, n, modeAllOrNothing, maxWaitNS(maxWait))
}

// Wait is WaitN(ctx, key, 1).
func (k *Keyed) Wait(ctx context.Context, key string) error {
	return k.wait(ctx, "Keyed.Wait", []string{k.prefix + key}, 1)
}

// WaitN blocks until n events for key may happen; see Limiter.WaitN.
func (k *Keyed) WaitN(ctx context.Context, key string, n int) error {
	return k.wait(ctx, "Keyed.WaitN", []string{k.prefix + key}, n)
}

// DeferUntil admits nothing for key before t; see Limiter.DeferUntil.
func (k *Keyed) DeferUntil(key string, t time.Time) {
	k.deferUntil("Keyed.DeferUntil", []string{k.prefix + key}, t)
}

// Reset deletes key's bucket, so that it starts full; see Limiter.Reset.
func (k *Keyed) Reset(ctx context.Context, key string) error {
	return k.reset(ctx, "Keyed.Reset", []string{k.prefix + key})
}

// reset is Reset: the local limiter, then the key.
func (k *Keyed) reset(ctx context.Context, method string, keys []string) error {
	k.made(method)
	checkCtx(method, ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	if k.locals != nil {
		k.locals.reset(keys[0])
	}
	if _, err := k.call(ctx, keys, k.intervalArg, k.tolArg, int64(1), int64(modeReset)); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr // the caller gave up: not an outage
		}
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// made panics when k was not made by New or NewKeyed: the zero Keyed (and
// the zero Limiter's nil one) would otherwise read as ratelimit.Inf, an
// interval of 0, and admit everything without asking Redis.
func (k *Keyed) made(method string) {
	if k == nil || k.client == nil {
		panicf(method, "not made by New or NewKeyed")
	}
}

// deferUntil is DeferUntil: one round trip, errors dropped (the interface
// it satisfies has no way to return one), and FailLocal's limiter deferred
// too, so that it holds the line if Redis fails later.
func (k *Keyed) deferUntil(method string, keys []string, t time.Time) {
	k.made(method)
	d := int64(time.Until(t))
	if d <= 0 || k.interval == 0 {
		return
	}
	if k.locals != nil {
		k.locals.deferUntil(keys[0], t)
	}
	// The script cuts a deferral past maxTAT (about 104 days) to that.
	_, _ = k.call(context.Background(), keys, k.intervalArg, k.tolArg, int64(1), int64(modeDefer), d)
}

// noBound is maxWait "any wait", boxed once.
var noBound any = int64(-1)

func maxWaitNS(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return int64(d)
}

// reserve is every decision: validate, ask Redis, or the failure policy.
// The checks come in the core limiter's order: n < 1 panics, a done ctx
// wins, Inf admits anything, then n > burst is refused.
func (k *Keyed) reserve(ctx context.Context, method string, keys []string, n int, mode, maxWait int64) (Reservation, error) {
	k.made(method)
	checkCall(method, ctx, n)
	if err := ctx.Err(); err != nil {
		return Reservation{}, err
	}
	if k.interval == 0 { // Inf
		return Reservation{Result: Result{Allowed: n, Remaining: k.burst}}, nil
	}
	if n > k.burst {
		if mode != modeAtMost {
			return Reservation{}, ratelimit.ErrExceedsBurst
		}
		n = k.burst
	}
	maxWaitArg := noBound
	if maxWait >= 0 {
		maxWaitArg = maxWait
	}
	r, err := k.call(ctx, keys, k.intervalArg, k.tolArg, int64(n), mode, maxWaitArg)
	if err != nil {
		if wrongKey(err) {
			return Reservation{}, fmt.Errorf("redisrate: key %q: %w", keys[0], err)
		}
		return k.fail(ctx, keys[0], n, mode, maxWait, err)
	}
	return k.reservation(r, keys[0], int64(n), mode, maxWait, k.interval, k.tolerance), nil
}

// call runs the script within the per-call timeout.
func (k *Keyed) call(ctx context.Context, keys []string, args ...any) (reply, error) {
	if k.timeout > 0 {
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > k.timeout {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, k.timeout)
			defer cancel()
		}
	}
	return eval(ctx, k.client, keys, args...)
}

// fail applies the failure policy to a decision Redis could not make.
func (k *Keyed) fail(ctx context.Context, key string, n int, mode, maxWait int64, cause error) (Reservation, error) {
	if err := ctx.Err(); err != nil {
		return Reservation{}, err // the caller gave up: not an outage
	}
	switch k.policy.kind {
	case failOpen:
		return Reservation{Result: Result{Allowed: n, Degraded: true}}, nil
	case failLocal:
		r, bookings := k.locals.decide(key, n, mode, maxWait)
		res := k.reservation(r, key, int64(n), mode, maxWait, k.locals.interval, k.locals.tolerance)
		res.Degraded = true
		if len(bookings) > 0 {
			res.local = bookings
			res.delay = bookings[len(bookings)-1].Delay()
		}
		return res, nil
	}
	return Reservation{}, fmt.Errorf("%w: %w", ErrUnavailable, cause)
}

// reservation turns a decision into what callers see; all in nanoseconds.
func (k *Keyed) reservation(r reply, key string, n, mode, maxWait, interval, tolerance int64) Reservation {
	res := Reservation{
		Result: Result{
			Allowed:    int(r.admitted),
			Remaining:  int(max(0, (tolerance-r.tat)/interval)),
			ResetAfter: time.Duration(r.tat),
		},
	}
	if r.admitted == 0 {
		need := n
		if mode == modeAtMost {
			need = 1
		}
		res.RetryAfter = time.Duration(max(0, r.tat+need*interval-tolerance-max(0, maxWait)))
		return res
	}
	res.delay = time.Duration(max(0, r.tat-tolerance))
	res.k, res.key, res.n, res.stamp = k, key, r.admitted, r.stamp
	return res
}

// wait is one reservation and, when it must wait, a local timer.
func (k *Keyed) wait(ctx context.Context, method string, keys []string, n int) error {
	k.made(method)
	checkCall(method, ctx, n)
	maxWait := int64(-1)
	if dl, ok := ctx.Deadline(); ok {
		maxWait = max(0, int64(time.Until(dl)))
	}
	r, err := k.reserve(ctx, method, keys, n, modeAllOrNothing, maxWait)
	if err != nil {
		return err
	}
	if !r.OK() {
		return ratelimit.ErrWouldExceedDeadline
	}
	if r.delay == 0 {
		return nil
	}
	// The round trip (or a timeout before a fallback) took time of its own.
	// Ending exactly at the deadline is too late, as in the core limiter.
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= r.delay {
		_ = r.Cancel(context.WithoutCancel(ctx))
		return ratelimit.ErrWouldExceedDeadline
	}
	return k.timers.sleep(ctx, r.delay, func() {
		_ = r.Cancel(context.WithoutCancel(ctx)) // best effort
	})
}
