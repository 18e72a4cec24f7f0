// Package redisrate is a rate limiter whose state lives in Redis, so that
// every replica of a service shares one limit.
//
// An in-process limiter (package ratelimit) works until the service runs as
// many replicas and the quota it protects, such as a partner API's "100
// requests per second", is shared by all of them. Dividing the rate by the
// replica count is static, wrong during autoscaling, and wastes quota. A
// Limiter keeps the limit in one Redis key instead; every replica asks Redis.
// Use the in-process limiter when the limit is per process; use this one when
// it is per service, per tenant across the fleet, or per anything the
// replicas share.
//
// # Algorithm
//
// The same GCRA as package ratelimit, in its units: a Limit of events per
// second (ratelimit.Every, ratelimit.Per, ratelimit.Inf) and a burst, as a
// token bucket (a fresh bucket is full). Its whole state is one time, the
// theoretical arrival time (TAT), kept in one Redis key as whole seconds
// and nanoseconds of the server's clock ("1795653589:23227000"), and
// computed by a Lua script on the server's clock (TIME): replicas need no
// clock agreement. The key expires when the bucket is full again, so idle
// limiters cost no memory and expiry loses nothing. In any window of length
// W, a limiter admits at most burst + W×limit events, whatever the number of
// replicas. The interval between events is whole nanoseconds, rounded up as
// in package ratelimit: neither limiter ever admits more than its limit.
// The script is the one copy of the GCRA here; FailLocal decides with
// package ratelimit's Limiter.
//
// Each decision touches one key, so a Limiter works on Redis Cluster (the
// tests run one on a three-node cluster through go-redis's ClusterClient);
// put a hash tag in the key ("quota:{partner}") to choose its slot. All processes
// using a key must use the same limit and burst.
//
// # Cost
//
// Each decision (Allow, AllowN, AllowAtMost, ReserveN, WaitN) is one round
// trip to Redis running a short script: about the cost of one Redis command,
// about 200 µs on the loopback of a small VM (of which 17-24 µs in the
// script) and the network's round trip elsewhere, thousands of times an
// in-process decision. A Limiter itself adds a dozen or so allocations
// (mostly go-redis's) and no goroutine. WaitN is one
// round trip that reserves the events (the TAT moves forward even when they
// must wait) and then a local, ctx-aware timer: no polling, so waiters on every
// replica are served in the order they reserved and the aggregate reaches the
// configured rate, where polling Allow and sleeping RetryAfter loses
// throughput. Pacing single events above about 1 kHz meets the runtime
// timer's granularity; use burst >= 2 or WaitN with n > 1.
//
// # Failures
//
// Redis can be unreachable, slow or failing over. Every round trip is bounded
// by the client's own timeouts (go-redis's ReadTimeout, WriteTimeout,
// DialTimeout and PoolTimeout, times its retries: for a client that serves
// limiters, set the timeouts to the longest one attempt may take and
// MaxRetries to -1) and, if given, a per-call deadline (Timeout, for a
// client shared with code that needs longer timeouts; it costs a timer per
// call). The caller's ctx bounds the wait for a connection, and with
// go-redis's ContextTimeoutEnabled its deadline and Timeout's also reach
// the socket. A failure policy decides what happens then (OnFailure):
// FailClosed (the default) returns an error wrapping ErrUnavailable,
// FailOpen admits, and FailLocal admits at a share of the rate with an
// in-process limiter. Whatever the policy, no call panics because of a
// network error or waits past the bounds above, and a call whose ctx is done
// returns ctx's error.
//
// # Errors, edge cases and misuse
//
// The errors are package ratelimit's, so one errors.Is works whichever
// limiter a ratelimit.Waiter holds: n > burst returns
// ratelimit.ErrExceedsBurst at once (such events could never be admitted),
// a WaitN that cannot finish before ctx's deadline returns
// ratelimit.ErrWouldExceedDeadline at once without reserving (it matches
// context.DeadlineExceeded), and a canceled WaitN returns ctx's error and
// gives its reservation back. Only ErrUnavailable, for Redis failing, is
// this package's own. The edge cases follow the core limiter's, checked in
// its order (n, then ctx, then Inf, then the burst):
//
//   - n < 1 panics, as in the core: "redisrate: AllowN(0): n must be at
//     least 1" (the method's name and n vary). There is no negative-n refund
//     (use Reservation.Cancel).
//   - ratelimit.Inf admits every call at once, whatever n and the burst,
//     without a round trip.
//   - A limit <= 0 panics, where the core admits only the tokens in the
//     bucket, then nothing. The core's frozen bucket serves SetLimit(0), a
//     pause of one process's limiter; this package has no SetLimit, and in
//     Redis such a bucket would be a key that can never expire (one per
//     tenant, forever, for a Keyed) and a quota for the whole fleet until
//     someone deletes it. A zero shared rate is far more often a
//     configuration bug (an unset setting) than a wish, so it fails at New.
//   - A limit above 1e9 per second (an interval under 1ns), other than Inf,
//     panics, as in the core; so does burst < 1, and burst/limit longer than
//     2^53 ns (about 104 days, where the core's bound is 146 years: Lua
//     numbers are doubles).
//
// Misuse panics at once with a "redisrate: " message: the cases above, a nil
// client, a negative timeout, a FailLocal share outside (0, 1] or too small
// for a local limiter. Runtime conditions are the errors above.
//
// The client is any Scripter (EVALSHA and EVAL); go-redis's Client,
// ClusterClient and Ring are. *Limiter satisfies ratelimit.Waiter, so
// fanout and pipeline pace with it as they do with the in-process limiter,
// and ratelimit.Deferrer: DeferUntil(t) holds every replica back until t,
// so a fan-out that gets an HTTP 429 with Retry-After (fanout.RetryAfter)
// pushes the whole fleet's limit back, not only its own process. Keyed
// applies one limit to each of many keys (per tenant, per user) and is a
// ratelimit.KeyedWaiter[string] and KeyedDeferrer[string].
//
// The module's go.mod also requires github.com/go-redis/redis_rate/v10: only
// bench_test.go imports it, for the benchmark against it on the same Redis.
// No package of this module does, so it is never built into a program that
// uses redisrate.
package redisrate
