// Package fanout makes many calls to slow or quota-limited services as one
// operation (fetch 500 profiles, notify 10,000 subscribers, ask 3
// replicas) as fast as allowed and no faster, and returns every input's
// outcome.
//
//	results, err := fanout.Map(ctx, userIDs, fetchProfile,
//		fanout.Workers(20),            // at most 20 calls in flight
//		fanout.Pace(limiter),          // a ratelimit.Waiter: at most R calls a second
//		fanout.Timeout(2*time.Second), // per attempt; ctx bounds the whole fan-out
//		fanout.Attempts(3),            // retries with jittered exponential backoff
//	)
//
// Map returns one Result per input, at the input's index; Stream runs over
// an iter.Seq and yields each Result with its index as the input ends; First
// races replicas and returns the winner's value. Each call is one fan-out:
// nothing outlives it, and Options are immutable values that may be reused.
// For tasks that are not one call per input, use a pool group; for items
// that flow through stages, a pipeline; for computing over slices, parallel.
//
// A fan-out runs at most Workers goroutines, each of which takes the next
// input and runs it to its end: past the retry-after gate, a token of Pace,
// one of PacePerKey, then the call; on failure, a retry after a backoff or
// the server's RetryAfter hint, paced like a first attempt and in the same
// slot. Taking the slot before the token makes the limiter's schedule the
// call schedule: for a token bucket of rate R and burst b, at most b + R×W
// attempts start in any window W. A server's RetryAfter hint holds back
// the whole fan-out, or the input's key with PacePerKey.
//
// With OnPool(p) each call is also a task of a shared pool.Pool, taken
// for the call alone, after the waits, so one service-wide bound covers
// the calls of every request's fan-out, call by call; a fan-out inside a
// task of p lends that task's worker to its calls rather than deadlock,
// and a closed p stops the starts, not the calls in flight (see OnPool).
//
// The result policy is chosen by option, the last one given winning whole.
// CollectAll, the default, runs every input and returns errors.Join of the
// failures: results belong to inputs, so one failure is no reason to drop
// the others. FailFast opts in to stopping at the first failure, after its
// retries, and returning it. FirstSuccess (hedged or not) and Quorum stop
// once enough inputs have succeeded, or once too few still can.
//
// Partial results are the rule: however a fan-out ends (ctx, a policy, a
// panic), every input has a Result whose Status says how it ended:
// Succeeded, Failed, Canceled (started, then the fan-out stopped) or
// NotStarted, whose Err wraps ErrNotStarted and the reason. Map returns
// every Result with its error. The error comes from what stopped the
// fan-out, never from its own cleanup: a ctx that ends after the last
// input ended stopped nothing. StatsTo sums a fan-out up.
//
// Map returns, and a Stream loop ends, only after every goroutine of the
// fan-out has exited. A panic in a call, or in the user code fanout runs
// around it (a Waiter, a key function, RetryIf), stops the fan-out and is
// re-raised in the caller as a *tandem.PanicError holding every panic and
// its stack. A call that runs runtime.Goexit fails its input with
// tandem.ErrGoexit, and the fan-out goes on. Misuse panics at once, in the
// function that received the bad argument, with a message of the form
// "fanout: Name: what is wrong".
//
// Map starts no goroutine per input and allocates nothing per input beyond
// its result slice, and a worker's stack, once grown by a deep client,
// stays grown for its next input. Stream hands inputs and results over
// channels, also without allocating per input. With OnPool a call costs
// what a task of the pool does: a Submit and a wake-up, no allocation.
package fanout
