package fanout

import (
	"context"
	"errors"
	"reflect"
	"time"

	"github.com/tandem-go/tandem/internal/misuse"
	"github.com/tandem-go/tandem/pool"
	"github.com/tandem-go/tandem/ratelimit"
)

// DefaultWorkers is the number of calls a fan-out runs at once when no
// Workers option is given: enough to hide the latency of a remote
// service, few enough not to overwhelm one.
const DefaultWorkers = 16

// Default backoff between attempts when Attempts allows retries and no
// Backoff option is given.
const (
	DefaultBackoffBase = 100 * time.Millisecond
	DefaultBackoffCap  = 10 * time.Second
)

// An Option configures one fan-out (Map or Stream). Options are not
// generic, so a call site never spells type arguments.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type policyKind uint8

const (
	collectAll policyKind = iota
	failFast
	quorum // FirstSuccess is Quorum(1) with a hedging delay
)

// policy is a fan-out's result policy. A policy option replaces it whole,
// so the last one given leaves nothing of an earlier one behind: no
// hedging delay of a FirstSuccess under a later CollectAll, no quorum
// under a later FailFast.
type policy struct {
	kind   policyKind
	quorum int           // the successes that settle a quorum fan-out
	hedge  time.Duration // FirstSuccess's hedging delay; 0 for every other policy
}

type options struct {
	workers     int
	pace        ratelimit.Waiter
	perKey      anyInputLimiter // an inputLimiter[In], set by PacePerKey
	timeout     time.Duration
	attempts    int
	backoffBase time.Duration
	backoffCap  time.Duration
	retryIf     func(error) bool
	policy      policy
	stats       *Stats
	pool        *pool.Pool
}

// buildOptions is the one place that sets the defaults. where names the
// function that received opts, for its misuse panics ("fanout: Map").
func buildOptions(where string, opts []Option) options {
	o := options{
		workers:     DefaultWorkers,
		attempts:    1,
		backoffBase: DefaultBackoffBase,
		backoffCap:  DefaultBackoffCap,
		retryIf:     Retryable,
		policy:      policy{kind: collectAll},
	}
	for _, opt := range opts {
		misuse.Nil(where, "Option", opt)
		opt.apply(&o)
	}
	return o
}

// prepare checks the arguments that Map, Stream and First share, in their
// order, and builds the options; it panics on misuse with where as the
// name. It returns the PacePerKey limiter, if any, typed on In.
func prepare[In, Out any](where string, ctx context.Context, call func(context.Context, In) (Out, error), opts []Option) (options, inputLimiter[In]) {
	misuse.Ctx(where, ctx)
	misuse.Nil(where, "function", call)
	o := buildOptions(where, opts)
	if o.perKey == nil {
		return o, nil
	}
	lim, ok := o.perKey.(inputLimiter[In])
	if !ok {
		misuse.Panicf(where, "PacePerKey's key function takes %v, not the inputs' type %v", o.perKey.keyInput(), reflect.TypeFor[In]())
	}
	return o, lim
}

// Workers bounds the calls in flight at n: never more than n calls of one
// fan-out run at once, retries included, and an input keeps its slot while
// it waits to retry. Map runs min(n, len(inputs)) goroutines of its own;
// with OnPool the calls also count against the pool's bound, so at most
// min(n, the pool's free workers) of them run at once. Default
// DefaultWorkers (16). Workers panics if n < 1.
func Workers(n int) Option {
	if n < 1 {
		misuse.Panicf("fanout: Workers", "n must be at least 1, got %d", n)
	}
	return optionFunc(func(o *options) { o.workers = n })
}

// Pace paces the start of every attempt, first or retry, with one event of
// w. An input waits for w only once it holds a Workers slot, and its call
// starts as soon as it has the token (and the PacePerKey one; with OnPool,
// once the pool has a worker for it), so the limiter's schedule is the
// call schedule: for a token bucket of rate R and
// burst b (tandem's *ratelimit.Limiter, x/time/rate's *rate.Limiter), at
// most b + R×W attempts start in any window of length W, give or take the
// Go scheduler, which on a loaded machine may run a few admitted calls a
// little late and so together. Mind the burst: at R = 100/s and b = 100,
// 199 calls may start within one second; for "100 in any second", use
// burst 1. At most Workers goroutines of the fan-out wait on w, which may
// be shared with the rest of the service.
//
// When w is a ratelimit.Deferrer (as tandem's *ratelimit.Limiter and
// *redisrate.Limiter are), a RetryAfter hint pushes it back; an attempt
// already waiting for its token keeps it, since starting it later would
// bunch the starts w spaced out. Default: no pacing. Pace panics if w is
// nil, or an interface holding a nil pointer, func or map.
func Pace(w ratelimit.Waiter) Option {
	misuse.Nil("fanout: Pace", "Waiter", w)
	return optionFunc(func(o *options) { o.pace = w })
}

// PacePerKey paces each attempt with w under the key that key(input)
// returns: a per-target limit, such as one rate per host. With Pace too,
// Pace is waited first and PacePerKey last, right before the call,
// because the per-target limit is usually the one a server enforces: the
// window bound (see Pace) is exact for each key. When w is a
// ratelimit.KeyedDeferrer[K] (as tandem's *ratelimit.Keyed[K] and
// *redisrate.Keyed are), a RetryAfter hint pushes back that key only, and
// with PacePerKey no hint holds back the other keys' inputs. Default: no
// per-key pacing. PacePerKey panics if w or key is nil (a typed nil too),
// and Map, Stream and First panic if key does not take their input type.
func PacePerKey[In any, K comparable](w ratelimit.KeyedWaiter[K], key func(In) K) Option {
	misuse.Nil("fanout: PacePerKey", "KeyedWaiter", w)
	misuse.Nil("fanout: PacePerKey", "key function", key)
	lim := &keyedLimiter[In, K]{waiter: w, key: key}
	lim.deferrer, _ = w.(ratelimit.KeyedDeferrer[K])
	return optionFunc(func(o *options) { o.perKey = lim })
}

// Timeout bounds each attempt to d, on a context derived from the fan-out's:
// an attempt that runs out fails with an error wrapping ErrCallTimeout (and
// may be retried) while the fan-out goes on; a call that returns an error
// of its own as d passes keeps it unmarked (see ErrCallTimeout). d = 0
// means no timeout, the default: each attempt is bounded by ctx alone.
// Timeout panics if d < 0.
func Timeout(d time.Duration) Option {
	if d < 0 {
		misuse.Panicf("fanout: Timeout", "d must not be negative, got %v", d)
	}
	return optionFunc(func(o *options) { o.timeout = d })
}

// Attempts allows up to n calls per input: the first and n-1 retries, each
// after a backoff (see Backoff) or a RetryAfter hint, each waiting for the
// rate and holding the input's Workers slot. Default 1 (no retries).
// Attempts panics if n < 1.
func Attempts(n int) Option {
	if n < 1 {
		misuse.Panicf("fanout: Attempts", "n must be at least 1, got %d", n)
	}
	return optionFunc(func(o *options) { o.attempts = n })
}

// Backoff sets the wait before retry k (k = 1, 2, ...) to a uniformly random
// duration in [0, min(limit, base×2^(k-1))] ("full jitter", which spreads
// retries of many inputs apart). Default DefaultBackoffBase (100 ms) and
// DefaultBackoffCap (10 s). Backoff panics if base <= 0 or limit < base.
func Backoff(base, limit time.Duration) Option {
	if base <= 0 {
		misuse.Panicf("fanout: Backoff", "base must be positive, got %v", base)
	}
	if limit < base {
		misuse.Panicf("fanout: Backoff", "limit must not be less than base (%v), got %v", base, limit)
	}
	return optionFunc(func(o *options) { o.backoffBase, o.backoffCap = base, limit })
}

// RetryIf decides which errors are retried (while attempts remain and the
// fan-out goes on). Errors carrying a RetryAfter hint are retried whatever it
// says; panics are never retried. Default Retryable. RetryIf panics if
// retryable is nil.
func RetryIf(retryable func(error) bool) Option {
	misuse.Nil("fanout: RetryIf", "function", retryable)
	return optionFunc(func(o *options) { o.retryIf = retryable })
}

// Retryable is the default RetryIf predicate: every error except a context's
// (context.Canceled, context.DeadlineExceeded), which mean the caller gave
// up; an attempt that ran out of its own Timeout (ErrCallTimeout) is
// retried.
func Retryable(err error) bool {
	if errors.Is(err, ErrCallTimeout) {
		return true
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// CollectAll runs every input to its end and returns errors.Join of the
// failures, plus ctx's cause once if it stopped an input. It is the
// default because results belong to inputs: a fan-out is asked for every
// input's result, and one failure is no reason to drop the others. (A pool
// group defaults to FailFast instead: its tasks share one outcome.)
func CollectAll() Option {
	return optionFunc(func(o *options) { o.policy = policy{kind: collectAll} })
}

// FailFast stops the fan-out at the first input that fails (after its
// retries): no attempt starts after it, the calls in flight see their
// context canceled with that error as the cause, and Map returns that
// error, or nil when every input succeeded. Unlike errgroup, which goes on
// starting queued tasks after the first error, each worker checks before
// every attempt, also after waiting for its token. An input the limiter
// refuses because its token would come after ctx's deadline is not a
// failure (it ends NotStarted) and stops nothing. It is opt-in, for calls
// whose results are worth nothing unless all succeed; the default is
// CollectAll.
func FailFast() Option {
	return optionFunc(func(o *options) { o.policy = policy{kind: failFast} })
}

// FirstSuccess races the inputs (replicas) and stops the fan-out as soon as
// one succeeds, canceling the others; Map returns nil then, and ErrNoQuorum
// joined with the failures when none succeeds. With hedge > 0 the inputs
// start one by one: the next starts after hedge has passed with no answer,
// or at once when a started one fails; with hedge = 0 all start together
// (within the Workers limit). Default: CollectAll. FirstSuccess panics
// if hedge < 0.
func FirstSuccess(hedge time.Duration) Option {
	checkHedge("fanout: FirstSuccess", hedge)
	return optionFunc(func(o *options) { o.policy = firstSuccess(hedge) })
}

// firstSuccess is the policy of FirstSuccess(hedge) and First: a quorum of
// one, hedged.
func firstSuccess(hedge time.Duration) policy {
	return policy{kind: quorum, quorum: 1, hedge: hedge}
}

func checkHedge(where string, hedge time.Duration) {
	if hedge < 0 {
		misuse.Panicf(where, "hedge must not be negative, got %v", hedge)
	}
}

// Quorum stops the fan-out once k inputs have succeeded (Map returns nil),
// or once k can no longer succeed because too many failed (Map returns
// ErrNoQuorum joined with the failures); the calls still in flight are
// canceled. Default: CollectAll. Quorum panics if k < 1.
func Quorum(k int) Option {
	if k < 1 {
		misuse.Panicf("fanout: Quorum", "k must be at least 1, got %d", k)
	}
	return optionFunc(func(o *options) { o.policy = policy{kind: quorum, quorum: k} })
}

// StatsTo has Map, when it returns, or Stream, when its loop ends, store
// the fan-out's summary in *dst, also before they re-raise a panic. *dst
// is written by the goroutine that called Map or ranged over Stream, once:
// fan-outs running at once must not share a dst. Default: no summary.
// StatsTo panics if dst is nil.
func StatsTo(dst *Stats) Option {
	misuse.Nil("fanout: StatsTo", "*Stats", dst)
	return optionFunc(func(o *options) { o.stats = dst })
}

// OnPool makes every call of the fan-out a task of p (see pool.Pool.Call),
// so that one service-wide bound covers every request's fan-out: twenty
// requests at Workers(10) on a pool of 10 have 10 calls in flight between
// them, not 200. Default: none, each fan-out bounded by its Workers alone.
//
// What counts is each attempt's call, not the fan-out: an attempt takes a
// worker of p when its call can start and gives it back when the call
// returns, so fan-outs share p call by call, first come first served, and
// Workers(n) still caps each one's share at n. The waits before a call
// (the retry-after gate, Pace, PacePerKey, the backoff) hold no worker of
// p: a fan-out waiting for its rate takes nothing from the others. A call
// whose token came while p was full starts when a worker frees up, so the
// window bound of Pace holds for the tokens, and for the starts while p
// has room. Timeout runs from the call's start; p's Timeout, if any,
// bounds the call too, as p's own limit (not marked ErrCallTimeout).
//
// A call on p is a task of p: it runs on one of p's workers, may submit
// into p as a task may (see pool.Pool.Submit), and counts once in p's
// Stats: Succeeded, Failed (runtime.Goexit included), Canceled or Panicked
// once it ran, Rejected or NotStarted when the fan-out stopped while it
// waited for room. Once p refuses a call as closed, nothing more starts:
// the inputs not started end NotStarted, their Err wrapping ErrNotStarted
// and pool.ErrClosed (Canceled between attempts), the calls in flight run
// to their end, as p's Close lets them, and pool.ErrClosed stands for
// ctx's cause in Map's error.
//
// Called from a task of p with its ctx (see pool.Pool.InTask), a fan-out
// lends the task's worker to its calls rather than wait for p, where every
// worker may be a task waiting for a fan-out of its own: a call takes a
// free worker (pool.Pool.TryCall), or else runs on the caller's goroutine,
// one at a time, as part of the task, also while p drains after Close.
// Such a call counts in p's Stats as Rejected, and a runtime.Goexit in it
// ends the caller's goroutine, as in a call the task made itself, once the
// fan-out's goroutines have exited. OnPool panics if p is nil.
func OnPool(p *pool.Pool) Option {
	misuse.Nil("fanout: OnPool", "Pool", p)
	return optionFunc(func(o *options) { o.pool = p })
}
