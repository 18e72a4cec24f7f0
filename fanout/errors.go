package fanout

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotStarted marks the result of an input whose call never started
// because the fan-out stopped first (its ctx was canceled, fail fast saw an
// error, or a first-success or quorum policy was settled), because the
// rate limiter refused it as its token would come after ctx's deadline, or
// because the OnPool pool was closed. The result's Err also wraps the
// reason, so errors.Is(err, context.Canceled), errors.Is(err,
// ratelimit.ErrWouldExceedDeadline), errors.Is(err, pool.ErrClosed) and
// the like still match.
var ErrNotStarted = errors.New("fanout: not started")

// ErrCallTimeout marks an attempt that ran out of the per-call Timeout while
// the fan-out itself was still running: its ctx's deadline passed and the
// call returned an error that says so (one matching
// context.DeadlineExceeded, or with a Timeout method that reports true, as
// net's and os's deadline errors have). The attempt's own error stays in
// the chain. A call that returns another error, even as its Timeout
// fires, has given its own answer, which is not marked. Unlike other
// context errors, ErrCallTimeout is retryable by default: a hung attempt is
// what per-call timeouts and retries are for.
var ErrCallTimeout = errors.New("fanout: call timed out")

// ErrNoQuorum is returned when a Quorum(k) or FirstSuccess fan-out ends with
// fewer than k successes. The error also joins the failures that decided it.
var ErrNoQuorum = errors.New("fanout: quorum not reached")

// RetryAfter wraps err with a server's hint to retry no sooner than d from
// now, as an HTTP 429 or 503 with a Retry-After header gives. A call returns
// it to have its next attempt wait d (instead of the jittered backoff) and
// to push the rate back so the whole fan-out waits with it, also when the
// input has no attempt left: the Pace limiter and the input's PacePerKey key
// when they are a ratelimit.Deferrer and KeyedDeferrer, and, without a
// PacePerKey limit, a gate that holds every input of this fan-out until then
// (an input asleep on the gate when a later hint comes waits for that one).
//
// A hinted error is retried whatever the RetryIf predicate says, unless the
// input is out of attempts or the fan-out is stopping. errors.Is and
// errors.As see err through the wrapper. A nil err yields nil; d < 0 counts
// as 0.
func RetryAfter(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return &retryAfterError{err: err, after: max(d, 0)}
}

type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %v)", e.err, e.after)
}

func (e *retryAfterError) Unwrap() error { return e.err }

// retryAfterHint reports the hint RetryAfter attached to err, if any.
func retryAfterHint(err error) (time.Duration, bool) {
	var ra *retryAfterError
	if errors.As(err, &ra) {
		return ra.after, true
	}
	return 0, false
}

// notStartedError is the Err of every input that never started: one value
// per fan-out and reason, shared by all such results, so stopping early
// costs no allocation per input.
type notStartedError struct{ cause error }

func (e *notStartedError) Error() string {
	return "fanout: not started: " + e.cause.Error()
}

func (e *notStartedError) Is(target error) bool { return target == ErrNotStarted }
func (e *notStartedError) Unwrap() error        { return e.cause }
