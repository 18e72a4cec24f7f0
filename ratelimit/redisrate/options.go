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
		timeout: 100 * time.Millisecond,
		policy:  FailClosed(),
	}
	for _, opt := range opts {
		opt.apply(&o)
	}
	return o
}

// WithTimeout bounds every round trip to Redis (default 100ms); past it, the
// failure policy decides. 0 leaves only the caller's ctx (and the client's own
// timeouts). It panics with "redisrate: negative timeout" if d < 0.
//
// The timeout reaches the socket only if the go-redis client was built with
// ContextTimeoutEnabled: true; without it go-redis bounds reads and writes
// with its own ReadTimeout and WriteTimeout (seconds by default) and ignores
// the deadline of the call's context once the command is sent.
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
