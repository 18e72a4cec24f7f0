// Package clock measures elapsed time as an offset from a base instant,
// read from the monotonic clock alone.
//
// time.Since(base) reads only the monotonic clock, about half the cost of
// time.Now, which also reads the wall clock; offsets are plain int64
// nanoseconds that fit in an atomic. Every package that keeps times on a
// hot path (ratelimit's theoretical arrival times, fanout's gates,
// parallel's chunk probe, pipeline's stage timings) keeps them this way.
// Only the standard time package is used, so testing/synctest virtualizes
// it.
package clock

import "time"

// Base is the origin of a clock. The zero Base is not usable; make one
// with Start. A Base is a plain value and may be copied.
type Base struct{ t time.Time }

// Start returns a Base at the current instant.
func Start() Base { return Base{t: time.Now()} }

// Since returns the time elapsed since b, from the monotonic clock.
func (b Base) Since() time.Duration { return time.Since(b.t) }

// Offset returns t as an offset from b (negative when t is before b).
func (b Base) Offset(t time.Time) time.Duration { return t.Sub(b.t) }

// Time returns the instant at offset d from b.
func (b Base) Time(d time.Duration) time.Time { return b.t.Add(d) }
