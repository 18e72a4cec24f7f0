package ratelimit

import "sync"

// keyedShard holds the buckets of the keys that hash to it: entries in a
// slice, which the cleaning walks, and an index from key to position.
type keyedShard[K comparable] struct {
	mu      sync.Mutex
	index   map[K]int
	entries []keyedEntry[K]
	// cursor is where the cleaning resumes: it walks entries round-robin,
	// so every key is checked once per len(entries) checks.
	cursor int
	// peak is the most entries held since the index was last built; a Go
	// map keeps the room it grew to, so once the keys have fallen well
	// below peak the index and entries are rebuilt at their new size.
	peak int
	// calls counts the calls on this shard; every crossEvery-th also
	// cleans another shard, the next one in turn after neighbour.
	calls     uint32
	neighbour uint32
	_         [64]byte // keeps neighbouring shards' locks off one cache line
}

// The cleaning each call does. sweepPerCall tracked keys of its own shard
// are checked for idleness, and sweepPerInsert more by a call that adds a
// key: checking more per insert than keys are added keeps idle keys at most
// about half a busy shard. Every crossEvery-th call on a shard also checks
// crossBatch keys of another shard, in turn, so that a shard no call lands
// on is cleaned too: about crossBatch/crossEvery checks per call, spread
// over every shard.
const (
	sweepPerCall   = 1
	sweepPerInsert = 2
	crossEvery     = 8
	crossBatch     = 16
)

// rebuildMin is the smallest peak worth rebuilding a shard for: below it
// the room a map keeps is a few kilobytes.
const rebuildMin = 64

// release ends a call on s: it does the call's cleaning of s, unlocks it,
// and on every crossEvery-th call cleans the next shard in turn, if no one
// holds it (a shard in use is cleaned by its own calls). It never holds
// two shard locks at once.
func (k *Keyed[K]) release(s *keyedShard[K], now int64) {
	s.sweep(now, sweepPerCall)
	s.calls++
	cross := s.calls%crossEvery == 0
	var o *keyedShard[K]
	if cross {
		s.neighbour++
		o = &k.shards[uint64(s.neighbour)&k.mask]
	}
	s.mu.Unlock()
	if cross && o.mu.TryLock() {
		o.sweep(now, crossBatch)
		o.mu.Unlock()
	}
}

// add tracks key with its bucket and returns the entry; s.mu is held.
func (s *keyedShard[K]) add(key K, tat int64, c *config) *keyedEntry[K] {
	s.index[key] = len(s.entries)
	s.entries = append(s.entries, keyedEntry[K]{key: key, tat: tat, cfg: c})
	s.peak = max(s.peak, len(s.entries))
	return &s.entries[len(s.entries)-1]
}

// sweep checks up to count keys from the cursor on and evicts the idle
// ones: those whose bucket is full, which a fresh bucket would replace
// exactly. now may be stale: that only keeps a key longer.
func (s *keyedShard[K]) sweep(now int64, count int) {
	evicted := false
	for range min(count, len(s.entries)) {
		if s.cursor >= len(s.entries) {
			s.cursor = 0
		}
		e := &s.entries[s.cursor]
		if e.tat <= e.cfg.clock(now) {
			s.evict(s.cursor) // moves the last entry here: check it next
			evicted = true
		} else {
			s.cursor++
		}
	}
	if evicted && s.peak >= rebuildMin && len(s.entries) <= s.peak/4 {
		s.rebuild()
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

// rebuild gives back the room of a shard that has shrunk to a quarter of
// its peak: a new index and entries sized for the keys left, with room to
// double. Its cost, linear in the keys left, is paid for by the three
// times as many evictions since the peak.
func (s *keyedShard[K]) rebuild() {
	entries := make([]keyedEntry[K], len(s.entries), 2*len(s.entries))
	copy(entries, s.entries)
	index := make(map[K]int, len(entries))
	for i, e := range entries {
		index[e.key] = i
	}
	s.entries, s.index, s.peak = entries, index, len(entries)
}
