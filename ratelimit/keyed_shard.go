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
	_      [64]byte // keeps neighbouring shards' locks off one cache line
}

// sweepPerCall is how many tracked keys each call checks for idleness, and
// sweepPerInsert how many more a call that adds a key checks. Checking more
// per insert than keys are added keeps idle keys at most about half the map.
const (
	sweepPerCall   = 1
	sweepPerInsert = 2
)

// release ends a call on s: it does the call's cleaning and unlocks s.
func (k *Keyed[K]) release(s *keyedShard[K], now int64) {
	s.sweep(now, sweepPerCall)
	s.mu.Unlock()
}

// add tracks key with its bucket and returns the entry; s.mu is held.
func (s *keyedShard[K]) add(key K, tat int64, c *config) *keyedEntry[K] {
	s.index[key] = len(s.entries)
	s.entries = append(s.entries, keyedEntry[K]{key: key, tat: tat, cfg: c})
	return &s.entries[len(s.entries)-1]
}

// sweep checks up to count keys from the cursor on and evicts the idle
// ones: those whose bucket is full, which a fresh bucket would replace
// exactly. now may be stale: that only keeps a key longer.
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
