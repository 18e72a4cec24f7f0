package ratelimit

import (
	"fmt"
	"math"
	"time"
)

// Limit is a rate of events per second, as in x/time/rate.
//
// A Limit above 1e9 (an interval below one nanosecond) other than Inf makes
// New and SetLimit panic: the limiter counts in whole nanoseconds and would
// otherwise become silently unlimited. A Limit <= 0 refills nothing: only
// the tokens already in the bucket are ever admitted.
type Limit float64

// Inf is the infinite rate: every call is admitted at once, whatever n and
// the burst (DeferUntil still holds calls back).
const Inf = Limit(math.MaxFloat64)

// InfDuration is the Delay of a Reservation that is not OK.
const InfDuration = time.Duration(math.MaxInt64)

// maxSpan caps every span the limiter keeps in nanoseconds (burst times the
// interval, and how far ahead reservations may book): 2^62 ns, about 146
// years, so sums of two spans never overflow an int64.
const maxSpan = int64(1) << 62

// Every converts the minimum time between events into a Limit:
// Every(100*time.Millisecond) is 10 events per second.
//
// It panics with "ratelimit: " if d <= 0: a zero interval would be an
// unlimited rate, and Inf says that explicitly.
func Every(d time.Duration) Limit {
	if d <= 0 {
		panic(fmt.Sprintf("ratelimit: Every(%v): the interval must be positive (use Inf for no limit)", d))
	}
	return 1 / Limit(d.Seconds())
}

// Per converts "n events per d" into a Limit: Per(600, time.Minute) is 10
// events per second.
//
// It panics with "ratelimit: " if n < 0 or d <= 0. Per(0, d) is a zero limit.
func Per(n int, d time.Duration) Limit {
	if n < 0 || d <= 0 {
		panic(fmt.Sprintf("ratelimit: Per(%d, %v): n must be >= 0 and d positive", n, d))
	}
	return Limit(float64(n) / d.Seconds())
}

// interval is the time one token takes to refill, in whole nanoseconds,
// rounded up so the limiter never admits faster than the limit. It panics
// for limits the limiter cannot honour. Callers handle Inf and limit <= 0.
func (limit Limit) interval() int64 {
	perToken := 1e9 / float64(limit)
	if math.IsNaN(float64(limit)) || perToken < 1 {
		panic(fmt.Sprintf("ratelimit: limit %v is above 1e9 events/s (an interval below 1ns); use Inf for no limit", float64(limit)))
	}
	if perToken >= float64(maxSpan) {
		panic(fmt.Sprintf("ratelimit: limit %v is too small: one token would take over 146 years", float64(limit)))
	}
	return int64(math.Ceil(perToken))
}
