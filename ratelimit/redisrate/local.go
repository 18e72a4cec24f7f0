package redisrate

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/tandem-go/tandem/ratelimit"
)

// locals holds FailLocal's in-process limiters: one ratelimit.Limiter per
// key, at a share of the rate and of the burst.
//
// Every decision runs under one mutex. That costs nothing that matters (the
// locals decide only while Redis is down, after a failed round trip) and
// buys exactness: a decision and its undoing (ReserveN then Cancel, for a
// maxWait the booking would pass) cannot interleave with another decision,
// and a key is dropped only when its bucket is full with no decision in
// flight, so dropping it loses nothing: a new limiter starts full.
// (ratelimit.Keyed would do the dropping itself, but it has no ReserveN and
// no Tokens, which ReserveN's delay, Cancel and the Result need.)
type locals struct {
	limit     ratelimit.Limit
	burst     int
	interval  int64 // ns per event, rounded up as the core limiter does
	tolerance int64 // burst × interval

	mu    sync.Mutex
	m     map[string]*ratelimit.Limiter
	swept int // len(m) after the last sweep
}

// newLocals sets up the local limiters of a limit and burst, at share of
// each (at least one event of burst). A share so small that the core
// limiter cannot honour it panics here, as name, at construction, not at
// the first outage.
func newLocals(name string, limit ratelimit.Limit, burst int, share float64) *locals {
	ls := &locals{
		limit: limit * ratelimit.Limit(share),
		burst: max(1, int(float64(burst)*share)),
	}
	func() {
		defer func() {
			if recover() != nil {
				panicf(name, "FailLocal(%v) of limit %v is too small for a ratelimit.Limiter (one event in over 2^61ns, about 73 years), got a local limit of %v", share, float64(limit), float64(ls.limit))
			}
		}()
		ratelimit.New(ls.limit, ls.burst)
	}()
	ls.interval = intervalOf(name, ls.limit)
	ls.tolerance = ls.interval * int64(ls.burst)
	return ls
}

// decide is the script's modes 0 and 1 on key's local limiter (maxWait < 0:
// no bound). It returns the decision as the script would, with the TAT as
// nanoseconds from now, and the bookings when events were admitted by mode
// 0 (for Delay and Cancel).
func (ls *locals) decide(key string, n int, mode, maxWait int64) (reply, []ratelimit.Reservation) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l := ls.get(key)
	var bookings []ratelimit.Reservation
	admitted := 0
	if mode == modeAtMost {
		// The tokens can only grow until AllowN (every decision holds
		// ls.mu), so the first try admits, unless float rounding made the
		// count one too high.
		for m := min(n, int(l.Tokens())); m >= 1; m-- {
			if l.AllowN(m) {
				admitted = m
				break
			}
		}
	} else {
		bookings = book(l, n, ls.burst)
		if len(bookings) > 0 && maxWait >= 0 && int64(bookings[len(bookings)-1].Delay()) > maxWait {
			giveBack(bookings) // exact: no booking came after them
			bookings = nil
		}
		if len(bookings) > 0 {
			admitted = n
		}
	}
	// The bucket as the script reports it: how far its TAT is ahead of now.
	debt := ls.tolerance - int64(math.Round(l.Tokens()*float64(ls.interval)))
	return reply{admitted: int64(admitted), tat: max(0, debt)}, bookings
}

// deferUntil defers key's local limiter until t.
func (ls *locals) deferUntil(key string, t time.Time) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.get(key).DeferUntil(t)
}

// reset drops key's local limiter: the next decision makes a full one.
func (ls *locals) reset(key string) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	delete(ls.m, key)
}

// book reserves n events on l whatever the delay, as the script does. The
// local burst is a share of the burst, so n may exceed it (a core limiter
// refuses that: the events could never happen at once); it is then booked
// in pieces of at most burst, back to back (ls.mu is held), which is the
// booking of n at once: the last piece's delay is the whole's. nil if the
// limiter cannot book so far ahead.
func book(l *ratelimit.Limiter, n, burst int) []ratelimit.Reservation {
	bookings := make([]ratelimit.Reservation, 0, (n+burst-1)/burst)
	for n > 0 {
		r := l.ReserveN(min(n, burst))
		if !r.OK() {
			giveBack(bookings)
			return nil
		}
		bookings = append(bookings, r)
		n -= min(n, burst)
	}
	return bookings
}

// giveBack gives bookings back, last first: each is given back only if
// nothing was booked after it (ratelimit.Reservation.Cancel), so either all
// come back or, once someone booked after them, none.
func giveBack(bookings []ratelimit.Reservation) {
	for _, r := range slices.Backward(bookings) {
		r.Cancel()
	}
}

// giveBack gives back a reservation's bookings under ls.mu, so that no
// decision lands between its pieces.
func (ls *locals) giveBack(bookings []ratelimit.Reservation) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	giveBack(bookings)
}

// get returns key's limiter, creating it if needed; ls.mu is held. Keys
// whose bucket is full are dropped when the map has doubled since the last
// sweep, amortized into the calls that add keys.
func (ls *locals) get(key string) *ratelimit.Limiter {
	if l, ok := ls.m[key]; ok {
		return l
	}
	if ls.m == nil {
		ls.m = make(map[string]*ratelimit.Limiter)
	}
	if len(ls.m) >= max(64, 2*ls.swept) {
		for k, l := range ls.m {
			if l.Tokens() >= float64(l.Burst()) {
				delete(ls.m, k)
			}
		}
		ls.swept = len(ls.m)
	}
	l := ratelimit.New(ls.limit, ls.burst)
	ls.m[key] = l
	return l
}
