package redisrate

import "time"

// IntervalOf is the interval l's script is given, for tests.
func IntervalOf(l *Limiter) time.Duration { return time.Duration(l.k.intervalArg.(int64)) }
