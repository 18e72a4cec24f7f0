package fanout

import (
	"strconv"
	"time"
)

// Status says how an input ended. Every input ends in exactly one of them.
type Status uint8

const (
	// NotStarted: the input's first attempt never began, because the
	// fan-out stopped first (Err wraps ErrNotStarted and the reason: ctx's
	// cause, the first failure of FailFast, ...) or because the rate
	// limiter refused it at once as its token would come after ctx's
	// deadline (Err wraps ErrNotStarted and the limiter's error:
	// ratelimit.ErrWouldExceedDeadline, which matches
	// context.DeadlineExceeded), or because the OnPool pool was closed
	// (Err wraps ErrNotStarted and pool.ErrClosed). The call never ran.
	NotStarted Status = iota
	// Succeeded: an attempt returned a nil error; Value holds its result.
	Succeeded
	// Failed: the last attempt returned an error that was not retried (out
	// of attempts, not retryable, a panic, or runtime.Goexit), or the rate
	// limiter refused the input for good: ratelimit.ErrZeroLimit,
	// ratelimit.ErrExceedsBurst, or any error of a limiter that does not
	// match context.DeadlineExceeded (x/time/rate's "would exceed context
	// deadline" does not). Err holds the error, joined after the last
	// attempt's when a retry was refused.
	Failed
	// Canceled: the input started, and the fan-out stopped before it
	// finished. Err is its last attempt's error (also when the fan-out
	// stopped while the input waited to retry). A retry that the rate
	// limiter refused because its token would come after ctx's deadline,
	// or that a closed OnPool pool refused, is Canceled too, with Err
	// joining the last attempt's error and the limiter's (or
	// pool.ErrClosed).
	Canceled
)

func (s Status) String() string {
	switch s {
	case NotStarted:
		return "not started"
	case Succeeded:
		return "succeeded"
	case Failed:
		return "failed"
	case Canceled:
		return "canceled"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Result is what one input came to. A Result is a plain value; Map returns
// one per input, at the input's index.
type Result[Out any] struct {
	// Value is the call's result when Status is Succeeded, the zero Out
	// otherwise.
	Value Out
	// Err is nil exactly when Status is Succeeded.
	Err error
	// Status says how the input ended.
	Status Status
	// Attempts counts the calls made for this input: 0 when it never
	// started, more than 1 when it was retried.
	Attempts int
	// Duration runs from the moment a worker took the input (before any
	// wait for the rate) to its end, retries and their waits included.
	Duration time.Duration
}

// Stats summarizes one fan-out: StatsTo fills it in when Map returns or
// a Stream loop ends. The status counts add up to Inputs.
type Stats struct {
	// Inputs counts the inputs accounted for: all of them for Map; for
	// Stream, those taken from the sequence (the rest were never read).
	Inputs int
	// Succeeded, Failed, Canceled and NotStarted count the inputs by Status.
	Succeeded, Failed, Canceled, NotStarted int
	// Attempts counts every call made; Retries the attempts after an
	// input's first (Attempts minus the inputs that started).
	Attempts, Retries int
	// Paced sums the time inputs waited for Pace, PacePerKey and
	// retry-after hints.
	Paced time.Duration
	// Backoff sums the time inputs waited between attempts for the
	// jittered exponential backoff (retry-after waits count as Paced).
	Backoff time.Duration
}

func (s *Stats) add(o *Stats) {
	s.Inputs += o.Inputs
	s.Succeeded += o.Succeeded
	s.Failed += o.Failed
	s.Canceled += o.Canceled
	s.NotStarted += o.NotStarted
	s.Attempts += o.Attempts
	s.Retries += o.Retries
	s.Paced += o.Paced
	s.Backoff += o.Backoff
}

// count records one finished input.
func (s *Stats) count(status Status, attempts int) {
	s.Inputs++
	switch status {
	case Succeeded:
		s.Succeeded++
	case Failed:
		s.Failed++
	case Canceled:
		s.Canceled++
	case NotStarted:
		s.NotStarted++
	}
	s.Attempts += attempts
	if attempts > 1 {
		s.Retries += attempts - 1
	}
}
