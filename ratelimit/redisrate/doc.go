// Package redisrate is a rate limiter whose state lives in Redis, so that
// every replica of a service shares one limit: a partner API's "100
// requests per second" for the whole fleet, or a limit per tenant across
// it. Use package ratelimit when the limit is per process.
//
// The model is package ratelimit's GCRA, in its units: a token bucket of
// limit events per second (ratelimit.Every, ratelimit.Per, ratelimit.Inf)
// and a burst, full when new. Its whole state is one time, the theoretical
// arrival time (TAT), in one Redis key, moved by a Lua script on the
// server's clock: replicas need no clock agreement. In any window of length
// W a key admits at most burst + W×limit events, however many replicas
// share it. The key expires when the bucket is full again, so an idle limit
// costs Redis nothing. Each decision touches one key, so Redis Cluster
// works (a hash tag in the key picks its slot). Every process that uses a
// key must use the same limit and burst.
//
// A Limiter is one key; a Keyed applies one limit to each of many keys.
// Both are made by New and NewKeyed (the zero value is not usable), are
// safe for concurrent use, start no goroutine and need no Close. *Limiter
// is a ratelimit.Waiter and ratelimit.Deferrer, *Keyed a
// ratelimit.KeyedWaiter[string] and ratelimit.KeyedDeferrer[string], so
// fanout and pipeline pace with them as with the in-process limiters, and
// a 429's Retry-After (DeferUntil) holds back every replica.
//
// Each decision (Allow, AllowN, AllowAtMost, ReserveN, WaitN) is one round
// trip to Redis running a short script: about one Redis command, thousands
// of times an in-process decision. WaitN reserves in that round trip, then
// waits on a local timer: no polling, and waiters on every replica are
// served in the order they reserved. Pacing single events faster than the
// runtime timer's resolution needs burst >= 2 or
// WaitN with n > 1.
//
// A call is bounded by its ctx, by Timeout if set, and otherwise by the
// client's own timeouts and retries (Timeout's doc has go-redis's bound and
// the client options for a limiter). When Redis fails to answer within
// them, the failure policy decides (OnFailure, see Policy): FailClosed, the
// default, returns an error wrapping ErrUnavailable, FailOpen admits, and
// FailLocal admits at a share of the rate on an in-process limiter. A call
// whose ctx is done returns ctx's error; a network error never panics. A
// key that holds anything but the limiter's state is an error under every
// policy. A key that Redis loses (a restart without persistence, FLUSHALL,
// eviction) starts full again, on top of what it had just admitted (see
// Policy), as after Reset.
//
// The errors are package ratelimit's, so one errors.Is works whichever
// limiter a Waiter holds: ratelimit.ErrExceedsBurst for n > burst,
// ratelimit.ErrWouldExceedDeadline for a wait that cannot end before ctx's
// deadline; only ErrUnavailable is this package's. Misuse panics at once
// with a "redisrate: Name: problem" message: a nil or typed-nil client, a
// nil ctx or Option, n < 1, settings New cannot honour. Each function's doc
// states its panics.
package redisrate
