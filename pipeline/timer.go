package pipeline

import "time"

// stopTimer stops t so that it can be Reset for another wait. Since Go 1.23
// a stopped timer never delivers a stale tick, but under
// GODEBUG=asynctimerchan=1 (the timers before it, still honoured) a tick
// that fired before Stop stays in t.C and would end the next wait at once:
// stopTimer drains it. With today's timers, and when the caller received
// the tick itself, the drain finds nothing and does not block.
func stopTimer(t *time.Timer) {
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
}
