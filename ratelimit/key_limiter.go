package ratelimit

import (
	"context"
	"time"
)

// KeyLimiter is the limiter of one key of a Keyed, for code that takes a
// Waiter or a Deferrer (fanout.Pace, pipeline.Pace): its methods are the
// Keyed's, for its key. It is a small value naming the Keyed and the key,
// and holds no bucket: the key is tracked, and evicted once idle, exactly
// as if the Keyed's own methods were called, so a KeyLimiter kept for ever
// does not keep its key tracked. Copies are the same limiter. The zero
// KeyLimiter is not usable.
//
// It is the counterpart of ratelimit/redisrate's Keyed.Limiter.
type KeyLimiter[K comparable] struct {
	k   *Keyed[K]
	key K
}

var (
	_ Waiter   = KeyLimiter[string]{}
	_ Deferrer = KeyLimiter[string]{}
)

// Limiter returns the limiter of key. Making one costs nothing and tracks
// nothing.
func (k *Keyed[K]) Limiter(key K) KeyLimiter[K] { return KeyLimiter[K]{k: k, key: key} }

// Key returns the limiter's key.
func (l KeyLimiter[K]) Key() K { return l.key }

// Allow is Keyed.Allow(key).
func (l KeyLimiter[K]) Allow() bool { return l.k.allow(l.key, 1, "KeyLimiter.Allow") }

// AllowN is Keyed.AllowN(key, n); it panics with "ratelimit:
// KeyLimiter.AllowN: ..." if n < 1.
func (l KeyLimiter[K]) AllowN(n int) bool { return l.k.allow(l.key, n, "KeyLimiter.AllowN") }

// Wait is Keyed.Wait(ctx, key).
func (l KeyLimiter[K]) Wait(ctx context.Context) error {
	return l.k.wait(ctx, l.key, 1, "KeyLimiter.Wait")
}

// WaitN is Keyed.WaitN(ctx, key, n), with Limiter.WaitN's errors; it panics
// with "ratelimit: KeyLimiter.WaitN: ..." if n < 1 or ctx is nil.
func (l KeyLimiter[K]) WaitN(ctx context.Context, n int) error {
	return l.k.wait(ctx, l.key, n, "KeyLimiter.WaitN")
}

// DeferUntil is Keyed.DeferUntil(key, t).
func (l KeyLimiter[K]) DeferUntil(t time.Time) { l.k.deferUntil(l.key, t, "KeyLimiter.DeferUntil") }

// Tokens is Keyed.Tokens(key).
func (l KeyLimiter[K]) Tokens() float64 { return l.k.tokens(l.key, "KeyLimiter.Tokens") }
