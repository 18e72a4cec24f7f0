package redisrate

import (
	"sync"
	"time"
)

// local is the in-process GCRA that FailLocal decides with. It is the
// script's math on the process clock, with the TAT in nanoseconds since a
// monotonic base, under a mutex: it runs only while Redis is down, so its
// speed is not the point.
//
// TODO(lead): once ratelimit.Limiter lands, this can become a
// *ratelimit.Limiter built with ratelimit.New(limit*share, burst*share).
type local struct {
	interval, tolerance int64 // ns, as in the script
	base                time.Time

	mu  sync.Mutex
	tat int64 // ns since base
}

func newLocal(interval, burst int64, share float64) *local {
	interval = int64(float64(interval)/share + 0.5)
	burst = max(1, int64(float64(burst)*share))
	return &local{interval: interval, tolerance: burst * interval, base: time.Now()}
}

// decide mirrors the script's modes 0 and 1; maxWait < 0: no bound.
func (l *local) decide(n, mode, maxWait int64) reply {
	now := int64(time.Since(l.base))
	l.mu.Lock()
	defer l.mu.Unlock()
	tat := max(l.tat-now, 0)
	if mode == modeAtMost {
		n = min(n, (l.tolerance-tat)/l.interval)
		if n <= 0 {
			return reply{tat: tat}
		}
	} else if maxWait >= 0 && tat+n*l.interval-l.tolerance > maxWait {
		return reply{tat: tat}
	}
	tat += n * l.interval
	l.tat = now + tat
	return reply{admitted: n, tat: tat, stamp: stamp{ns: l.tat}}
}

// refund mirrors the script's mode 2.
func (l *local) refund(n int64, s stamp) {
	now := int64(time.Since(l.base))
	l.mu.Lock()
	defer l.mu.Unlock()
	mine := s.ns - now
	later := l.tat - s.ns
	if mine <= l.tolerance || later < 0 {
		return
	}
	if refund := n*l.interval - later; refund > 0 {
		l.tat -= refund
	}
}

// full reports whether the bucket is full, so forgetting l loses nothing.
func (l *local) full() bool {
	now := int64(time.Since(l.base))
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tat <= now
}

// locals holds one local limiter per key. Keys whose bucket is full are
// dropped when the map has doubled since the last sweep: lossless, since a
// fresh limiter is a full one, and amortized into the calls that add keys.
type locals struct {
	interval, burst int64
	share           float64

	mu    sync.Mutex
	m     map[string]*local
	swept int // len(m) after the last sweep
}

func (ls *locals) get(key string) *local {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if l, ok := ls.m[key]; ok {
		return l
	}
	if ls.m == nil {
		ls.m = make(map[string]*local)
	}
	if len(ls.m) >= max(64, 2*ls.swept) {
		for k, l := range ls.m {
			if l.full() {
				delete(ls.m, k)
			}
		}
		ls.swept = len(ls.m)
	}
	l := newLocal(ls.interval, ls.burst, ls.share)
	ls.m[key] = l
	return l
}
