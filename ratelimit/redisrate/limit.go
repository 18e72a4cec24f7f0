package redisrate

import (
	"fmt"
	"math"

	"github.com/tandem-go/tandem/ratelimit"
)

// maxTolerance bounds burst × interval, in nanoseconds: Lua numbers are
// doubles, exact up to 2^53, about 104 days.
const maxTolerance = 1 << 53

// intervalOf returns the nanoseconds between events at limit, rounded up as
// package ratelimit rounds them, so that neither limiter admits more than
// its limit; 0 for Inf. It panics on limits it cannot honour: a limiter that
// silently admitted everything, or nothing, would hide a bug (doc.go says
// why a limit <= 0 is one of them here).
func intervalOf(limit ratelimit.Limit) int64 {
	switch {
	case limit >= ratelimit.Inf:
		return 0
	case !(limit > 0): // NaN too
		panic(fmt.Sprintf("redisrate: limit %v is not above 0: a shared bucket that never refills is a quota, not a rate", float64(limit)))
	case limit > 1e9:
		panic(fmt.Sprintf("redisrate: limit %v is above 1e9 events/s (an interval below 1ns); use ratelimit.Inf for no limit", float64(limit)))
	}
	return int64(math.Ceil(1e9 / float64(limit)))
}
