package redisrate

import (
	"math"
	"time"
)

// Limit is a rate in events per second, as in package ratelimit and
// x/time/rate.
type Limit float64

// Inf is the infinite rate: a limiter with it admits everything without a
// round trip to Redis.
const Inf = Limit(math.MaxFloat64)

// Every returns the rate of one event per interval d. d <= 0 gives Inf.
func Every(d time.Duration) Limit {
	if d <= 0 {
		return Inf
	}
	return 1 / Limit(d.Seconds())
}

// Per returns the rate of n events per duration d, such as Per(600,
// time.Minute). d <= 0 gives Inf.
func Per(n int, d time.Duration) Limit {
	if d <= 0 {
		return Inf
	}
	return Limit(n) / Limit(d.Seconds())
}

// maxTolerance bounds burst × interval, in nanoseconds: Lua numbers are
// doubles, exact up to 2^53, about 104 days.
const maxTolerance = 1 << 53

// interval returns the nanoseconds between events at rate l, rounded up so
// the limiter never admits more than l. It panics on rates it cannot honour:
// a limiter that silently admitted everything, or nothing, would hide a bug.
func (l Limit) interval() int64 {
	switch {
	case l == Inf:
		return 0
	case !(l > 0):
		panic("redisrate: limit must be > 0")
	case l > 1e9:
		panic("redisrate: limit above 1e9 events per second")
	}
	return int64(math.Ceil(1e9 / float64(l)))
}
