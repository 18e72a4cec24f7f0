package ratelimit

import (
	"context"
	"hash/maphash"
	"math/bits"
	"runtime"
	"time"

	"github.com/tandem-go/tandem/internal/clock"
	"github.com/tandem-go/tandem/internal/misuse"
	"github.com/tandem-go/tandem/internal/sleep"
)

// Keyed is a set of limiters, one per key (per tenant, per host, per API
// token), each a bucket with the same semantics as Limiter's.
//
// Keys are created on first use and forgotten once idle: a key whose bucket
// has refilled completely is indistinguishable from a fresh one, so dropping
// it loses nothing. Every call does a small, bounded part of that cleaning:
// it checks one key of its shard (two more when it adds a key), and every
// 8th call on a shard checks 16 keys of another shard, in turn, so every
// shard is cleaned whichever keys the calls touch; a shard that has shrunk
// to a quarter of its peak is rebuilt at its new size, since a Go map keeps
// the room it grew to. So there is no janitor goroutine and nothing to
// Close, and the keys tracked, and the memory held, follow those active in
// the recent past. Under a limit <= 0 (the Keyed's, or a LimitFunc key's) a
// bucket never refills, so a key that took a token is kept for as long as
// the Keyed lives: dropping it would hand it a full bucket again. MaxKeys
// adds a hard, lossy cap.
//
// A key starts with a full bucket, or with InitialTokens tokens; note that
// with InitialTokens(k) below the burst, a key evicted when idle comes back
// with k tokens, not a full bucket: stricter, never looser.
//
// Create one with NewKeyed; the zero value is not usable. A Keyed is safe
// for concurrent use and must not be copied after first use. Keys are
// spread over shards by hash; each call locks its key's shard briefly (the
// GCRA decision itself is a few arithmetic operations), and a waiting call
// sleeps without holding any lock. Cost: a map lookup under a mutex and no
// allocation, except when a key is added.
//
// Misuse panics with a "ratelimit: Name: ..." message, as for Limiter.
type Keyed[K comparable] struct {
	base     clock.Base
	cfg      *config // every key's, unless limitOf is set
	limitOf  func(K) (Limit, int)
	initial  options // the initial tokens of a new key
	shardCap int     // most keys per shard; 0: no cap
	seed     maphash.Seed
	mask     uint64
	shards   []keyedShard[K]
	timers   sleep.Timers
}

type keyedEntry[K comparable] struct {
	key K
	tat int64
	cfg *config
}

// NewKeyed returns a Keyed limiter in which every key gets limit and burst
// (or what LimitFunc says for it).
//
// It panics with "ratelimit: NewKeyed: ..." where New would, and if
// LimitFunc's key type is not K.
func NewKeyed[K comparable](limit Limit, burst int, opts ...Option) *Keyed[K] {
	o := buildOptions("NewKeyed", opts)
	k := &Keyed[K]{
		base:    clock.Start(),
		cfg:     newConfig(limit, burst, 0, "NewKeyed"),
		initial: o,
		seed:    maphash.MakeSeed(),
	}
	if o.limitFunc != nil {
		f, ok := o.limitFunc.(func(K) (Limit, int))
		if !ok {
			var zero K
			misuse.Panicf("ratelimit: NewKeyed", "LimitFunc must take the key type, func(%T) (Limit, int), got %T", zero, o.limitFunc)
		}
		k.limitOf = f
		k.initial.capInitial = true
	}
	k.cfg.initialTAT(k.initial, 0, "NewKeyed")               // validates the initial tokens
	shards := 1 << bits.Len(uint(4*runtime.GOMAXPROCS(0)-1)) // a power of two
	shards = min(shards, 64)
	if o.maxKeys > 0 {
		shards = min(shards, 1<<(bits.Len(uint(o.maxKeys))-1))
		k.shardCap = o.maxKeys / shards
	}
	k.mask = uint64(shards - 1)
	k.shards = make([]keyedShard[K], shards)
	for i := range k.shards {
		k.shards[i].index = make(map[K]int)
	}
	return k
}

func (k *Keyed[K]) now() int64 { return int64(k.base.Since()) }

// made panics, naming the method where, when k was not made by NewKeyed:
// a zero Keyed has no shards, and a zero KeyLimiter no Keyed at all.
func (k *Keyed[K]) made(where string) {
	if k == nil || k.shards == nil {
		misuse.Panicf("ratelimit: "+where, "not made by NewKeyed")
	}
}

// shard returns key's shard.
func (k *Keyed[K]) shard(key K) *keyedShard[K] {
	return &k.shards[maphash.Comparable(k.seed, key)&k.mask]
}

// Allow is AllowN(key, 1).
func (k *Keyed[K]) Allow(key K) bool { return k.allow(key, 1, "Keyed.Allow") }

// AllowN reports whether n events may happen now for key, and if so takes
// their tokens, as Limiter.AllowN. It panics with "ratelimit: Keyed.AllowN:
// ..." if n < 1.
func (k *Keyed[K]) AllowN(key K, n int) bool { return k.allow(key, n, "Keyed.AllowN") }

func (k *Keyed[K]) allow(key K, n int, where string) bool {
	k.made(where)
	if n < 1 {
		panicN(where, n)
	}
	now := k.now()
	s := k.shard(key)
	s.mu.Lock()
	ok := k.entry(s, key, now).allow(now, n)
	k.release(s, now)
	return ok
}

// allow is the GCRA decision for AllowN, under the shard lock.
func (e *keyedEntry[K]) allow(now int64, n int) bool {
	c := e.cfg
	if c.mode == unlimited {
		return now >= e.tat
	}
	if n > c.burst {
		return false
	}
	newTat, ok := c.admit(e.tat, now, n)
	if ok {
		e.tat = newTat
	}
	return ok
}

// Wait is WaitN(ctx, key, 1).
func (k *Keyed[K]) Wait(ctx context.Context, key K) error {
	return k.wait(ctx, key, 1, "Keyed.Wait")
}

// WaitN blocks until n events may happen for key and takes their tokens,
// with the errors and costs of Limiter.WaitN. It panics with "ratelimit:
// Keyed.WaitN: ..." if n < 1 or ctx is nil.
func (k *Keyed[K]) WaitN(ctx context.Context, key K, n int) error {
	return k.wait(ctx, key, n, "Keyed.WaitN")
}

func (k *Keyed[K]) wait(ctx context.Context, key K, n int, where string) error {
	k.made(where)
	if n < 1 {
		panicN(where, n)
	}
	misuse.Ctx("ratelimit: "+where, ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	now := k.now()
	s := k.shard(key)
	s.mu.Lock()
	e := k.entry(s, key, now)
	c := e.cfg
	var delay, booked int64
	var err error
	switch {
	case c.mode == unlimited:
		delay = e.tat - now
	case n > c.burst:
		err = ErrExceedsBurst
	case c.mode == frozen:
		if !e.allow(now, n) {
			err = ErrZeroLimit
		}
	default:
		newTat, d, ok := c.reserve(e.tat, now, n)
		switch {
		case ok && d == 0:
			e.tat = newTat
		case !ok || exceedsDeadline(ctx, d):
			err = ErrWouldExceedDeadline
		default:
			e.tat, delay, booked = newTat, d, newTat
		}
	}
	k.release(s, now)
	if err != nil || delay <= 0 {
		return err
	}
	if booked == 0 {
		return waitDeferral(ctx, &k.timers, delay)
	}
	return k.timers.Sleep(ctx, time.Duration(delay), func() { k.refund(key, c, booked, int64(n)*c.interval) })
}

// refund gives back the booking of a wait cut short, whose events are known
// not to have happened, if nothing was booked after it. While the clock is
// before booked the key cannot have been evicted (its TAT is at least
// booked), so an entry whose TAT is booked is the one booked; after it, the
// bucket has refilled past the booking and there is nothing to give back.
func (k *Keyed[K]) refund(key K, c *config, booked, cost int64) {
	now := k.now()
	s := k.shard(key)
	s.mu.Lock()
	if i, ok := s.index[key]; ok && now < booked {
		if e := &s.entries[i]; e.cfg == c && e.tat == booked {
			e.tat -= cost
		}
	}
	s.mu.Unlock()
}

// DeferUntil admits nothing for key before t, as Limiter.DeferUntil: a t
// already past (or now) changes nothing, and does not start tracking key.
func (k *Keyed[K]) DeferUntil(key K, t time.Time) {
	k.deferUntil(key, t, "Keyed.DeferUntil")
}

func (k *Keyed[K]) deferUntil(key K, t time.Time, where string) {
	k.made(where)
	s := k.shard(key)
	now := k.now()
	until := int64(k.base.Offset(t))
	if until <= now {
		return
	}
	s.mu.Lock()
	e := k.entry(s, key, now)
	e.tat = max(e.tat, e.cfg.deferTAT(until, now))
	k.release(s, now)
}

// Tokens returns the tokens in key's bucket now, as Limiter.Tokens: for a
// RateLimit-Remaining header, say. A key not tracked (never seen, or evicted
// once its bucket refilled) has a fresh bucket's tokens; asking does not
// start tracking it.
func (k *Keyed[K]) Tokens(key K) float64 { return k.tokens(key, "Keyed.Tokens") }

func (k *Keyed[K]) tokens(key K, where string) float64 {
	k.made(where)
	now := k.now()
	s := k.shard(key)
	s.mu.Lock()
	if i, ok := s.index[key]; ok {
		e := &s.entries[i]
		tokens := e.cfg.tokens(e.tat, now)
		s.mu.Unlock()
		return tokens
	}
	s.mu.Unlock()
	c := k.configOf(key, now)
	return c.tokens(c.initialTAT(k.initial, now, "NewKeyed"), now)
}

// Len returns the number of keys tracked now, idle ones not yet evicted
// included.
func (k *Keyed[K]) Len() int {
	n := 0
	for i := range k.shards {
		s := &k.shards[i]
		s.mu.Lock()
		n += len(s.entries)
		s.mu.Unlock()
	}
	return n
}

// configOf is the config of a new bucket for key: LimitFunc's, checked as
// New checks its arguments, or the shared one.
func (k *Keyed[K]) configOf(key K, now int64) *config {
	if k.limitOf == nil {
		return k.cfg
	}
	limit, burst := k.limitOf(key)
	return newConfig(limit, burst, now, "LimitFunc")
}

// entry returns key's bucket, creating it if needed. It is called with
// s.mu held; to call limitOf outside the lock it may release and retake it.
// The pointer is valid until s.mu is released or s.sweep runs.
func (k *Keyed[K]) entry(s *keyedShard[K], key K, now int64) *keyedEntry[K] {
	if i, ok := s.index[key]; ok {
		return &s.entries[i]
	}
	c := k.cfg
	if k.limitOf != nil {
		s.mu.Unlock()
		c = k.configOf(key, now) // may panic: the lock is not held
		s.mu.Lock()
		if i, ok := s.index[key]; ok {
			return &s.entries[i]
		}
	}
	s.sweep(now, sweepPerInsert)
	if k.shardCap > 0 && len(s.entries) >= k.shardCap {
		s.evict(s.cursor % len(s.entries)) // the lossy cap
	}
	return s.add(key, c.initialTAT(k.initial, now, "NewKeyed"), c)
}
