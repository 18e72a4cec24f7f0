package fanout_test

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem/ratelimit"
)

// watchedLimiter is tandem's real limiter, watched: it counts the
// goroutines waiting on it (and their high-water mark) and the RetryAfter
// push-backs it receives, and does nothing else.
type watchedLimiter struct {
	*ratelimit.Limiter
	waiting, maxWaiting atomic.Int64
	deferrals           atomic.Int64
}

func watch(l *ratelimit.Limiter) *watchedLimiter { return &watchedLimiter{Limiter: l} }

func (w *watchedLimiter) WaitN(ctx context.Context, n int) error {
	raise(&w.maxWaiting, w.waiting.Add(1))
	defer w.waiting.Add(-1)
	return w.Limiter.WaitN(ctx, n)
}

func (w *watchedLimiter) DeferUntil(t time.Time) {
	w.deferrals.Add(1)
	w.Limiter.DeferUntil(t)
}

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
