package ratelimit

import (
	"fmt"
	"math"
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
// is the bucket's clock, used as frozenAt when limit <= 0.
func newConfig(limit Limit, burst int, now int64) *config {
	if burst < 1 {
		panic(fmt.Sprintf("ratelimit: burst %d is below 1", burst))
	}
	c := &config{limit: limit, burst: burst}
	switch {
	case limit >= Inf: // math.Inf(1) too
		c.mode = unlimited
		return c
	case limit <= 0:
		c.mode, c.interval, c.frozenAt = frozen, 1, now
	default:
		c.mode, c.interval = finite, limit.interval()
	}
	if c.interval > maxSpan/int64(burst) {
		panic(fmt.Sprintf("ratelimit: burst %d at limit %v spans over 146 years", burst, float64(limit)))
	}
	c.tau = int64(burst) * c.interval
	return c
}

// initialTAT is the TAT at now of a new bucket: full, or holding the
// WithInitialTokens count, capped at the burst when capped is set (for
// keys whose burst comes from WithLimitFunc). It panics if the count is
// negative or (uncapped) above the burst.
func (c *config) initialTAT(o options, now int64) int64 {
	if !o.hasInitial || c.mode == unlimited {
		return c.clock(now)
	}
	tokens := o.initialTokens
	if o.capInitial {
		tokens = min(tokens, c.burst)
	}
	if tokens < 0 || tokens > c.burst {
		panic(fmt.Sprintf("ratelimit: WithInitialTokens(%d) is outside [0, burst %d]", tokens, c.burst))
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
// is false only when the booking would run more than maxSpan ahead.
func (c *config) reserve(tat, now int64, n int) (newTat, delay int64, ok bool) {
	newTat = max(tat, now) + int64(n)*c.interval
	delay = max(0, newTat-c.tau-now)
	return newTat, delay, delay < maxSpan
}

// deferTAT is the TAT that admits nothing before the clock reading until,
// and then the first token exactly at until.
func (c *config) deferTAT(until int64) int64 {
	switch c.mode {
	case unlimited:
		return until
	case frozen:
		// Nothing refills, so "nothing before until" can only mean
		// nothing at all: the bucket is emptied.
		return c.frozenAt + c.tau
	}
	return min(until, maxSpan) + c.tau - c.interval
}

// convert translates a TAT kept under config from into one under to at now,
// for SetLimit and SetBurst: the tokens in the bucket are kept (capped at
// the new burst), and a bucket in debt (less than one token, after
// reservations or DeferUntil) keeps the time its next event may happen.
// Going to Inf drops the debt.
func convert(from, to *config, tat, now int64) int64 {
	if to.mode == unlimited {
		return 0
	}
	var tokens float64
	nextEvent := int64(math.MinInt64)
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
		return now + to.tau - int64(tokens)
	}
	if nextEvent > now {
		return min(nextEvent, maxSpan) + to.tau - to.interval
	}
	tokens = min(max(tokens, 0), float64(to.burst))
	return now + to.tau - int64(tokens*float64(to.interval))
}
