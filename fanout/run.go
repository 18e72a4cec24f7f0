package fanout

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/catch"
	"github.com/tandem-go/tandem/internal/clock"
	"github.com/tandem-go/tandem/internal/sleep"
	"github.com/tandem-go/tandem/pool"
	"github.com/tandem-go/tandem/ratelimit"
)

// errSettled is the cancel cause once a FirstSuccess or Quorum fan-out has
// its k successes: the calls still in flight are no longer needed.
var errSettled = errors.New("fanout: enough inputs succeeded")

// errEnded is the cancel cause of a fan-out's own cleanup, once Map has
// its results or a Stream's loop has ended (the calls still in flight
// after a break see it). It never stands for why a fan-out stopped: see
// stopCause.
var errEnded = errors.New("fanout: the fan-out has ended")

// run is the state of one fan-out, shared by its workers.
type run[In, Out any] struct {
	ctx    context.Context // canceled when the fan-out stops
	cancel context.CancelCauseFunc
	// start is the ctx of every wait before a call (the gate, Pace,
	// PacePerKey, a backoff, room in the pool) and of the decision to
	// start one. Without OnPool it is ctx; with OnPool a child of it that
	// closePool cancels with pool.ErrClosed once the pool refuses a call
	// for being closed: nothing starts after that, and the calls in flight
	// go on, as the pool's Close lets them.
	start     context.Context
	closePool context.CancelCauseFunc
	call      func(context.Context, In) (Out, error)
	o         *options
	n         int // number of inputs, or -1 for a stream

	// lent takes, in a fan-out called from a task of its pool with the
	// task's ctx, the calls that found no free worker of the pool to the
	// goroutine of that task, which runs them on its worker while it waits
	// (see serve); nil otherwise.
	lent chan *worker[In, Out]
	// live counts the workers of a lending Map running, and allExited is
	// closed when the last exits: serve runs until then.
	live      atomic.Int64
	allExited chan struct{}

	paceDeferrer ratelimit.Deferrer // o.pace, when it can be pushed back
	perKey       inputLimiter[In]

	// base is when the fan-out began. Times are kept as offsets from it,
	// read from the monotonic clock alone, at half the cost of time.Now:
	// the clock is read once per input.
	base clock.Base
	// gate holds the offset before which no attempt starts, set by a
	// RetryAfter hint when there is no per-key limit to push back.
	gate atomic.Int64
	// succeeded and lost count inputs for the Quorum policy only; lost
	// counts those that ended without success.
	succeeded, lost atomic.Int64
	// failedSignal wakes a hedging feeder when an input ends without
	// success (failed, or refused for the deadline); stream makes it, with
	// a slot per worker it starts.
	failedSignal chan struct{}

	notStartedOnce sync.Once
	notStartedErr  error
	// refusal is the Err of the first input refused without the fan-out
	// stopping: by a limiter because its token would come after ctx's
	// deadline, or by a closed pool; its cause stands for ctx's cause in
	// Map's error when ctx itself did not stop the fan-out. The refusals
	// for each sentinel share one value (see refuse).
	refusal                        atomic.Pointer[notStartedError]
	deadlineRefusal, closedRefusal atomic.Pointer[notStartedError]

	wg     sync.WaitGroup // every goroutine of the fan-out
	panics catch.Panics
	// timers serves the retry-after gates and backoffs. A pointer: a pool
	// in use is referenced from sync's list of pools until two GCs after,
	// which should hold this small struct, not the run with its inputs.
	timers *sleep.Timers

	mu    sync.Mutex
	stats Stats // merged from the workers as they exit
}

func newRun[In, Out any](ctx context.Context, call func(context.Context, In) (Out, error), o *options, perKey inputLimiter[In], n int) *run[In, Out] {
	r := &run[In, Out]{call: call, o: o, n: n, perKey: perKey, base: clock.Start(), timers: new(sleep.Timers)}
	r.ctx, r.cancel = context.WithCancelCause(ctx)
	r.start = r.ctx
	if o.pool != nil {
		r.start, r.closePool = context.WithCancelCause(r.ctx)
		if o.pool.InTask(ctx) {
			r.lent = make(chan *worker[In, Out])
		}
	}
	if o.pace != nil {
		r.paceDeferrer, _ = o.pace.(ratelimit.Deferrer)
	}
	if o.policy.kind == quorum && n >= 0 && n < o.policy.quorum {
		r.cancel(ErrNoQuorum) // k successes are out of reach before any call
	}
	return r
}

// worker is one of the fan-out's bounded goroutines. It owns its Stats
// (merged once when it exits, so counting costs no contention) and the
// result of the input it is running, which its Goexit handler completes.
type worker[In, Out any] struct {
	r     *run[In, Out]
	st    Stats
	cur   *Result[Out]
	start time.Duration // when cur began, as an offset from r.base
	// onGoexit runs when user code (the call, a Waiter, a key function,
	// RetryIf) ends the goroutine with runtime.Goexit:
	// it completes the current input as failed and starts a replacement.
	onGoexit func()

	// With OnPool, the call of one attempt runs as task, on a worker of
	// the pool (or on the caller's, see serve), with in as its input; it
	// leaves out and sets ran when it begins and returned when the call
	// returned, so that a call that ran runtime.Goexit, or one that never
	// ran, is told apart from a call returning an error. task is made
	// once per worker, so that an attempt allocates nothing.
	task          func(context.Context) error
	in            In
	out           Out
	ran, returned bool
	// lentDone tells a worker that serve has run its call: lentErr is
	// its error, lentPanic its panic.
	lentDone  chan struct{}
	lentErr   error
	lentPanic *tandem.PanicError
}

// newWorker makes a worker of r.
func (r *run[In, Out]) newWorker() *worker[In, Out] {
	w := &worker[In, Out]{r: r}
	if r.o.pool != nil {
		w.task = func(ctx context.Context) error {
			w.ran = true
			var err error
			w.out, err = w.callOnce(ctx, w.in)
			w.returned = true
			return err
		}
	}
	if r.lent != nil {
		w.lentDone = make(chan struct{}, 1)
	}
	return w
}

func (w *worker[In, Out]) exit() {
	w.r.mu.Lock()
	w.r.stats.add(&w.st)
	w.r.mu.Unlock()
}

// goexited completes the current input after user code that run guards
// (the call or what paces and retries it) ran runtime.Goexit.
func (w *worker[In, Out]) goexited() {
	res := w.cur
	res.Value = *new(Out)
	res.Err, res.Status = tandem.ErrGoexit, Failed
	res.Duration = w.r.now() - w.start
	w.st.count(res.Status, res.Attempts)
	w.r.settle(res)
}

// run runs one input to its end with do, guarding all the user code do
// reaches, not only the call: a Waiter, a PacePerKey key function, a RetryIf
// predicate or an error's As method may panic or call runtime.Goexit too.
// A panic fails the input with the *tandem.PanicError, records it (Map
// and Stream re-raise it) and stops the fan-out; a Goexit runs
// w.onGoexit, which completes the input and replaces the worker. This is
// the one place that catches, so each input is counted exactly once.
// It returns the time the input ended, as do does.
func (w *worker[In, Out]) run(in In, res *Result[Out], start time.Duration) (end time.Duration) {
	p := catch.Call(func() { end = w.do(in, res, start) }, w.onGoexit)
	if p == nil {
		return end
	}
	r := w.r
	if inner, ok := p.Value.(*tandem.PanicError); ok && r.o.pool != nil {
		p = inner // a call's panic on the pool, raised again here: its stack is the call's
	}
	r.panics.Add(p)
	r.cancel(p)
	end = r.now()
	res.Value, res.Err, res.Status = *new(Out), p, Failed
	res.Duration = end - start
	w.st.count(res.Status, res.Attempts)
	r.settle(res)
	return end
}

// do runs one input to its end: pace, call, retry; it fills *res and
// counts it in w.st. start is the time the worker took the input (as
// r.now()); do returns the time it ended, which a worker that goes on to
// the next input at once passes as its start: one clock read per input.
func (w *worker[In, Out]) do(in In, res *Result[Out], start time.Duration) (end time.Duration) {
	r := w.r
	w.cur, w.start = res, start
	for {
		if err := r.pace(in, &w.st); err != nil {
			r.refused(res, err)
			break
		}
		res.Attempts++ // before the call: a Goexit in it counts it (see goexited)
		out, how, err := w.attempt(in)
		if how == callRefused { // by the pool: the call never ran
			res.Attempts--
			r.refused(res, err)
			break
		}
		if how == callGoexited {
			res.Value, res.Err, res.Status = *new(Out), tandem.ErrGoexit, Failed
			break
		}
		if err == nil {
			res.Value, res.Err, res.Status = out, nil, Succeeded
			break
		}
		res.Err = err
		if r.stopped() {
			res.Status = Canceled
			break
		}
		hint, hinted := retryAfterHint(err)
		if hinted {
			// The server asks everyone to slow down, retry or not.
			r.pushBack(in, time.Now().Add(hint))
		}
		if res.Attempts >= r.o.attempts || !hinted && !r.o.retryIf(err) {
			res.Status = Failed
			break
		}
		if err := r.waitToRetry(in, res.Attempts, hint, hinted, &w.st); err != nil {
			r.refused(res, err)
			break
		}
	}
	end = r.now()
	res.Duration = end - start
	w.st.count(res.Status, res.Attempts)
	r.settle(res)
	return end
}

// refused ends res, whose next attempt did not start because err ended a
// wait before it or refused it: the fan-out stopped, the pool was closed,
// or a limiter refused.
func (r *run[In, Out]) refused(res *Result[Out], err error) {
	switch {
	case r.stopped() && res.Attempts == 0:
		res.Err, res.Status = r.notStarted(), NotStarted
	case r.stopped(): // stopped between attempts: keep the last attempt's error
		res.Status = Canceled
	case r.poolClosed():
		if res.Attempts == 0 {
			res.Err, res.Status = r.refuse(pool.ErrClosed), NotStarted
		} else {
			res.Err, res.Status = errors.Join(res.Err, pool.ErrClosed), Canceled
		}
	case errors.Is(err, context.DeadlineExceeded):
		// The limiter refused at once: the token would come after ctx's
		// deadline (ratelimit.ErrWouldExceedDeadline), which is as good as
		// passed. The attempt never starts, as when ctx is done; the
		// limiter's error says why.
		refused := r.refuse(err)
		if res.Attempts == 0 {
			res.Err, res.Status = refused, NotStarted
		} else {
			res.Err, res.Status = errors.Join(res.Err, err), Canceled
		}
	case res.Attempts == 0: // refused for good (n exceeds the burst, a zero limit)
		res.Err, res.Status = err, Failed
	default:
		res.Err, res.Status = errors.Join(res.Err, err), Failed
	}
}

// now is the time since the fan-out began.
func (r *run[In, Out]) now() time.Duration { return r.base.Since() }

// attemptEnd says how an attempt went once past its waits.
type attemptEnd uint8

const (
	callReturned attemptEnd = iota // the call ran and returned
	callRefused                    // the call never ran: the pool refused it, or the fan-out stopped first
	callGoexited                   // the call ran runtime.Goexit on a goroutine of the pool's
)

// attempt makes one call: on the fan-out's own goroutine, or with OnPool
// as a task of the pool. A panic or Goexit in a call on this goroutine
// unwinds to run, which catches it; one on the pool's comes back here,
// the panic raised again by the pool, the Goexit as callGoexited.
func (w *worker[In, Out]) attempt(in In) (Out, attemptEnd, error) {
	r := w.r
	if r.o.pool == nil {
		out, err := w.callOnce(r.ctx, in)
		return out, callReturned, err
	}
	w.in, w.ran, w.returned = in, false, false
	err := r.onPool(w)
	out := w.out
	w.in, w.out = *new(In), *new(Out) // nothing of the input outlives it
	switch {
	case !w.ran:
		return out, callRefused, err
	case !w.returned:
		return out, callGoexited, err
	}
	return out, callReturned, err
}

// callOnce makes one call with ctx, the fan-out's (or the pool's task ctx
// derived from it), and the per-call timeout.
//
// The attempt timed out when its Timeout passed while the fan-out went on
// and the call's error says it timed out; then the error is marked with
// ErrCallTimeout (unless the call returned context.Cause(ctx), which is
// it). An error that says something else (a 404) is the call's own
// answer, also when it comes back as the Timeout fires, and stays as it
// is: a RetryIf that retries timeouts only must not retry it.
func (w *worker[In, Out]) callOnce(ctx context.Context, in In) (out Out, err error) {
	r := w.r
	callCtx := ctx
	if r.o.timeout > 0 {
		var cancel context.CancelFunc
		callCtx, cancel = context.WithTimeoutCause(ctx, r.o.timeout, ErrCallTimeout)
		defer cancel()
	}
	out, err = r.call(callCtx, in)
	if err != nil && callCtx != ctx && callCtx.Err() != nil && !r.stopped() && !errors.Is(err, ErrCallTimeout) && saysTimedOut(err) {
		err = fmt.Errorf("%w after %v: %w", ErrCallTimeout, r.o.timeout, err)
	}
	return out, err
}

// saysTimedOut reports whether err is a context's deadline or an error that
// reports a timeout (a Timeout method returning true, as net's and os's
// deadline errors do, which a client returns when its ctx watcher sets a
// connection's deadline).
func saysTimedOut(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// pace waits until an attempt may start: past a retry-after gate, then a
// token of the rate, then one of the per-key rate. The caller holds its
// Workers slot already (it is a worker), which keeps the rate exact.
//
// A hint that comes while the input sleeps on the gate may push the gate
// further, so the gate is read again after each sleep. A hint that comes
// once the input has passed the gate does not hold it: the call starts at
// its token, because starting booked calls later than their tokens would
// bunch together the starts the limiter spaced out (a Deferrer limiter is
// pushed back for the tokens not yet booked).
func (r *run[In, Out]) pace(in In, st *Stats) error {
	if err := r.start.Err(); err != nil {
		return err // nothing new starts once the fan-out stops or its pool closed
	}
	gate := r.gate.Load()
	if gate == 0 && r.o.pace == nil && r.perKey == nil {
		return nil
	}
	start := r.now()
	defer func() { st.Paced += r.now() - start }()
	for now := start; time.Duration(gate) > now; now = r.now() {
		if err := r.timers.Sleep(r.start, time.Duration(gate)-now, nil); err != nil {
			return err
		}
		gate = r.gate.Load()
	}
	if r.o.pace != nil {
		if err := r.o.pace.WaitN(r.start, 1); err != nil {
			return err
		}
	}
	if r.perKey != nil {
		if err := r.perKey.wait(r.start, in); err != nil {
			return err
		}
	}
	return r.start.Err()
}

// waitToRetry sleeps before retry number attempt: the server's hint when
// there is one (do has pushed the limiters back already, so every input
// waits with this one), the jittered backoff otherwise. It returns the
// error of r.start when the fan-out stopped, or its pool closed, before or
// meanwhile: no retry would start then.
func (r *run[In, Out]) waitToRetry(in In, attempt int, hint time.Duration, hinted bool, st *Stats) error {
	if err := r.start.Err(); err != nil {
		return err
	}
	start := r.now()
	if hinted {
		err := r.timers.Sleep(r.start, hint, nil)
		st.Paced += r.now() - start
		return err
	}
	err := r.timers.Sleep(r.start, r.backoff(attempt), nil)
	st.Backoff += r.now() - start
	return err
}

// pushBack makes the rate wait until t: the limiters that can be pushed
// back are, and without a per-key limit the fan-out's own gate holds every
// input (a per-key hint must not hold the other keys).
func (r *run[In, Out]) pushBack(in In, t time.Time) {
	if r.paceDeferrer != nil {
		r.paceDeferrer.DeferUntil(t)
	}
	if r.perKey != nil {
		r.perKey.deferUntil(in, t)
		return
	}
	until := int64(r.base.Offset(t))
	for {
		gate := r.gate.Load()
		if until <= gate || r.gate.CompareAndSwap(gate, until) {
			return
		}
	}
}

// backoff is "full jitter": uniform in [0, min(cap, base×2^(attempt-1))].
// base×2^shift is taken only when it cannot overflow (base <= cap>>shift),
// and the draw is unsigned, so that a cap of math.MaxInt64 is a cap too.
func (r *run[In, Out]) backoff(attempt int) time.Duration {
	limit := r.o.backoffCap
	if shift := attempt - 1; shift < 63 && r.o.backoffBase <= limit>>shift {
		limit = r.o.backoffBase << shift
	}
	return time.Duration(rand.Uint64N(uint64(limit) + 1))
}

// settle applies the result policy to an input that just ended.
func (r *run[In, Out]) settle(res *Result[Out]) {
	switch res.Status {
	case Succeeded:
		if r.o.policy.kind == quorum && r.succeeded.Add(1) == int64(r.o.policy.quorum) {
			r.cancel(errSettled)
		}
	default:
		// An input refused by the limiter (NotStarted or Canceled while the
		// fan-out goes on) is lost to a quorum, but not a failure to stop a
		// FailFast fan-out for: the other inputs may still make the deadline.
		switch {
		case r.o.policy.kind == failFast && res.Status == Failed:
			r.cancel(res.Err)
		case r.o.policy.kind == quorum:
			lost := r.lost.Add(1)
			if r.n >= 0 && lost > int64(r.n-r.o.policy.quorum) {
				r.cancel(ErrNoQuorum)
			}
			if r.failedSignal != nil {
				select {
				case r.failedSignal <- struct{}{}:
				default: // the feeder has a wake-up pending already
				}
			}
		}
	}
}

// stopped reports whether the fan-out has stopped: one atomic load, as
// cancelCtx.Err is (r.ctx is one), and the one non-blocking check of a ctx
// in fanout.
func (r *run[In, Out]) stopped() bool { return r.ctx.Err() != nil }

// poolClosed reports whether a call was refused because the pool is
// closed, which stops the starts but not the fan-out.
func (r *run[In, Out]) poolClosed() bool {
	return r.closePool != nil && context.Cause(r.start) == pool.ErrClosed && !r.stopped()
}

// notStarted is the Err of inputs that never started: the same value for
// every such input, built once the fan-out has stopped, or the refusal of
// a closed pool.
func (r *run[In, Out]) notStarted() error {
	if r.poolClosed() {
		return r.refuse(pool.ErrClosed)
	}
	r.notStartedOnce.Do(func() { r.notStartedErr = &notStartedError{cause: context.Cause(r.ctx)} })
	return r.notStartedErr
}

// refuse returns the Err of an input whose first attempt was refused with
// err without the fan-out stopping (a limiter's token would come after
// ctx's deadline, the pool is closed), and records the first refusal.
// Refusals with a sentinel, ratelimit.ErrWouldExceedDeadline or
// pool.ErrClosed, share one value, so a fan-out that runs out of time on a
// *ratelimit.Limiter, or whose pool closed, allocates nothing per input.
func (r *run[In, Out]) refuse(err error) *notStartedError {
	// The comparisons are with pointers, so they cannot panic on an error
	// type that is not comparable.
	var shared *atomic.Pointer[notStartedError]
	switch err {
	case ratelimit.ErrWouldExceedDeadline:
		shared = &r.deadlineRefusal
	case pool.ErrClosed:
		shared = &r.closedRefusal
	}
	if shared != nil {
		if p := shared.Load(); p != nil {
			return p
		}
	}
	e := &notStartedError{cause: err}
	if shared != nil && !shared.CompareAndSwap(nil, e) {
		e = shared.Load()
	}
	r.refusal.CompareAndSwap(nil, e)
	return e
}

// stopCause is why the fan-out stopped before its inputs ran out, or nil
// when nothing stopped it: ctx's cause, the failure of a FailFast run,
// errSettled, ErrNoQuorum or a panic, never the cancel of the fan-out's
// own cleanup (errEnded), which may have run already on the stream path.
func (r *run[In, Out]) stopCause() error {
	if !r.stopped() {
		return nil
	}
	if cause := context.Cause(r.ctx); cause != errEnded {
		return cause
	}
	return nil
}

// result is the error Map returns, given the results and the merged Stats.
// cause is stopCause(); a limiter's deadline refusal stands in for it when
// nil. Either is part of the error only when it stopped an input (one
// ended Canceled or NotStarted): a ctx that ends after the last input
// ended stopped nothing. The failure that stopped a FailFast run is that
// input's own error, so it is returned whatever else ended.
func (r *run[In, Out]) result(results []Result[Out], cause error) error {
	var refusal error
	if p := r.refusal.Load(); p != nil {
		refusal = p.cause
	}
	if cause == nil {
		cause = refusal
	}
	stoppedSome := r.stats.Canceled+r.stats.NotStarted > 0
	switch r.o.policy.kind {
	case failFast:
		if r.stats.Failed > 0 || stoppedSome {
			return cause
		}
		return nil
	case quorum:
		if r.stats.Succeeded >= r.o.policy.quorum {
			return nil
		}
		errs := []error{ErrNoQuorum}
		if cause == ErrNoQuorum {
			cause = refusal // refused inputs may be why the quorum was lost
		}
		if cause != nil && cause != errSettled && stoppedSome {
			errs = append(errs, cause)
		}
		return errors.Join(append(errs, failures(results)...)...)
	}
	errs := failures(results)
	if cause != nil && stoppedSome {
		errs = append(errs, cause)
	}
	return errors.Join(errs...)
}

func failures[Out any](results []Result[Out]) []error {
	var errs []error
	for i := range results {
		if results[i].Status == Failed {
			errs = append(errs, results[i].Err)
		}
	}
	return errs
}
