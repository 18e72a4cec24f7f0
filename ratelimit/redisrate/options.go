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
// every command on the socket, at no extra cost (its defaults are 3s, 3s, 5s
// and ReadTimeout+1s). When the client serves only limiters, set them to the
// longest a rate-limit decision may take. WithTimeout is for a client shared
// with code that needs longer ones. It wraps each call's ctx in a deadline,
// which reaches the socket only if the go-redis client was built with
// ContextTimeoutEnabled: true; without it go-redis ignores the deadline once
// the command is sent. The deadline costs a runtime timer per call, which
// made a loopback Allow about 3% slower in BenchmarkRedisAllowPaired; that
// is why it is not the default.
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
