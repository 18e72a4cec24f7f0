package ratelimit_test

import "github.com/tandem-go/tandem/ratelimit"

// The limiters must keep the shapes consumers accept and detect: fanout
// finds DeferUntil by a type assertion, so a renamed method would turn
// RetryAfter's push-back off silently, without this check.
var (
	_ ratelimit.Waiter                = (*ratelimit.Limiter)(nil)
	_ ratelimit.Deferrer              = (*ratelimit.Limiter)(nil)
	_ ratelimit.KeyedWaiter[string]   = (*ratelimit.Keyed[string])(nil)
	_ ratelimit.KeyedDeferrer[string] = (*ratelimit.Keyed[string])(nil)
	_ ratelimit.KeyedWaiter[int]      = (*ratelimit.Keyed[int])(nil)
)

// Keyed.Limiter's view is what a consumer taking a Waiter gets for one key
// of a Keyed, as redisrate's Keyed.Limiter is.
var (
	_ ratelimit.Waiter   = ratelimit.KeyLimiter[string]{}
	_ ratelimit.Deferrer = ratelimit.KeyLimiter[int]{}
)
