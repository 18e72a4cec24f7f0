// Package ratelimit paces events to a rate with a burst: a lock-free,
// exact limiter (Limiter), one limiter per key (Keyed), and the interfaces
// that tandem's pacing consumers (fanout, pipeline) accept: Waiter and
// KeyedWaiter.
//
// # The model: a rate and a burst
//
// A limiter is described as a token bucket. It holds at most burst tokens
// and refills one token every T = 1/limit seconds; each event takes a
// token. So New(100, 20) allows 100 events per second on average, and up
// to 20 at once after a quiet spell: the burst is how much unused rate can
// be saved up, and a new limiter starts with a full bucket (or
// WithInitialTokens). As a guarantee: every window of length W admits at
// most burst + floor(W/T) events, whatever the number of goroutines
// calling, W being measured between the instants the calls read the clock
// (the tests check the usual statement, burst + floor(W/T) + 1, and this
// exact form).
//
// # The algorithm: GCRA on one atomic int64
//
// The bucket is kept as a single number, the theoretical arrival time
// (TAT): the instant, in nanoseconds from a monotonic base taken at New,
// when the booked tokens will all have refilled. The bucket is full when
// TAT <= now and holds (burst·T - (TAT-now))/T tokens otherwise. Admitting
// n events moves TAT to max(TAT, now) + n·T with one compare-and-swap;
// denying is one atomic load and no write, so denials scale across cores.
// There is no mutex on the hot path, no background goroutine anywhere, and
// nothing to Close.
//
// The TAT only moves forward, so bookings never overlap. A goroutine that
// read the clock and was preempted before its CAS decides as of the
// instant it read the clock, against the newest TAT; it never creates
// tokens. That is the property x/time/rate lacks: it rewinds its state
// when a stale timestamp wins the mutex, and admits up to 14% too many
// events under 1000 contending goroutines (golang/go#71360).
//
// Costs, from bench/ratelimit_test.go (BenchmarkRate*, 2-core AMD EPYC
// shared with other jobs, so read the ratios): Allow is a clock read, a
// load and a CAS, about 40ns on a quiet run and 1.4 times the clock read
// alone on a busy one, a third of x/time/rate's (which reads
// time.Now and takes a mutex) and half of uber's Take; a denied Allow
// writes nothing; AllowN, Reserve and a Wait that need not sleep cost about
// the same and allocate nothing, and a Wait that sleeps allocates nothing
// once the limiter's timer pool is warm (x/time/rate: 2 allocations). With
// 64 goroutines on one limiter it stays several times faster than
// x/time/rate, and exact. The clock read (time.Since on a monotonic base,
// half the cost of time.Now) is most of the single-goroutine cost.
//
// # Waiting
//
// Wait books the next free slot of the schedule and sleeps until it, so
// concurrent waiters are served in booking order and the long-run rate is
// exact: 8 goroutines waiting at 1000/s get 1000/s. A wait that cannot end
// before its context's deadline returns ErrWouldExceedDeadline at once
// (errors.Is(err, context.DeadlineExceeded) holds) without booking; a wait
// whose context is canceled returns ctx.Err() and gives its slot back.
// n > burst returns ErrExceedsBurst at once: it could never fit.
//
// Timer granularity: a sleep ends when the runtime timer fires, about 1ms
// late on a loaded Linux box. Pacing single events faster than about
// 1 kHz therefore comes out in clumps (the average stays exact, because
// slots are absolute); use a burst >= 2 or WaitN batches at such rates.
//
// # Edge cases, each by design
//
//   - Limit Inf admits every call at once, whatever n and burst.
//   - A limit <= 0 refills nothing: only the tokens in the bucket are ever
//     admitted, and a wait for more returns ErrZeroLimit at once.
//   - A limit above 1e9 (an interval under 1ns) panics, as do Every(d <= 0)
//     and a burst/limit span over 146 years: the limiter counts whole
//     nanoseconds and will not silently become unlimited (uber's
//     ratelimit turns New(2e9) into no limit at all). Intervals are
//     rounded up to whole nanoseconds, so the rate is never exceeded.
//   - n < 1 panics; there is no negative-n refund (use Reservation.Cancel).
//   - A burst < 1 panics: a bucket that can hold no token admits nothing,
//     a trap x/time/rate's burst 0 sets.
//
// Misuse panics at once with a one-line "ratelimit: " message; runtime
// conditions are the errors above.
//
// # Reservations
//
// ReserveN books n events and returns a Reservation, a value (no
// allocation) with the Delay until they may happen. Cancel gives the tokens
// back only if nothing was booked after them: a later booking keeps its
// slot, so handing the freed slot out again would admit more than the
// limit in some window. x/time/rate refunds partially in that case; this
// package refuses, and is exact.
//
// # Changing the rate, and 429s
//
// SetLimit and SetBurst keep the tokens in the bucket (capped at the new
// burst); bookings already made keep their slots. DeferUntil(t) admits
// nothing before t, for a server's Retry-After; the pace resumes at t.
//
// # Keyed limiters
//
// Keyed holds one bucket per key. A key whose bucket has refilled is
// exactly a fresh key, so idle keys are dropped without losing anything,
// a few at a time inside ordinary calls (each call checks one tracked key,
// one that adds a key checks two more): no janitor goroutine, no Close, and
// the keys tracked follow those active in the recent past. WithMaxKeys adds a
// hard cap, which is lossy: a key forced out early starts again full.
//
// # Interfaces for consumers
//
// Code that paces work takes an interface, not a *Limiter, so that any
// limiter fits: Waiter (WaitN(ctx, n)) for one rate, KeyedWaiter[K]
// (WaitN(ctx, key, n)) for one rate per key. *Limiter and *Keyed[K]
// satisfy them, and so do the distributed limiters of ratelimit/redisrate
// (its *Keyed is a KeyedWaiter[string]); x/time/rate's *rate.Limiter is a
// Waiter.
//
// Deferrer and KeyedDeferrer name the optional DeferUntil methods, which
// a consumer looks for on the waiter it was given: fanout pushes its
// limiters back with them when a call reports a server's Retry-After.
// They are exported, rather than left as shapes the consumer checks in
// private, because the behaviour they switch on is otherwise invisible: a
// wrapper around a Limiter (metrics, logging) that does not forward
// DeferUntil would silently turn the push-back off, and with the named
// interface its author can assert it at compile time
// (var _ ratelimit.Deferrer = (*wrapper)(nil)) and godoc links the
// consumer's documentation to the one definition.
//
// # Testing code that uses a limiter
//
// The package reads time only through the standard time package, so
// testing/synctest's fake clock drives it: a test of a 10-per-second
// pacing runs instantly and exactly. Create the limiter inside the bubble.
package ratelimit
