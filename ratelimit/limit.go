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

// The limiter keeps times as int64 nanoseconds from its clock base, and
// these bounds keep every sum it forms below 2^63 while its clock reads
// under 2^61 ns (73 years after New):
//   - maxTau bounds a bucket's span, burst times the interval (New,
//     SetLimit, SetBurst and LimitFunc results are checked against it);
//   - maxDelay bounds how far ahead of now an event may be booked
//     (ReserveN, WaitN) or deferred (DeferUntil and SetLimit saturate at
//     it).
//
// So a stored TAT lies at most maxDelay + maxTau = 2^62 past the clock
// reading that wrote it, and the sum the hot path forms, max(TAT, now) +
// n·interval, at most 2^62 + maxTau = 3·2^61 past the latest reading:
// below 2^63 while the clock reads under 2^61. The hot path needs no check
// of its own.
const (
	maxTau   = int64(1) << 61 // about 73 years
	maxDelay = int64(1) << 61 // about 73 years
)

// exactEvery is where Every stops being exact: a float64 Limit tells every
// interval below 2^52 ns (about 52 days) from its neighbours, and no
// float64 can tell all of them apart above it.
const exactEvery = int64(1) << 52

// Every converts the minimum time between events into a Limit:
// Every(100*time.Millisecond) is 10 events per second. A limiter at
// Every(d) spaces events exactly d apart for every d below 2^52 ns (about
// 52 days); above that a float64 cannot tell neighbouring nanoseconds
// apart, and the interval is d to within one part in 2^51.
//
// It panics with "ratelimit: Every: ..." if d <= 0: a zero interval would
// be an unlimited rate, and Inf says that explicitly.
func Every(d time.Duration) Limit {
	if d <= 0 {
		misuse.Panicf("ratelimit: Every", "d must be positive (use Inf for no limit), got %v", d)
	}
	return every(int64(d))
}

// every is Every without the check: 1e9/d correctly rounded for d up to
// 2^53, which is what interval inverts.
func every(d int64) Limit { return Limit(1e9 / float64(d)) }

// Per converts "n events per d" into a Limit: Per(600, time.Minute) is 10
// events per second. Per(1, d) is Every(d); Per(0, d) is a zero limit.
//
// It panics with "ratelimit: Per: ..." if n < 0 or d <= 0.
func Per(n int, d time.Duration) Limit {
	switch {
	case n < 0:
		misuse.Panicf("ratelimit: Per", "n must not be negative, got %d", n)
	case d <= 0:
		misuse.Panicf("ratelimit: Per", "d must be positive, got %v", d)
	}
	return Limit(float64(n) * 1e9 / float64(d))
}

// Interval returns the time one token takes to refill at limit, as a
// Limiter counts it: exactly d for a limit made by Every(d) (d below 2^52ns),
// and otherwise 1e9/limit nanoseconds rounded up, so that no limiter admits
// faster than limit. It returns 0 for Inf and InfDuration for a limit <= 0
// or NaN, and panics with "ratelimit: Limit.Interval: ..." for a limit New
// refuses (above 1e9 per second, or slower than one token in 2^61ns).
// Other limiters that must agree with this package (redisrate's) use it.
func (limit Limit) Interval() time.Duration {
	switch {
	case limit >= Inf:
		return 0
	case !(limit > 0):
		return InfDuration
	}
	return time.Duration(limit.interval("Limit.Interval"))
}

// interval is the time one token takes to refill, in whole nanoseconds:
// exactly d for a limit made by Every(d) (d below exactEvery), and
// otherwise 1e9/limit rounded up, so that the limiter never admits faster
// than the limit. It panics, naming where, for a finite positive limit the
// limiter cannot honour; callers handle NaN, Inf and limit <= 0.
func (limit Limit) interval(where string) int64 {
	x := 1e9 / float64(limit)
	switch {
	case x < 1:
		misuse.Panicf("ratelimit: "+where, "limit must be at most 1e9 events/s (an interval of 1ns) or Inf, got %v", float64(limit))
	case x > float64(maxTau):
		misuse.Panicf("ratelimit: "+where, "limit must refill a token within 2^61ns (about 73 years), got %v", float64(limit))
	}
	if x < float64(exactEvery) {
		// x is less than one away from the d that Every(d) inverts
		// (|x-d| <= d/2^52), and below exactEvery no two d give the same
		// Limit.
		r := int64(math.Round(x))
		for d := r + 1; d >= max(1, r-1); d-- {
			if every(d) == limit {
				return d
			}
		}
	}
	// x was rounded: the smallest whole c with c·limit >= 1e9 may be one
	// off. FMA rounds c·limit-1e9 once, which keeps its sign. From 2^53 on
	// not every whole number is a float64: c is then the next float64 that
	// honours the limit.
	c := math.Ceil(x)
	if math.FMA(c, float64(limit), -1e9) < 0 {
		c = max(c+1, math.Nextafter(c, math.Inf(1)))
	} else if c > 1 && c < 1<<53 && math.FMA(c-1, float64(limit), -1e9) >= 0 {
		c--
	}
	return int64(c)
}
