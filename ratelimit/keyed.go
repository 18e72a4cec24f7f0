package ratelimit

import (
	"context"
	"fmt"
	"hash/maphash"
	"math/bits"
	"runtime"
	"sync"
	"time"

	"github.com/tandem-go/tandem/internal/sleep"
)

// Keyed is a set of limiters, one per key (per tenant, per host, per API
// token), each a bucket with the same semantics as Limiter's.
//
// Keys are created on first use and forgotten once idle: a key whose bucket
// has refilled completely is indistinguishable from a fresh one, so dropping
// it loses nothing. Each call does a small, bounded amount of that cleaning
// (it checks one tracked key; a call that adds a key checks two more), so
// there is no janitor goroutine and nothing to Close, and the number of
// keys tracked follows those used in the recent past: at most about twice
// those active over the last pass of the cleaning. (Like any Go map, the
// shards keep the room they grew to, for reuse.) WithMaxKeys adds a hard,
// lossy cap.
//
// A key starts with a full bucket, or with WithInitialTokens tokens; note
// that with WithInitialTokens(k) below the burst, a key evicted when idle
// comes back with k tokens, not a full bucket: stricter, never looser.
//
// Create one with NewKeyed; the zero value is not usable. A Keyed is safe
// for concurrent use and must not be copied after first use. Keys are
// spread over shards by hash; each call locks its key's shard briefly (the
// GCRA decision itself is a few arithmetic operations), and a waiting call
// sleeps without holding any lock.
//
// Cost (bench/, BenchmarkRateKeyedAllow, 1e5 live string keys): an Allow
// costs about as much as a mutex-guarded map of x/time/rate limiters, a few
// hundred nanoseconds dominated by cache misses, and a live key takes about
// 72 bytes besides the key's own data (that map: 115).
//
// Misuse panics with a "ratelimit: " message, as for Limiter.
type Keyed[K comparable] struct {
	base     time.Time
	cfg      *config // every key's, unless limitOf is set
	limitOf  func(K) (Limit, int)
	initial  options // the initial tokens of a new key
	shardCap int     // most keys per shard; 0: no cap
	seed     maphash.Seed
	mask     uint64
	shards   []keyedShard[K]
	timers   sleep.Timers
}

type keyedShard[K comparable] struct {
	mu      sync.Mutex
	index   map[K]int
	entries []keyedEntry[K]
	// cursor is where the cleaning resumes: it walks entries round-robin,
	// so every key is checked once per len(entries) checks.
	cursor int
	_      [64]byte // keeps neighbouring shards' locks off one cache line
}

type keyedEntry[K comparable] struct {
	key K
	tat int64
	cfg *config
}

// sweepPerCall is how many tracked keys each call checks for idleness, and
// sweepPerInsert how many more a call that adds a key checks. Checking more
// per insert than keys are added keeps idle keys at most about half the map.
const (
	sweepPerCall   = 1
	sweepPerInsert = 2
)

// NewKeyed returns a Keyed limiter in which every key gets limit and burst
// (or what WithLimitFunc says for it).
//
// It panics as New does, if WithLimitFunc's key type is not K, or if
// WithMaxKeys is below 1.
func NewKeyed[K comparable](limit Limit, burst int, opts ...Option) *Keyed[K] {
	o := buildOptions(opts)
	k := &Keyed[K]{
		base:    time.Now(),
		cfg:     newConfig(limit, burst, 0),
		initial: o,
		seed:    maphash.MakeSeed(),
	}
	if o.limitFunc != nil {
		f, ok := o.limitFunc.(func(K) (Limit, int))
		if !ok {
			var zero K
			panic(fmt.Sprintf("ratelimit: WithLimitFunc takes a %T, not a func(%T) (Limit, int)", o.limitFunc, zero))
		}
		k.limitOf = f
		k.initial.capInitial = true
	}
	k.cfg.initialTAT(k.initial, 0)                           // validates the initial tokens
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

func (k *Keyed[K]) now() int64 { return int64(time.Since(k.base)) }

func (k *Keyed[K]) shard(key K) *keyedShard[K] {
	return &k.shards[maphash.Comparable(k.seed, key)&k.mask]
}

// Allow is AllowN(key, 1).
func (k *Keyed[K]) Allow(key K) bool { return k.AllowN(key, 1) }

// AllowN reports whether n events may happen now for key, and if so takes
// their tokens, as Limiter.AllowN. It panics with "ratelimit: " if n < 1.
func (k *Keyed[K]) AllowN(key K, n int) bool {
	if n < 1 {
		panicN("Keyed.AllowN", n)
	}
	now := k.now()
	s := k.shard(key)
	s.mu.Lock()
	e := k.entry(s, key, now)
	ok := e.allow(now, n)
	s.sweep(now, sweepPerCall)
	s.mu.Unlock()
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
func (k *Keyed[K]) Wait(ctx context.Context, key K) error { return k.WaitN(ctx, key, 1) }

// WaitN blocks until n events may happen for key and takes their tokens,
// with the errors and costs of Limiter.WaitN. It panics with "ratelimit: "
// if n < 1.
func (k *Keyed[K]) WaitN(ctx context.Context, key K, n int) error {
	if n < 1 {
		panicN("Keyed.WaitN", n)
	}
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
		case d == 0:
			e.tat = newTat
		case !ok || exceedsDeadline(ctx, d):
			err = ErrWouldExceedDeadline
		default:
			e.tat, delay, booked = newTat, d, newTat
		}
	}
	s.sweep(now, sweepPerCall)
	s.mu.Unlock()
	if err != nil || delay <= 0 {
		return err
	}
	if booked == 0 {
		return waitDeferral(ctx, &k.timers, delay)
	}
	return k.timers.Sleep(ctx, time.Duration(delay), func() { k.refund(key, c, booked, int64(n)*c.interval) })
}

// refund gives back a canceled wait's booking if nothing was booked after
// it, as Reservation.Cancel. The key cannot have been evicted meanwhile: its
// TAT is still ahead of now.
func (k *Keyed[K]) refund(key K, c *config, booked, cost int64) {
	s := k.shard(key)
	s.mu.Lock()
	if i, ok := s.index[key]; ok {
		if e := &s.entries[i]; e.cfg == c && e.tat == booked {
			e.tat -= cost
		}
	}
	s.mu.Unlock()
}

// DeferUntil admits nothing for key before t, as Limiter.DeferUntil.
func (k *Keyed[K]) DeferUntil(key K, t time.Time) {
	now := k.now()
	s := k.shard(key)
	s.mu.Lock()
	e := k.entry(s, key, now)
	e.tat = max(e.tat, e.cfg.deferTAT(int64(t.Sub(k.base))))
	s.mu.Unlock()
}

// Tokens returns the tokens in key's bucket now, as Limiter.Tokens: for a
// RateLimit-Remaining header, say. A key not tracked (never seen, or evicted
// once its bucket refilled) has a fresh bucket's tokens; asking does not
// start tracking it.
func (k *Keyed[K]) Tokens(key K) float64 {
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
	c := k.cfg
	if k.limitOf != nil {
		limit, burst := k.limitOf(key)
		c = newConfig(limit, burst, now)
	}
	return c.tokens(c.initialTAT(k.initial, now), now)
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
		limit, burst := k.limitOf(key)
		c = newConfig(limit, burst, now)
		s.mu.Lock()
		if i, ok := s.index[key]; ok {
			return &s.entries[i]
		}
	}
	s.sweep(now, sweepPerInsert)
	if k.shardCap > 0 && len(s.entries) >= k.shardCap {
		s.evict(s.cursor % len(s.entries)) // the lossy cap
	}
	tat := c.initialTAT(k.initial, now)
	s.index[key] = len(s.entries)
	s.entries = append(s.entries, keyedEntry[K]{key: key, tat: tat, cfg: c})
	return &s.entries[len(s.entries)-1]
}

// sweep checks up to count keys from the cursor on and evicts the idle
// ones: those whose bucket is full, which a fresh bucket would replace
// exactly.
func (s *keyedShard[K]) sweep(now int64, count int) {
	for range min(count, len(s.entries)) {
		if s.cursor >= len(s.entries) {
			s.cursor = 0
		}
		e := &s.entries[s.cursor]
		if e.tat <= e.cfg.clock(now) {
			s.evict(s.cursor) // moves the last entry here: check it next
		} else {
			s.cursor++
		}
	}
}

// evict forgets the key at entries[i], moving the last entry into its place.
func (s *keyedShard[K]) evict(i int) {
	last := len(s.entries) - 1
	delete(s.index, s.entries[i].key)
	if i != last {
		s.entries[i] = s.entries[last]
		s.index[s.entries[i].key] = i
	}
	s.entries[last] = keyedEntry[K]{}
	s.entries = s.entries[:last]
}
