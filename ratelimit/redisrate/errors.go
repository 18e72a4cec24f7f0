package redisrate

import (
	"context"
	"errors"
)

// ErrUnavailable is wrapped, together with the cause, by the errors that
// calls return when Redis fails to answer (unreachable, slow beyond the
// per-call timeout, or an error reply) and the failure policy is FailClosed.
var ErrUnavailable = errors.New("redisrate: redis unavailable")

// ErrWouldExceedDeadline is returned at once by a Wait whose events could
// not happen before ctx's deadline; nothing is reserved. It satisfies
// errors.Is(err, context.DeadlineExceeded), since the deadline would have
// passed.
var ErrWouldExceedDeadline error = wouldExceedDeadline{}

type wouldExceedDeadline struct{}

func (wouldExceedDeadline) Error() string {
	return "redisrate: wait would exceed the context deadline"
}

func (wouldExceedDeadline) Is(target error) bool { return target == context.DeadlineExceeded }
