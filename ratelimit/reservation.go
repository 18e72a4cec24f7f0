package ratelimit

import "time"

// Reservation is a booking made by Limiter.ReserveN: n events may happen
// after Delay(). It is a small value; copies are the same booking, so
// cancel it through one of them only: Cancel empties the Reservation it is
// called on, which makes a second Cancel there do nothing, but cannot reach
// the copies. The zero Reservation is not OK.
type Reservation struct {
	lim  *Limiter
	cfg  *config // the config it was booked under; nil: nothing to refund
	ok   bool
	tat  int64 // the TAT the booking set: the end of its slot
	cost int64 // the length of its slot in nanoseconds
	act  int64 // when the events may happen, on the limiter's clock
}

// OK reports whether the limiter booked the events. A reservation is not
// OK when n exceeded the burst, or under a limit <= 0 without the tokens.
func (r Reservation) OK() bool { return r.ok }

// Delay is how long from now the caller must wait before acting: 0 when
// the time has come, InfDuration when the reservation is not OK.
func (r Reservation) Delay() time.Duration {
	if !r.ok {
		return InfDuration
	}
	return time.Duration(max(0, r.act-r.lim.now()))
}

// Cancel says the events will not happen and gives their tokens back, if
// their time to act has not passed and nothing was booked after them.
// Once the time to act has passed the events count as spent, whether or not
// they happened: giving them back then would hand out again a slot that may
// already have been used. A later booking keeps its slot, so the freed slot
// cannot be handed out again without admitting more than the limit, and
// the tokens are then lost. Cancel does nothing after SetLimit or SetBurst,
// or on a reservation that is not OK. As code:
//
//	refund = nothing booked after r && now <= the time r may act && no SetLimit/SetBurst since r
//
// Either way r is then the zero Reservation (not OK), so that canceling it
// again cannot give back the slot of a later booking that took the freed
// one: the limiter's state alone cannot tell the two apart.
//
// Cost: a clock read and one CAS, no allocation.
func (r *Reservation) Cancel() {
	booked := *r
	*r = Reservation{}
	if booked.cfg == nil || booked.lim.now() > booked.act {
		return
	}
	booked.refund()
}

// refund gives the tokens back if nothing was booked after r, whatever the
// time: for a WaitN cut short, whose events are known not to have happened.
func (r Reservation) refund() {
	if r.lim.cfg.Load() != r.cfg {
		return
	}
	r.lim.tat.CompareAndSwap(r.tat, r.tat-r.cost)
}
