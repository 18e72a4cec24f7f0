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

// buildOptions is the one place that holds the defaults. name is the
// constructor that received opts, for the misuse message.
func buildOptions(name string, opts []Option) options {
	o := options{
		timeout: 0, // the caller's ctx and the client's own timeouts
		policy:  FailClosed(),
	}
	for _, opt := range opts {
		if isNil(opt) {
			panicf(name, "nil Option")
		}
		opt.apply(&o)
	}
	return o
}

// Timeout gives every call a deadline d from its start; past it, the
// failure policy decides. The default, 0, adds none: a call is then bounded
// by its ctx and by the client's own timeouts and retries, described below.
// Timeout panics with "redisrate: Timeout: d must not be negative" if d < 0.
//
// The deadline wraps each call's ctx. On a go-redis client built with
// ContextTimeoutEnabled: true it bounds the whole call: waits for a
// connection, dials, round trips, retries and backoffs. Without that
// setting go-redis applies it to its waits and dials but not to the socket,
// so a round trip already started runs to its WriteTimeout and ReadTimeout.
// It costs a runtime timer per call, which is why it is not the default: it
// is for a client shared with code that needs longer timeouts than a
// limiter.
//
// Without Timeout, a call lasts what the client takes to run the script:
// one command (EVALSHA), or two when the server does not have the script
// yet, as after a restart (EVAL follows). A go-redis client bounds one
// attempt at a command by the sum of
//   - PoolTimeout, waiting for a free connection while PoolSize are busy;
//   - DialerRetries dials of up to DialTimeout each, DialerRetryTimeout
//     apart, when it opens a connection;
//   - WriteTimeout + ReadTimeout for each round trip: the command's and, on
//     a new connection, those of the client's handshake (HELLO, CLIENT
//     SETINFO and the like);
//
// and makes up to MaxRetries + 1 attempts, MaxRetryBackoff apart at most.
// Its defaults retry both failed commands and failed dials, so against a
// Redis that is down or unreachable a call takes several times the
// timeouts. A client that serves only limiters should set MaxRetries: -1
// and DialerRetries: 1 (one dial; 0 means the default), and DialTimeout,
// ReadTimeout, WriteTimeout and PoolTimeout to the longest that one step
// may take, as the Limiter example does.
func Timeout(d time.Duration) Option {
	if d < 0 {
		panicf("Timeout", "d must not be negative, got %v", d)
	}
	return optionFunc(func(o *options) { o.timeout = d })
}

// OnFailure says what calls do when Redis fails to answer in time: the
// default is FailClosed(); see Policy.
func OnFailure(p Policy) Option {
	return optionFunc(func(o *options) { o.policy = p })
}
