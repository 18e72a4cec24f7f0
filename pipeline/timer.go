package pipeline

import "time"

// stopTimer stops t, which is running (Reset since it last stopped or
// fired) and whose tick the caller has not received, so that t can be
// Reset for another wait with no stale tick in t.C.
//
// Since Go 1.23 Stop then always returns true, and t.C holds nothing. Under
// GODEBUG=asynctimerchan=1 (the timers before Go 1.23, still honoured) Stop
// returns false once the timer has fired, and its tick is in t.C, or on its
// way: the runtime marks the timer fired before it sends. So the receive
// must block; a select with a default case would miss a tick still on its
// way, which would then end the next wait at once.
func stopTimer(t *time.Timer) {
	if !t.Stop() {
		<-t.C
	}
}
