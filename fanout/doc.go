// Package fanout makes many calls to slow or quota-limited services in one
// call: fetch 500 user profiles, notify 10,000 subscribers, query 3
// replicas, or send one message over email, SMS and push. It runs the calls
// as fast as allowed and no faster, and returns every input's result with
// its error.
//
//	results, err := fanout.Map(ctx, userIDs, fetchProfile,
//		fanout.Workers(20),          // never more than 20 calls in flight
//		fanout.Pace(limiter),            // a ratelimit.Waiter: at most R per second
//		fanout.Timeout(2*time.Second),   // per call; ctx bounds the whole fan-out
//		fanout.Attempts(3),              // retries with jittered exponential backoff
//	)
//
// Map returns one Result per input at the input's index (value, error,
// Status, attempts, duration); Stream does the same over an iter.Seq and
// yields results in completion order with their index, for large or
// unbounded inputs.
//
// # Fanout, a pool group or a pipeline?
//
// Use fanout when the work is a set of independent I/O calls that you want
// back as a set: it adds what a bare group lacks for remote calls (a rate,
// per-call timeouts, retries that honour the server's Retry-After, result
// policies) and keeps every input's outcome. Use a pool group (package
// pool) for heterogeneous tasks, or tasks that share a long-lived pool with
// the rest of the service. Use a pipeline (package pipeline) when items
// flow through several stages, each with its own concurrency. For CPU-bound
// work over slices, use package parallel.
//
// # Result policies
//
// One policy per fan-out, chosen by option (the last one given wins):
//
//   - CollectAll (default): every input runs to its end; the error is
//     errors.Join of the failures.
//   - FailFast: the first failure (after its retries) cancels the rest and
//     is returned, the cause and not a context.Canceled. No call starts after
//     it: unlike errgroup, which goes on launching queued tasks after the
//     first error (golang/go#61611), fanout's workers check before every
//     attempt, also after waiting for the rate.
//   - FirstSuccess(hedge): race replicas, cancel the losers once one
//     answers. With a hedging delay, the next replica starts only when the
//     delay has passed without an answer, or at once when one fails. First
//     is the same as a function that returns the winning value.
//   - Quorum(k): return once k inputs succeed, or as soon as k can no longer
//     succeed.
//
// Every input is accounted for: Succeeded, Failed, Canceled (started, then
// the fan-out stopped) or NotStarted. StatsTo sums them up, with the
// attempts, retries and the time spent throttled and backing off. Work that
// cannot start before ctx is done never starts: an input whose rate token
// would come after ctx's deadline, which tandem's limiters refuse at once
// with ratelimit.ErrWouldExceedDeadline, ends NotStarted with that error
// (Canceled if it had started: a refused retry), like the inputs not
// reached when ctx ends, instead of waiting for the deadline.
//
// # Workers and rate: the window guarantee
//
// fanout runs its own bounded workers: for Map, min(Workers,
// len(inputs)) goroutines, each claiming the next input index from an
// atomic cursor. So it starts no goroutine per input, allocates nothing per
// input beyond the result slice, and a worker's stack, once grown by a deep
// call (an HTTP client, a database driver), stays grown for the next input
// instead of being grown again for each. BenchmarkFanoutOverhead in bench/
// measures about 100-250 ns per trivial call on a shared 2-core VM, a third
// of it reading the clock for Result.Duration, against about 1 µs and 2
// allocations for errgroup.SetLimit with index slots, which starts a
// goroutine per input. Stream hands inputs and results over channels (a
// feeder goroutine reads the sequence): about 500 ns per input. fanout does
// not run on a shared pool (package pool) yet; a Pool option may come
// later, for services that want one budget of goroutines.
//
// A worker is the concurrency slot. It takes the slot first, then waits for
// the rate: a token of Pace, then one of PacePerKey, then the call starts at
// once. Taking the slot first keeps at most Workers goroutines waiting
// on the limiter and the start of each call right at its token, so the
// limiter's schedule is the call schedule. For a token bucket with rate R
// and burst b (tandem's ratelimit.Limiter, x/time/rate), at most
// b + R×W calls start in any window of length W (give or take the Go
// scheduler, which on a loaded machine may run a few admitted calls a
// little late and so together). Mind the burst: with
// R = 100/s and b = 100, 199 calls can start in one second. When "100 per
// second" means per any second, use burst 1 (or a small one and count it).
// Retries are attempts like the first: they wait for the rate and hold the
// input's slot, also while backing off, so a retrying input never lets
// more than Workers calls run, and a retry never queues behind new
// inputs.
//
// With both Pace and PacePerKey, the rate is waited first and the per-key rate
// last, right before the call, because the per-target limit is usually the
// one a server enforces; the window guarantee is exact for the per-key
// limit.
//
// # Timeouts and retries
//
// ctx bounds the whole fan-out; Timeout bounds each attempt. An attempt
// that runs out of its Timeout fails with ErrCallTimeout (retryable by
// default); when ctx is done, nothing is retried. Attempts allows retries,
// after a backoff with full jitter (uniform in [0, min(cap, base×2^k)]).
// RetryIf chooses the errors to retry (default: all but context errors).
//
// A call that learns from the server when to come back (HTTP 429 or 503
// with Retry-After) returns RetryAfter(err, d). Its retry then waits d, and
// the whole fan-out backs off with it: a Pace limiter that is a
// ratelimit.Deferrer (tandem's *ratelimit.Limiter, or *redisrate.Limiter,
// which pushes back every replica) is pushed back to now+d, and so is the
// input's key of a PacePerKey limiter that is a ratelimit.KeyedDeferrer
// (tandem's *ratelimit.Keyed, or *redisrate.Keyed); without a per-key
// limit, a gate in the fan-out also holds every input until then, whatever
// the limiter.
//
// # Panics and goroutines
//
// A call's panic is recovered with its stack, the fan-out stops, and Map
// (or the Stream loop) re-raises it in the caller as a *tandem.PanicError
// holding every panic. A call that runs runtime.Goexit fails its input
// with tandem.ErrGoexit and its worker is replaced. Map returns, and a
// Stream loop ends, only after every goroutine of the fan-out has exited.
//
// Misuse (a nil call, Workers(0), a PacePerKey key function of the wrong
// input type, ...) panics at once with a message starting with "fanout: ".
package fanout
