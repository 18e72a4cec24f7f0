package ratelimit

import (
	"math"
	"time"

	"github.com/tandem-go/tandem/internal/misuse"
)

// Limit is a rate of events per second, as in x/time/rate.
//
// A Limit above 1e9 (an interval below one nanosecond) other than Inf, and
// NaN, make New and SetLimit panic: the limiter counts in whole nanoseconds
// and would otherwise become silently unlimited. A Limit <= 0 refills
// nothing: only the tokens already in the bucket are ever admitted.
type Limit float64

// Inf is the infinite rate: every call is admitted at once, whatever n and
// the burst (DeferUntil still holds calls back).
const Inf = Limit(math.MaxFloat64)

// InfDuration is the Delay of a Reservation that is not OK.
const InfDuration = time.Duration(math.MaxInt64)

// The limiter keeps times as int64 nanoseconds from its clock base. These
// bounds keep every sum it forms below 2^63 while its clock reads under
// 2^62 ns (146 years after New):
//   - maxTau bounds a bucket's span, burst times the interval (New,
//     SetLimit, SetBurst and LimitFunc results are checked against it);
//   - maxDelay bounds how far ahead of now an event may be booked
//     (ReserveN, WaitN) or deferred (DeferUntil saturates at it).
//
// So a TAT never runs more than maxDelay + maxTau = 2^62 ahead of the
// clock reading that wrote it, and the admission arithmetic compares
// distances from now instead of forming sums that could pass 2^63.
const (
	maxTau   = int64(1) << 61 // about 73 years
	maxDelay = int64(1) << 61 // about 73 years
)

// Every converts the minimum time between events into a Limit:
// Every(100*time.Millisecond) is 10 events per second.
//
// It panics with "ratelimit: Every: ..." if d <= 0: a zero interval would
// be an unlimited rate, and Inf says that explicitly.
func Every(d time.Duration) Limit {
	if d <= 0 {
		misuse.Panicf("ratelimit: Every", "d must be positive (use Inf for no limit), got %v", d)
	}
	return 1 / Limit(d.Seconds())
}

// Per converts "n events per d" into a Limit: Per(600, time.Minute) is 10
// events per second. Per(0, d) is a zero limit.
//
// It panics with "ratelimit: Per: ..." if n < 0 or d <= 0.
func Per(n int, d time.Duration) Limit {
	switch {
	case n < 0:
		misuse.Panicf("ratelimit: Per", "n must not be negative, got %d", n)
	case d <= 0:
		misuse.Panicf("ratelimit: Per", "d must be positive, got %v", d)
	}
	return Limit(float64(n) / d.Seconds())
}

// interval is the time one token takes to refill, in whole nanoseconds,
// rounded up so the limiter never admits faster than the limit. It panics,
// naming where, for a finite positive limit the limiter cannot honour;
// callers handle NaN, Inf and limit <= 0.
func (limit Limit) interval(where string) int64 {
	x := 1e9 / float64(limit)
	switch {
	case x < 1:
		misuse.Panicf("ratelimit: "+where, "limit must be at most 1e9 events/s (an interval of 1ns) or Inf, got %v", float64(limit))
	case x > float64(maxTau):
		misuse.Panicf("ratelimit: "+where, "limit must refill a token within 2^61ns (about 73 years), got %v", float64(limit))
	}
	return int64(math.Ceil(x))
}
