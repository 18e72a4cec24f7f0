package redisrate

import "time"

// Result is one decision, with what an HTTP handler needs for its
// RateLimit-* (or X-RateLimit-*) response headers.
type Result struct {
	// Allowed is the number of events admitted: n or 0 for AllowN,
	// anything from 0 to n for AllowAtMost.
	Allowed int
	// Remaining is the number of events that could still be admitted at
	// once, after this decision.
	Remaining int
	// RetryAfter is how long until the request would be admitted, when
	// Allowed is 0; 0 when events were admitted.
	RetryAfter time.Duration
	// ResetAfter is how long until the bucket is full again (Remaining ==
	// burst) if nothing more is admitted.
	ResetAfter time.Duration
	// Degraded reports that Redis failed and the failure policy decided
	// (FailOpen or FailLocal); Remaining, RetryAfter and ResetAfter then come
	// from the local limiter, and are zero under FailOpen.
	Degraded bool
}
