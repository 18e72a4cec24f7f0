package ratelimit

import "fmt"

// Option configures New and NewKeyed.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	initialTokens int // when hasInitial; else a full bucket
	hasInitial    bool
	capInitial    bool // cap initialTokens at each key's burst (Keyed with limitOf)
	limitFunc     any  // func(K) (Limit, int), checked by NewKeyed
	maxKeys       int  // 0: no cap
}

// buildOptions is the one place that sets the defaults.
func buildOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt.apply(&o)
	}
	return o
}

// WithInitialTokens starts the bucket holding n tokens instead of a full
// burst: 0 starts it empty, so the first event waits one interval. With
// NewKeyed it applies to every new key (capped at that key's burst).
//
// Default: a full bucket (burst tokens), as in x/time/rate. New panics with
// "ratelimit: " if n < 0 or n > burst.
func WithInitialTokens(n int) Option {
	return optionFunc(func(o *options) { o.initialTokens, o.hasInitial = n, true })
}

// WithLimitFunc gives each key of a Keyed limiter its own limit and burst:
// limitOf is called once when a key gets its bucket (on first use, and again
// after the key was evicted), outside any lock, and must be safe for
// concurrent use. K must be the key type of the Keyed limiter.
//
// Default: every key gets the limit and burst passed to NewKeyed. New and
// NewKeyed panic with "ratelimit: " if it is given to New, if K does not
// match, or if limitOf returns a burst below 1.
func WithLimitFunc[K comparable](limitOf func(key K) (Limit, int)) Option {
	return optionFunc(func(o *options) { o.limitFunc = limitOf })
}

// WithMaxKeys caps how many keys a Keyed limiter tracks at once. When a new
// key would pass the cap and no idle key can go, a key still in use is
// dropped and starts over with a full bucket on its next call: the cap is
// lossy, a dropped key may briefly exceed its limit. Without a cap nothing
// is lost, and the keys tracked follow those active in the recent past.
//
// The cap is kept per shard (keys are spread over up to 64 shards by hash),
// so the total never passes n, and forced evictions may start a little
// before n keys when the hash spreads them unevenly.
//
// Default: no cap. New and NewKeyed panic with "ratelimit: " if it is given
// to New or if n < 1.
func WithMaxKeys(n int) Option {
	return optionFunc(func(o *options) {
		if n < 1 {
			panic(fmt.Sprintf("ratelimit: WithMaxKeys(%d): the cap must be at least 1", n))
		}
		o.maxKeys = n
	})
}
