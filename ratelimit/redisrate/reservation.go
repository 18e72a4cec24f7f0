package redisrate

import (
	"context"
	"time"

	"github.com/tandem-go/tandem/ratelimit"
)

// Reservation is the answer of ReserveN: a Result and, when admitted, how
// long to wait before acting. It is a value; copies are the same booking.
type Reservation struct {
	Result
	delay time.Duration

	// For Cancel.
	k     *Keyed
	key   string
	n     int64
	stamp stamp
	local []ratelimit.Reservation // the bookings of FailLocal's limiter, if it decided
}

// OK reports whether the events were admitted (possibly with a delay).
func (r Reservation) OK() bool { return r.Allowed > 0 }

// Delay is how long the caller must wait before acting, as of the decision:
// 0 when it may act now or when nothing was admitted.
func (r Reservation) Delay() time.Duration { return r.delay }

// Cancel gives back the events of a reservation the caller will not use,
// minus those that others reserved after it (their slots are promised), in
// one round trip; nothing once its time to act has come. It is best effort:
// on a Redis failure it returns the error and the events stay spent, which
// errs on the side of the limit. Canceling a reservation that was not
// admitted does nothing; cancel an admitted one at most once, since a second
// refund cannot tell that it already happened.
//
// A reservation that FailLocal's in-process limiter made is given back to
// that limiter by ratelimit.Reservation.Cancel's rule: all of it if nothing
// was booked after it, else nothing (and whatever its time).
//
// Cancel panics with "redisrate: Reservation.Cancel: nil context" if ctx
// is nil, whether or not the reservation was admitted.
func (r Reservation) Cancel(ctx context.Context) error {
	checkCtx("Reservation.Cancel", ctx)
	switch {
	case r.k == nil || r.n == 0:
		return nil
	case r.local != nil:
		r.k.locals.giveBack(r.local)
		return nil
	}
	_, err := r.k.call(ctx, []string{r.key}, r.k.intervalArg, r.k.tolArg, r.n, int64(modeRefund), r.stamp.sec, r.stamp.ns)
	return err
}
