package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem/internal/sleep"
)

// Limiter paces events to a rate (Limit, events per second) with a burst:
// a token bucket of capacity burst that refills one token every 1/limit
// seconds, implemented as a GCRA on one atomic int64.
//
// Create one with New; the zero value is not usable. A Limiter is safe for
// concurrent use and must not be copied after first use. It starts no
// goroutine and holds nothing to release.
//
// Misuse panics with a "ratelimit: " message: n < 1 in any ...N method, a
// burst below 1, a limit above 1e9 events/s other than Inf.
type Limiter struct {
	// tat is the theoretical arrival time in nanoseconds since base: the
	// end of the last booked token. The bucket is full when tat <= now and
	// holds (tau - (tat-now))/interval tokens otherwise. It only moves
	// forward, except through Cancel, SetLimit and SetBurst.
	tat atomic.Int64
	cfg atomic.Pointer[config]
	// base is the monotonic origin of the clock; time.Since(base) is half
	// the cost of time.Now and follows testing/synctest's fake time.
	base time.Time
	mu   sync.Mutex // serializes SetLimit, SetBurst
	// timers recycles the timers of sleeping waits: a fresh timer costs
	// three allocations. Per limiter, not global, so that a limiter made
	// inside a testing/synctest bubble only ever uses that bubble's timers.
	timers sleep.Timers
	// The Limiter is 128 bytes, a size class whose objects are 64-byte
	// aligned, so tat, cfg and base share one cache line with no neighbour.
	_ [40]byte
}

var _ Waiter = (*Limiter)(nil)

// New returns a Limiter that admits events at limit per second with bursts
// of up to burst events, starting with a full bucket (see
// WithInitialTokens).
//
// It panics with "ratelimit: " if burst < 1, if limit is above 1e9 and not
// Inf, if burst/limit spans over 146 years, or if it is given an option of
// NewKeyed only.
func New(limit Limit, burst int, opts ...Option) *Limiter {
	o := buildOptions(opts)
	if o.limitFunc != nil || o.maxKeys != 0 {
		panic("ratelimit: WithLimitFunc and WithMaxKeys are options of NewKeyed, not New")
	}
	l := &Limiter{base: time.Now()}
	c := newConfig(limit, burst, 0)
	l.cfg.Store(c)
	l.tat.Store(c.initialTAT(o, 0))
	return l
}

// now is the limiter's clock: nanoseconds since base.
func (l *Limiter) now() int64 { return int64(time.Since(l.base)) }

// Allow reports whether one event may happen now, and if so takes its
// token. It never blocks. Shorthand for AllowN(1).
func (l *Limiter) Allow() bool { return l.AllowN(1) }

// AllowN reports whether n events may happen now, and if so takes their
// tokens; it takes all n or none. It never blocks. n > Burst() is never
// allowed (except under Inf). It panics with "ratelimit: " if n < 1.
//
// Cost: one clock read and one atomic load when denied, plus one CAS when
// admitted; no allocation.
func (l *Limiter) AllowN(n int) bool {
	if n < 1 {
		panicN("AllowN", n)
	}
	c := l.cfg.Load()
	if c.mode != finite {
		return l.allowSlow(c, n)
	}
	if n > c.burst {
		return false
	}
	now := l.now()
	for {
		tat := l.tat.Load()
		newTat, ok := c.admit(tat, now, n)
		if !ok {
			return false
		}
		// A failed CAS means someone else took tokens first; now may be
		// stale on the retry, which only makes the decision stricter.
		if l.tat.CompareAndSwap(tat, newTat) {
			return true
		}
	}
}

// allowSlow is AllowN under Inf or a limit <= 0.
func (l *Limiter) allowSlow(c *config, n int) bool {
	if c.mode == unlimited {
		deferred := l.tat.Load()
		return deferred <= 0 || l.now() >= deferred
	}
	if n > c.burst {
		return false
	}
	for {
		tat := l.tat.Load()
		newTat, ok := c.admit(tat, 0, n)
		if !ok {
			return false
		}
		if l.tat.CompareAndSwap(tat, newTat) {
			return true
		}
	}
}

// Reserve is ReserveN(1).
func (l *Limiter) Reserve() Reservation { return l.ReserveN(1) }

// ReserveN books n events and says when they may happen: the caller waits
// Delay() and then acts, or calls Cancel to give the tokens back. Unlike
// WaitN it books whatever the delay. The Reservation is not OK (and books
// nothing) if n > Burst(), or under a limit <= 0 when the bucket holds
// fewer than n tokens. It panics with "ratelimit: " if n < 1.
//
// Cost: as AllowN; the Reservation is a value, no allocation.
func (l *Limiter) ReserveN(n int) Reservation {
	if n < 1 {
		panicN("ReserveN", n)
	}
	c := l.cfg.Load()
	now := l.now()
	switch {
	case c.mode == unlimited:
		return Reservation{lim: l, ok: true, act: max(now, l.tat.Load())}
	case n > c.burst:
		return Reservation{}
	}
	for {
		tat := l.tat.Load()
		var newTat, delay int64
		var ok bool
		if c.mode == frozen {
			// Nothing refills: book only what the bucket holds now.
			newTat, ok = c.admit(tat, now, n)
		} else {
			newTat, delay, ok = c.reserve(tat, now, n)
		}
		if !ok {
			return Reservation{}
		}
		if l.tat.CompareAndSwap(tat, newTat) {
			return Reservation{lim: l, cfg: c, ok: true, tat: newTat, cost: int64(n) * c.interval, act: now + delay}
		}
	}
}

// Wait is WaitN(ctx, 1).
func (l *Limiter) Wait(ctx context.Context) error { return l.WaitN(ctx, 1) }

// WaitN blocks until n events may happen and takes their tokens. Waiters
// are served in the order they book, each at its own slot of the schedule,
// so many goroutines waiting together keep the long-run rate exact.
//
// Errors, each returned without taking tokens:
//   - ctx's error, if ctx is done on entry or while waiting (a wait that is
//     cut short gives its booking back, see Reservation.Cancel);
//   - ErrWouldExceedDeadline at once, without sleeping, if the events could
//     not happen before ctx's deadline (it matches context.DeadlineExceeded);
//   - ErrExceedsBurst at once if n > Burst() (under a finite limit);
//   - ErrZeroLimit at once if the limit is <= 0 and the bucket holds fewer
//     than n tokens.
//
// It panics with "ratelimit: " if n < 1. Cost: as AllowN when it need not
// sleep; when it sleeps, no allocation once the limiter's pool of timers is
// warm (a timer, otherwise). Sleeps are as precise as the
// runtime timer (about 1ms on a loaded Linux box): to pace single events
// above ~1 kHz use a burst >= 2 or WaitN batches.
func (l *Limiter) WaitN(ctx context.Context, n int) error {
	if n < 1 {
		panicN("WaitN", n)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c := l.cfg.Load()
	now := l.now()
	switch {
	case c.mode == unlimited:
		return waitDeferral(ctx, &l.timers, l.tat.Load()-now)
	case n > c.burst:
		return ErrExceedsBurst
	case c.mode == frozen:
		if l.allowSlow(c, n) {
			return nil
		}
		return ErrZeroLimit
	}
	for {
		tat := l.tat.Load()
		newTat, delay, ok := c.reserve(tat, now, n)
		if delay == 0 {
			if l.tat.CompareAndSwap(tat, newTat) {
				return nil
			}
			continue
		}
		if !ok || exceedsDeadline(ctx, delay) {
			return ErrWouldExceedDeadline
		}
		if l.tat.CompareAndSwap(tat, newTat) {
			r := Reservation{lim: l, cfg: c, ok: true, tat: newTat, cost: int64(n) * c.interval}
			return l.timers.Sleep(ctx, time.Duration(delay), r.Cancel)
		}
	}
}

// DeferUntil admits nothing before t, whatever the limit: use it to honour
// an HTTP 429's Retry-After. From t on the bucket refills at the limit from
// one token, so the first event may happen at t. It never brings an earlier
// schedule forward: a t already past or covered by earlier bookings changes
// nothing. Under a limit <= 0, where nothing refills anyway, it empties the
// bucket. SetLimit(Inf) forgets it.
func (l *Limiter) DeferUntil(t time.Time) {
	c := l.cfg.Load()
	until := int64(t.Sub(l.base))
	target := c.deferTAT(until)
	for {
		tat := l.tat.Load()
		if tat >= target || l.tat.CompareAndSwap(tat, target) {
			return
		}
	}
}

// SetLimit changes the limit. The tokens in the bucket are kept; a bucket
// in debt (under one token) keeps the time its next event may happen;
// waiters already sleeping keep their slots. Calls racing with SetLimit may
// be decided under either limit. It panics as New does.
func (l *Limiter) SetLimit(limit Limit) {
	l.reconfigure(func(old *config, now int64) *config { return newConfig(limit, old.burst, now) })
}

// SetBurst changes the burst; the tokens in the bucket are kept up to the
// new burst. It panics with "ratelimit: " if burst < 1.
func (l *Limiter) SetBurst(burst int) {
	l.reconfigure(func(old *config, now int64) *config { return newConfig(old.limit, burst, now) })
}

func (l *Limiter) reconfigure(next func(old *config, now int64) *config) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.cfg.Load()
	now := l.now()
	c := next(old, now)
	l.cfg.Store(c)
	for {
		tat := l.tat.Load()
		if l.tat.CompareAndSwap(tat, convert(old, c, tat, now)) {
			return
		}
	}
}

// Limit returns the current limit.
func (l *Limiter) Limit() Limit { return l.cfg.Load().limit }

// Burst returns the current burst.
func (l *Limiter) Burst() int { return l.cfg.Load().burst }

// Tokens returns the number of tokens in the bucket now: Burst() when full,
// negative when reservations or DeferUntil have booked ahead. Under Inf it
// returns Burst().
func (l *Limiter) Tokens() float64 {
	return l.cfg.Load().tokens(l.tat.Load(), l.now())
}

func panicN(method string, n int) {
	panic(fmt.Sprintf("ratelimit: %s(%d): n must be at least 1", method, n))
}
