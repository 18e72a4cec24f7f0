package redisrate

import "github.com/tandem-go/tandem/ratelimit"

// maxTAT bounds how far ahead of now the TAT may run, in nanoseconds: Lua
// numbers are doubles, exact up to 2^53, about 104 days. It bounds burst ×
// interval, reservations and deferrals, and the script reports a stored TAT
// further ahead as corrupt (its max_tat).
const maxTAT = 1 << 53

// intervalOf returns the nanoseconds between events at limit, exactly as
// package ratelimit counts them (Limit.Interval), so that neither limiter admits more than
// its limit; 0 for Inf. It panics, as name, on limits it cannot honour: a
// limiter that silently admitted everything, or nothing, would hide a bug
// (New's doc says why a limit <= 0 is one of them here).
func intervalOf(name string, limit ratelimit.Limit) int64 {
	switch {
	case limit >= ratelimit.Inf:
		return 0
	case !(limit > 0): // NaN too
		panicf(name, "limit must be above 0 (a shared bucket that never refills is a quota, not a rate), got %v", float64(limit))
	case limit > 1e9:
		panicf(name, "limit must be at most 1e9 events/s (an interval of 1ns) or ratelimit.Inf, got %v", float64(limit))
	}
	return int64(limit.Interval()) // exactly d for Every(d), as the core limiter counts

}
