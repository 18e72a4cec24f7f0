package ratelimit

import (
	"math"

	"github.com/tandem-go/tandem/internal/misuse"
)

// mode says how a bucket refills.
type mode uint8

const (
	// finite: one token every interval nanoseconds (the GCRA).
	finite mode = iota
	// unlimited: Limit Inf; every call passes, the TAT only holds a
	// DeferUntil time.
	unlimited
	// frozen: Limit <= 0; the clock of the bucket stopped at frozenAt, so
	// the tokens it held are all it will ever admit. interval is 1.
	frozen
)

// config is the immutable shape of a bucket. A Limiter swaps its config
// atomically on SetLimit and SetBurst; keyed entries point at one.
type config struct {
	limit    Limit
	burst    int
	interval int64 // nanoseconds per token (1 when frozen, 0 when unlimited)
	tau      int64 // burst*interval: how far the TAT may run ahead of now
	mode     mode
	frozenAt int64 // the clock reading where a frozen bucket stopped
}

// newConfig validates limit and burst and derives the GCRA constants. now
// is the bucket's clock, used as frozenAt when limit <= 0. A misuse panics
// naming where: "New", "Limiter.SetLimit", "LimitFunc", ...
func newConfig(limit Limit, burst int, now int64, where string) *config {
	switch {
	case burst < 1:
		misuse.Panicf("ratelimit: "+where, "burst must be at least 1, got %d", burst)
	case math.IsNaN(float64(limit)):
		misuse.Panicf("ratelimit: "+where, "limit is NaN")
	}
	c := &config{limit: limit, burst: burst}
	switch {
	case limit >= Inf: // math.Inf(1) too
		c.mode = unlimited
		return c
	case limit <= 0:
		c.mode, c.interval, c.frozenAt = frozen, 1, now
	default:
		c.mode, c.interval = finite, limit.interval(where)
	}
	if c.interval > maxTau/int64(burst) {
		misuse.Panicf("ratelimit: "+where, "burst times the interval must span at most 2^61ns (about 73 years), got burst %d at limit %v", burst, float64(limit))
	}
	c.tau = int64(burst) * c.interval
	return c
}

// initialTAT is the TAT at now of a new bucket: full, or holding the
// InitialTokens count, capped at the burst when capped is set (for keys
// whose burst comes from LimitFunc). It panics, naming where, if the count
// (uncapped) exceeds the burst.
func (c *config) initialTAT(o options, now int64, where string) int64 {
	if !o.hasInitial || c.mode == unlimited {
		return c.clock(now)
	}
	tokens := o.initialTokens
	if o.capInitial {
		tokens = min(tokens, c.burst)
	}
	if tokens > c.burst {
		misuse.Panicf("ratelimit: "+where, "InitialTokens must not exceed the burst %d, got %d", c.burst, tokens)
	}
	return c.clock(now) + int64(c.burst-tokens)*c.interval
}

// clock is the bucket's view of now: a frozen bucket's time stands still.
func (c *config) clock(now int64) int64 {
	if c.mode == frozen {
		return c.frozenAt
	}
	return now
}

// tokens is the number of tokens the bucket holds at now given its TAT;
// negative when reservations or DeferUntil have run it into debt.
func (c *config) tokens(tat, now int64) float64 {
	if c.mode == unlimited {
		return float64(c.burst)
	}
	debt := max(0, tat-c.clock(now))
	return float64(c.tau-debt) / float64(c.interval)
}

// admit is the GCRA decision for n tokens (1 <= n <= burst, mode not
// unlimited): the TAT after admitting them and whether they fit now.
func (c *config) admit(tat, now int64, n int) (newTat int64, ok bool) {
	now = c.clock(now)
	newTat = max(tat, now) + int64(n)*c.interval
	return newTat, newTat-now <= c.tau
}

// reserve books n tokens (1 <= n <= burst, mode finite) whatever the delay:
// the TAT after booking them and how long after now they may be used. ok
// is false when they could not be used within maxDelay; the booking must
// then not be stored.
func (c *config) reserve(tat, now int64, n int) (newTat, delay int64, ok bool) {
	newTat = max(tat, now) + int64(n)*c.interval
	delay = max(0, newTat-c.tau-now)
	return newTat, delay, delay <= maxDelay
}

// deferTAT is the TAT that admits nothing before the clock reading until
// (> now), and then the first token exactly at until. A deferral past
// maxDelay is cut to it.
func (c *config) deferTAT(until, now int64) int64 {
	until = now + min(until-now, maxDelay)
	switch c.mode {
	case unlimited:
		return until
	case frozen:
		// Nothing refills, so "nothing before until" can only mean
		// nothing at all: the bucket is emptied.
		return c.frozenAt + c.tau
	}
	return until + c.tau - c.interval
}

// convert translates a TAT kept under config from into one under to at now,
// for SetLimit and SetBurst: the tokens in the bucket are kept (capped at
// the new burst), and a bucket in debt (less than one token, after
// reservations or DeferUntil) keeps the time its next event may happen.
// deferred is the limiter's latest DeferUntil instant: a frozen bucket (a
// limit <= 0) has no time of its own, so a deferral made before or during
// a freeze is carried through it from there. Going to Inf drops the debt.
//
// Into a freeze it also returns carried, the time the next event may happen
// (MinInt64 if none), for the limiter to keep as deferred: the frozen TAT
// holds tokens only, so debt from reservations would be forgotten too.
func convert(from, to *config, tat, now, deferred int64) (newTAT, carried int64) {
	if to.mode == unlimited {
		return 0, math.MinInt64
	}
	var tokens float64
	nextEvent := int64(math.MinInt64)
	if from.mode == frozen {
		nextEvent = deferred
	}
	switch from.mode {
	case unlimited:
		tokens = float64(to.burst)
		if tat > now {
			tokens, nextEvent = 0, tat
		}
	case frozen:
		tokens = from.tokens(tat, now)
	case finite:
		tokens = from.tokens(tat, now)
		if tokens < 1 {
			nextEvent = tat - from.tau + from.interval
		}
	}
	if to.mode == frozen {
		if nextEvent > now {
			tokens = 0
		}
		tokens = min(max(tokens, 0), float64(to.burst))
		return now + to.tau - int64(tokens), nextEvent
	}
	if nextEvent > now {
		return to.deferTAT(nextEvent, now), math.MinInt64
	}
	tokens = min(max(tokens, 0), float64(to.burst))
	return now + to.tau - int64(tokens*float64(to.interval)), math.MinInt64
}
