package fanout_test

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// gcra is a deterministic GCRA limiter for tests, on the standard time
// package so that it runs on synctest's fake clock: one event every
// interval, up to burst at once. It can be pushed back like tandem's
// limiter, and records when it admitted each event.
type gcra struct {
	interval time.Duration
	burst    int

	mu       sync.Mutex
	tat      time.Time // theoretical arrival time of the next event
	deferred []time.Time
	waiting  atomic.Int64 // goroutines inside WaitN
	maxWait  atomic.Int64 // high-water mark of waiting
}

func newGCRA(perSecond float64, burst int) *gcra {
	return &gcra{interval: time.Duration(float64(time.Second) / perSecond), burst: burst}
}

func (l *gcra) WaitN(ctx context.Context, n int) error {
	raise(&l.maxWait, l.waiting.Add(1))
	defer l.waiting.Add(-1)
	l.mu.Lock()
	now := time.Now()
	tat := l.tat
	if tat.Before(now) {
		tat = now
	}
	l.tat = tat.Add(time.Duration(n) * l.interval)
	allowAt := l.tat.Add(-time.Duration(l.burst) * l.interval)
	l.mu.Unlock()
	if d := allowAt.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// DeferUntil admits nothing before t.
func (l *gcra) DeferUntil(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.deferred = append(l.deferred, t)
	if at := t.Add(time.Duration(l.burst-1) * l.interval); at.After(l.tat) {
		l.tat = at
	}
}

func (l *gcra) Deferred() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Time(nil), l.deferred...)
}

// keyedGCRA is a gcra per key, shaped like tandem's ratelimit.Keyed.
type keyedGCRA struct {
	perSecond float64
	burst     int
	mu        sync.Mutex
	keys      map[string]*gcra
}

func newKeyedGCRA(perSecond float64, burst int) *keyedGCRA {
	return &keyedGCRA{perSecond: perSecond, burst: burst, keys: map[string]*gcra{}}
}

func (k *keyedGCRA) get(key string) *gcra {
	k.mu.Lock()
	defer k.mu.Unlock()
	l, ok := k.keys[key]
	if !ok {
		l = newGCRA(k.perSecond, k.burst)
		k.keys[key] = l
	}
	return l
}

func (k *keyedGCRA) WaitN(ctx context.Context, key string, n int) error {
	return k.get(key).WaitN(ctx, n)
}

func (k *keyedGCRA) DeferUntil(key string, t time.Time) { k.get(key).DeferUntil(t) }

// raise sets *hw to v when v is higher: an atomic high-water mark.
func raise(hw *atomic.Int64, v int64) {
	for {
		old := hw.Load()
		if v <= old || hw.CompareAndSwap(old, v) {
			return
		}
	}
}

// inFlight counts the calls running at once and their high-water mark.
type inFlight struct{ now, max atomic.Int64 }

func (f *inFlight) enter()    { raise(&f.max, f.now.Add(1)) }
func (f *inFlight) leave()    { f.now.Add(-1) }
func (f *inFlight) peak() int { return int(f.max.Load()) }

// startLog records the (fake) times at which calls started.
type startLog struct {
	mu     sync.Mutex
	starts []time.Time
}

func (s *startLog) add() {
	s.mu.Lock()
	s.starts = append(s.starts, time.Now())
	s.mu.Unlock()
}

func (s *startLog) times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.starts...)
}

// maxInWindow is the largest number of times in any window [t, t+w).
func maxInWindow(times []time.Time, w time.Duration) int {
	best := 0
	for i, t := range times {
		n := 0
		for _, u := range times[i:] {
			if !u.Before(t) && u.Before(t.Add(w)) {
				n++
			}
		}
		for _, u := range times[:i] {
			if !u.Before(t) && u.Before(t.Add(w)) {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}
