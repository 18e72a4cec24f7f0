package redisrate

import "errors"

// ErrUnavailable is wrapped, together with the cause, by the errors that
// calls return when Redis fails to answer (unreachable, slow beyond the
// client's timeouts or Timeout's, or an error reply) and the failure
// policy is FailClosed, and by Reset's under every policy.
//
// The other errors are package ratelimit's, so that one errors.Is works
// whichever limiter is behind a ratelimit.Waiter: ratelimit.ErrExceedsBurst
// and ratelimit.ErrWouldExceedDeadline.
var ErrUnavailable = errors.New("redisrate: redis unavailable")
