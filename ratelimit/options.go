package ratelimit

import (
	"cmp"

	"github.com/tandem-go/tandem/internal/misuse"
)

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
	// keyedOnly names the first option given that only NewKeyed takes.
	keyedOnly string
}

// buildOptions is the one place that sets the defaults, and the one place
// that refuses a nil Option and an option that does not apply to where
// ("New" or "NewKeyed").
func buildOptions(where string, opts []Option) options {
	var o options
	for _, opt := range opts {
		misuse.Nil("ratelimit: "+where, "Option", opt)
		opt.apply(&o)
	}
	if o.keyedOnly != "" && where != "NewKeyed" {
		misuse.NotApplicable("ratelimit: "+where, o.keyedOnly, "NewKeyed")
	}
	return o
}

// InitialTokens starts the bucket holding n tokens instead of a full
// burst: 0 starts it empty, so the first event waits one interval. With
// NewKeyed it applies to every new key, capped at that key's burst when
// LimitFunc sets it.
//
// Default: a full bucket (burst tokens), as in x/time/rate. It panics with
// "ratelimit: InitialTokens: ..." if n < 0; New and NewKeyed panic if n
// exceeds the burst.
func InitialTokens(n int) Option {
	if n < 0 {
		misuse.Panicf("ratelimit: InitialTokens", "n must not be negative, got %d", n)
	}
	return optionFunc(func(o *options) { o.initialTokens, o.hasInitial = n, true })
}

// LimitFunc gives each key of a Keyed limiter its own limit and burst:
// limitOf is called once when a key gets its bucket (on first use, and again
// after the key was evicted), outside any lock, and must be safe for
// concurrent use. K must be the key type of the Keyed limiter. The limit
// and burst it returns are held to New's rules: a call that makes a key
// whose limitOf returned values New would refuse panics with
// "ratelimit: LimitFunc: ..." and tracks nothing.
//
// Default: every key gets the limit and burst passed to NewKeyed. It panics
// with "ratelimit: LimitFunc: nil function" if limitOf is nil; New panics if
// it is given LimitFunc, NewKeyed if K is not the key type.
func LimitFunc[K comparable](limitOf func(key K) (Limit, int)) Option {
	misuse.Nil("ratelimit: LimitFunc", "function", limitOf)
	return optionFunc(func(o *options) {
		o.limitFunc = limitOf
		o.keyedOnly = cmp.Or(o.keyedOnly, "LimitFunc")
	})
}

// MaxKeys caps how many keys a Keyed limiter tracks at once. When a new
// key would pass the cap and no idle key can go, a key still in use is
// dropped and starts over on its next call as a new key: the cap is lossy,
// a dropped key may briefly exceed its limit. Without a cap nothing is
// lost.
//
// The cap is kept per shard (keys are spread over up to 64 shards by hash),
// so the total never passes n, and forced evictions may start a little
// before n keys when the hash spreads them unevenly.
//
// Default: no cap. It panics with "ratelimit: MaxKeys: ..." if n < 1; New
// panics if it is given MaxKeys.
func MaxKeys(n int) Option {
	if n < 1 {
		misuse.Panicf("ratelimit: MaxKeys", "n must be at least 1, got %d", n)
	}
	return optionFunc(func(o *options) {
		o.maxKeys = n
		o.keyedOnly = cmp.Or(o.keyedOnly, "MaxKeys")
	})
}
