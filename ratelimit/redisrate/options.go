package redisrate

import "time"

// An Option configures a Limiter or a Keyed limiter.
type Option interface {
	apply(*options)
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	timeout time.Duration
	policy  Policy
}

// buildOptions is the one place that holds the defaults.
func buildOptions(opts []Option) options {
	o := options{
		timeout: 0, // the caller's ctx and the client's own timeouts
		policy:  FailClosed(),
	}
	for _, opt := range opts {
		opt.apply(&o)
	}
	return o
}

// WithTimeout gives every round trip to Redis a deadline d from its start;
// past it, the failure policy decides. The default, 0, adds none: a round
// trip is bounded by the caller's ctx and by the client's own timeouts. It
// panics with "redisrate: negative timeout" if d < 0.
//
// The client's timeouts are the cheaper bound and the one to set first:
// go-redis applies ReadTimeout, WriteTimeout, DialTimeout and PoolTimeout to
// every command on the socket, at no extra cost (in go-redis v9.23 their
// defaults are 5s, ReadTimeout, 5s and ReadTimeout+1s). go-redis also retries
// a command that timed out or failed to connect (MaxRetries, default 3, with
// a backoff), so a decision can take several times ReadTimeout: when the
// client serves only limiters, set the timeouts to the longest one attempt
// may take and MaxRetries to -1. WithTimeout bounds the whole call, retries
// included, and is for a client shared with code that needs longer
// timeouts. It wraps each call's ctx in a deadline,
// which reaches the socket only if the go-redis client was built with
// ContextTimeoutEnabled: true; without it go-redis ignores the deadline once
// the command is sent. The deadline costs a runtime timer per call, which
// made a loopback Allow 2-3% slower (BenchmarkRedisAllowPaired's
// admitted-WithTimeout case against its admitted case); that is why it is
// not the default.
func WithTimeout(d time.Duration) Option {
	if d < 0 {
		panic("redisrate: negative timeout")
	}
	return optionFunc(func(o *options) { o.timeout = d })
}

// WithFailurePolicy says what calls do when Redis fails to answer in time
// (default FailClosed()).
func WithFailurePolicy(p Policy) Option {
	return optionFunc(func(o *options) { o.policy = p })
}
