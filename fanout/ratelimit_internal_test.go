package fanout

import "github.com/tandem-go/tandem/ratelimit"

// tandem's limiters must keep the shapes fanout detects: a rename in
// ratelimit would otherwise turn RetryAfter's push-back silently off.
var (
	_ deferrer            = (*ratelimit.Limiter)(nil)
	_ KeyedWaiter[string] = (*ratelimit.Keyed[string])(nil)
	_ keyDeferrer[string] = (*ratelimit.Keyed[string])(nil)
)
