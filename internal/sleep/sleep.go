// Package sleep waits out a delay unless a context ends first, on recycled
// timers: the one wait that ratelimit, redisrate and fanout all need.
package sleep

import (
	"context"
	"sync"
	"time"
)

// Timers recycles the timers of sleeping waits, so that a wait allocates
// nothing once the pool is warm. Since Go 1.23 a stopped or reset timer
// never delivers a stale tick, which makes reuse safe; under
// GODEBUG=asynctimerchan=1 (the pre-1.23 timers, still honoured) a timer
// that fired while its wait was ending on ctx may deliver its tick later,
// so Sleep never reuses a timer it could not stop.
//
// Keep one Timers per long-lived owner (a limiter, a fan-out) rather than
// one per process: a timer made inside a testing/synctest bubble belongs to
// that bubble, so an owner made in a bubble must only ever reuse its own.
// Once used, a Timers stays reachable from package sync's list of pools
// until the second garbage collection after, and with it anything it is a
// field of: embed it only in owners that are small or long-lived anyway,
// and point to it from the others. The zero value is ready to use; a
// Timers must not be copied after use.
type Timers struct{ pool sync.Pool }

// Sleep waits d or until ctx is done, whichever comes first. When ctx ends
// first it calls onCancel (if not nil), so that the caller can give back
// what it booked for the wait, and returns ctx.Err(). A d <= 0 returns
// ctx.Err() at once.
func (t *Timers) Sleep(ctx context.Context, d time.Duration, onCancel func()) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer, _ := t.pool.Get().(*time.Timer)
	if timer == nil {
		timer = time.NewTimer(d)
	} else {
		timer.Reset(d)
	}
	select {
	case <-timer.C:
		t.pool.Put(timer)
		return nil
	case <-ctx.Done():
		// A timer that could not be stopped has fired: with today's timers
		// its tick is gone with the select, but under asynctimerchan=1 the
		// runtime may still be about to send it, after Stop returned. No
		// drain can tell, so such a timer is dropped, not reused.
		if timer.Stop() {
			t.pool.Put(timer)
		}
		if onCancel != nil {
			onCancel()
		}
		return ctx.Err()
	}
}
