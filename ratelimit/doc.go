// Package ratelimit paces events to a rate with a burst: a lock-free,
// exact limiter (Limiter), one limiter per key (Keyed, and KeyLimiter for
// one of its keys), and the interfaces that tandem's pacing consumers
// (fanout, pipeline) accept: Waiter, KeyedWaiter, Deferrer, KeyedDeferrer.
//
// A limiter is a token bucket: it holds at most burst tokens, refills one
// every T = 1/limit seconds, and each event takes one. New(100, 20) admits
// 100 events per second on average and 20 at once after a quiet spell; a
// new bucket is full (see InitialTokens). Every window of length W, measured
// between the instants calls read the clock, admits at most burst +
// floor(W/T) events, however many goroutines call.
//
// The bucket is one atomic int64, the theoretical arrival time of GCRA. An
// admitted Allow is a clock read, an atomic load and a compare-and-swap; a
// denied one writes nothing; Allow, AllowN, Reserve and a Wait that need
// not sleep allocate nothing, and a Wait that sleeps reuses a pooled timer.
// The state only moves forward, so a caller preempted between its clock
// read and its CAS cannot create tokens (x/time/rate can: golang/go#71360).
// There is no mutex on that path, no goroutine anywhere and nothing to Close.
// The zero Limiter and Keyed are not usable: make them with New and NewKeyed.
//
// Wait books the next free slot and sleeps until it, so waiters are served
// in booking order and the long-run rate is exact. It fails at once, booking
// nothing, with ErrWouldExceedDeadline (which matches
// context.DeadlineExceeded) when the slot is past ctx's deadline, with
// ErrExceedsBurst when n > burst, and with ErrZeroLimit when a limit <= 0
// leaves too few tokens; a wait whose ctx ends returns ctx.Err() and gives
// its slot back. ReserveN books whatever the delay and returns a
// Reservation value; its Cancel gives the tokens back only while its time to
// act has not passed and nothing was booked after it (x/time/rate refunds
// partially), so a refund never admits more than the limit.
//
// SetLimit and SetBurst keep the tokens in the bucket (capped at the new
// burst) and the slots already booked. DeferUntil(t), for a server's
// Retry-After, admits nothing before t and one token at t; a t already past
// changes nothing.
//
// Limits: Inf admits everything; a limit <= 0 admits only the tokens left;
// Every(d) spaces events exactly d apart. Arithmetic cannot wrap: a bucket
// spans at most 2^61ns (73 years) and nothing is booked further ahead (see
// New and ReserveN). Misuse panics at once with "ratelimit: Name: what is
// wrong" (see each function); runtime conditions are the errors above.
//
// Keyed holds one bucket per key and drops idle keys, which lose nothing,
// inside ordinary calls: the keys tracked and the memory held follow the
// keys active in the recent past (see Keyed).
//
// Consumers take an interface, not a *Limiter: *Limiter, KeyLimiter,
// redisrate's limiters and x/time/rate's *rate.Limiter are Waiters. Deferrer
// names the optional DeferUntil a consumer looks for on its Waiter (fanout
// does, for Retry-After); a wrapper keeps it only if it forwards it.
//
// The package reads time only through package time, so testing/synctest
// drives it: create the limiter inside the bubble.
//
// # Coming from x/time/rate
//
// The names and meanings are x/time/rate's where they carry over; it is not
// a drop-in replacement, as the methods that take a time do not:
//
//	x/time/rate                          ratelimit
//	NewLimiter(r, b)                     New(r, b); b < 1 panics (b = 0 denied everything)
//	var l rate.Limiter (denies all)      none: a zero Limiter panics; use New
//	Every, Inf, InfDuration, Limit       the same
//	Allow(), Wait(ctx), WaitN(ctx, n)    the same; errors are sentinels (above)
//	AllowN(time.Now(), n)                AllowN(n)
//	Reserve(), ReserveN(time.Now(), n)   Reserve(), ReserveN(n): a Reservation value
//	r.OK(), r.Delay(), r.Cancel()        the same; Cancel refunds all or nothing, once
//	SetLimit, SetBurst, Limit, Burst,    the same
//	Tokens
//	AllowN(t, n) n <= 0 (true, refunds)  none: n < 1 panics; Cancel gives back
//	...At(t), r.DelayFrom(t), CancelAt   none: decisions are taken at now only
//	Sometimes                            none: it is not rate limiting
//	(none)                               DeferUntil, Per, InitialTokens, Keyed
//
// There is no time argument because the limiter reads its own monotonic
// clock: no decision can be taken at a stale or future instant, the cause
// of x/time/rate's over-admission under contention; tests move time with
// testing/synctest instead.
package ratelimit
