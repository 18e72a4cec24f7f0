package ratelimit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem/internal/clock"
	"github.com/tandem-go/tandem/internal/misuse"
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
// Misuse panics with a "ratelimit: Name: ..." message, Name being the
// function or method misused: n < 1 in any ...N method, a nil context, a
// burst below 1, a NaN limit or one above 1e9 events/s other than Inf, a
// span of burst/limit over 73 years.
type Limiter struct {
	// tat is the theoretical arrival time in nanoseconds since base: the
	// end of the last booked token. The bucket is full when tat <= now and
	// holds (tau - (tat-now))/interval tokens otherwise. It only moves
	// forward, except through Cancel, SetLimit and SetBurst.
	tat atomic.Int64
	cfg atomic.Pointer[config]
	// base is the origin of the limiter's clock: offsets from it are read
	// from the monotonic clock alone and follow testing/synctest's time.
	base clock.Base
	mu   sync.Mutex // serializes SetLimit, SetBurst
	// timers recycles the timers of sleeping waits: a fresh timer costs
	// three allocations. Per limiter, not global, so that a limiter made
	// inside a testing/synctest bubble only ever uses that bubble's timers.
	timers sleep.Timers
	// deferred is the latest DeferUntil's instant, since base. The TAT
	// carries a deferral under a finite limit, but under a limit <= 0 time
	// stands still and the TAT holds tokens only: SetLimit reads deferred
	// to carry a Retry-After through such a pause.
	deferred atomic.Int64
	// The Limiter is 128 bytes, a size class whose objects are 64-byte
	// aligned, so tat, cfg and base share one cache line with no neighbour.
	_ [32]byte
}

var _ Waiter = (*Limiter)(nil)

// New returns a Limiter that admits events at limit per second with bursts
// of up to burst events, starting with a full bucket (see InitialTokens).
//
// It panics with "ratelimit: New: ..." if burst < 1, if limit is NaN or
// above 1e9 and not Inf, if burst/limit spans over 2^61ns (about 73 years),
// if InitialTokens exceeds the burst, on a nil Option, or on an option of
// NewKeyed only (MaxKeys, LimitFunc).
func New(limit Limit, burst int, opts ...Option) *Limiter {
	o := buildOptions("New", opts)
	l := &Limiter{base: clock.Start()}
	c := newConfig(limit, burst, 0, "New")
	l.cfg.Store(c)
	l.tat.Store(c.initialTAT(o, 0, "New"))
	return l
}

// now is the limiter's clock: nanoseconds since base.
func (l *Limiter) now() int64 { return int64(l.base.Since()) }

// Allow reports whether one event may happen now, and if so takes its
// token. It never blocks. Shorthand for AllowN(1).
func (l *Limiter) Allow() bool { return l.AllowN(1) }

// AllowN reports whether n events may happen now, and if so takes their
// tokens; it takes all n or none. It never blocks. n > Burst() is never
// allowed (except under Inf). It panics with "ratelimit: Limiter.AllowN:
// ..." if n < 1.
//
// Cost: one clock read and one atomic load when denied, plus one CAS when
// admitted; no allocation.
func (l *Limiter) AllowN(n int) bool {
	if n < 1 {
		panicN("Limiter.AllowN", n)
	}
	c := l.config("Limiter.AllowN")
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
// nothing) if n > Burst(), under a limit <= 0 when the bucket holds fewer
// than n tokens, or when the events could not happen within 2^61ns (about
// 73 years). It panics with "ratelimit: Limiter.ReserveN: ..." if n < 1.
//
// Cost: as AllowN; the Reservation is a value, no allocation.
func (l *Limiter) ReserveN(n int) Reservation {
	if n < 1 {
		panicN("Limiter.ReserveN", n)
	}
	c := l.config("Limiter.ReserveN")
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
func (l *Limiter) Wait(ctx context.Context) error { return l.wait(ctx, 1, "Limiter.Wait") }

// WaitN blocks until n events may happen and takes their tokens. Waiters
// are served in the order they book, each at its own slot of the schedule,
// so many goroutines waiting together keep the long-run rate exact.
//
// Errors, each returned without taking tokens:
//   - ctx's error, if ctx is done on entry or while waiting (a wait that is
//     cut short gives its booking back, as Reservation.Cancel would before
//     its time to act);
//   - ErrWouldExceedDeadline at once, without sleeping, if the events could
//     not happen before ctx's deadline (it matches context.DeadlineExceeded),
//     or within 2^61ns (about 73 years) when ctx has no deadline;
//   - ErrExceedsBurst at once if n > Burst() (under a finite limit);
//   - ErrZeroLimit at once if the limit is <= 0 and the bucket holds fewer
//     than n tokens.
//
// It panics with "ratelimit: Limiter.WaitN: ..." if n < 1 or ctx is nil.
// Cost: as AllowN when it need not sleep; when it sleeps, no allocation
// once the limiter's pool of timers is warm (a timer, otherwise). A sleep
// ends when the runtime timer fires, which may be late by the timer's
// resolution: single events paced faster than that come in clumps (the
// long-run rate stays exact, slots being absolute); use a burst >= 2 or
// WaitN batches at such rates.
func (l *Limiter) WaitN(ctx context.Context, n int) error { return l.wait(ctx, n, "Limiter.WaitN") }

func (l *Limiter) wait(ctx context.Context, n int, where string) error {
	if n < 1 {
		panicN(where, n)
	}
	misuse.Ctx("ratelimit: "+where, ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	c := l.config(where)
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
		if ok && delay == 0 {
			if l.tat.CompareAndSwap(tat, newTat) {
				return nil
			}
			continue
		}
		if !ok || exceedsDeadline(ctx, delay) {
			return ErrWouldExceedDeadline
		}
		if l.tat.CompareAndSwap(tat, newTat) {
			r := Reservation{lim: l, cfg: c, ok: true, tat: newTat, cost: int64(n) * c.interval, act: now + delay}
			return l.timers.Sleep(ctx, time.Duration(delay), r.refund)
		}
	}
}

// DeferUntil admits nothing before t, whatever the limit: use it to honour
// an HTTP 429's Retry-After. From t on the bucket refills at the limit from
// one token, so the first event may happen at t. It never brings an earlier
// schedule forward: a t already past (or now) or covered by earlier
// bookings changes nothing. A t more than 2^61ns (about 73 years) ahead is
// taken as that. Under a limit <= 0, where nothing refills anyway, it
// empties the bucket, and t holds when SetLimit raises the limit again.
// SetLimit(Inf) forgets it.
func (l *Limiter) DeferUntil(t time.Time) {
	c := l.config("Limiter.DeferUntil")
	now := l.now()
	until := int64(l.base.Offset(t))
	if until <= now {
		return
	}
	l.raiseDeferred(until)
	target := c.deferTAT(until, now)
	for {
		tat := l.tat.Load()
		if tat >= target || l.tat.CompareAndSwap(tat, target) {
			return
		}
	}
}

// SetLimit changes the limit. The tokens in the bucket are kept; a bucket
// in debt (under one token) keeps the time its next event may happen (up
// to 73 years ahead), also through a pause at a limit <= 0 and back;
// waiters already sleeping keep their slots. Calls
// racing with SetLimit may be decided under either limit. It panics with
// "ratelimit: Limiter.SetLimit: ..." on a limit New refuses, or one whose
// span at the current burst would pass 73 years.
func (l *Limiter) SetLimit(limit Limit) {
	l.reconfigure("Limiter.SetLimit", func(old *config, now int64) *config {
		return newConfig(limit, old.burst, now, "Limiter.SetLimit")
	})
}

// SetBurst changes the burst; the tokens in the bucket are kept up to the
// new burst. It panics with "ratelimit: Limiter.SetBurst: ..." if burst < 1
// or if its span at the current limit would pass 73 years.
func (l *Limiter) SetBurst(burst int) {
	l.reconfigure("Limiter.SetBurst", func(old *config, now int64) *config {
		return newConfig(old.limit, burst, now, "Limiter.SetBurst")
	})
}

func (l *Limiter) reconfigure(where string, next func(old *config, now int64) *config) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.config(where)
	now := l.now()
	c := next(old, now)
	l.cfg.Store(c)
	for {
		tat := l.tat.Load()
		newTAT, carried := convert(old, c, tat, now, l.deferred.Load())
		if l.tat.CompareAndSwap(tat, newTAT) {
			l.raiseDeferred(carried)
			return
		}
	}
}

// Limit returns the current limit.
func (l *Limiter) Limit() Limit { return l.config("Limiter.Limit").limit }

// Burst returns the current burst.
func (l *Limiter) Burst() int { return l.config("Limiter.Burst").burst }

// Tokens returns the number of tokens in the bucket now: Burst() when full,
// negative when reservations or DeferUntil have booked ahead. Under Inf it
// returns Burst().
func (l *Limiter) Tokens() float64 {
	return l.config("Limiter.Tokens").tokens(l.tat.Load(), l.now())
}

// raiseDeferred moves deferred forward to t; it never moves back.
func (l *Limiter) raiseDeferred(t int64) {
	for {
		d := l.deferred.Load()
		if d >= t || l.deferred.CompareAndSwap(d, t) {
			return
		}
	}
}

// config returns l's configuration. A zero Limiter has none (New makes
// every Limiter): it panics then, where a nil dereference would not say
// what is wrong. A predictable branch on the hot path.
func (l *Limiter) config(where string) *config {
	c := l.cfg.Load()
	if c == nil {
		misuse.Panicf("ratelimit: "+where, "not made by New")
	}
	return c
}

// panicN reports an n below 1 given to the method where. Not inlined, so
// that the hot paths that call it keep a small frame.
//
//go:noinline
func panicN(where string, n int) {
	misuse.Panicf("ratelimit: "+where, "n must be at least 1, got %d", n)
}
