package ratelimit_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
)

// Once a reservation's time to act has passed its tokens count as spent:
// a Cancel then must not hand them out a second time (#13.11), as
// x/time/rate's CancelAt and redisrate's Cancel refuse.
func TestCancelAfterTheTimeToActGivesNothingBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(1, 1)
		r := l.Reserve() // may act now
		require.Zero(t, r.Delay())
		time.Sleep(500 * time.Millisecond)
		r.Cancel()
		assert.InDelta(t, 0.5, l.Tokens(), 1e-9, "an immediate reservation canceled 500ms later")

		time.Sleep(500 * time.Millisecond)
		r = l.Reserve() // the bucket is full again: may act now
		late := l.Reserve()
		require.Equal(t, time.Second, late.Delay())
		time.Sleep(1500 * time.Millisecond)
		late.Cancel()
		r.Cancel()
		assert.InDelta(t, 0.5, l.Tokens(), 1e-9, "a delayed reservation canceled 500ms after its time to act")
	})
}

func TestCancelAtTheTimeToActStillGivesTheTokensBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(1, 1)
		require.True(t, l.Allow())
		r := l.Reserve()
		time.Sleep(r.Delay())
		r.Cancel()
		assert.InDelta(t, 1.0, l.Tokens(), 1e-9, "canceled at its time to act, not after")
	})
}

// A second Cancel of the same reservation must not give back the slot that
// someone booked after the first one freed it: the TAT alone cannot tell
// the two bookings apart, so Cancel empties the Reservation it is called
// on.
func TestCancelingTwiceGivesTheTokensBackOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := ratelimit.New(10, 1)
		r := l.Reserve()
		r.Cancel()
		require.True(t, l.Allow(), "the first Cancel gave the token back")
		r.Cancel()
		assert.False(t, l.Allow(), "the second Cancel gave back the token Allow took")
		assert.False(t, r.OK(), "a canceled reservation is not OK")

		late := l.Reserve()
		require.Equal(t, 100*time.Millisecond, late.Delay())
		late.Cancel()
		again := l.Reserve()
		late.Cancel()
		assert.Equal(t, 100*time.Millisecond, again.Delay())
		assert.Equal(t, 200*time.Millisecond, l.Reserve().Delay(), "again's slot was kept")
	})
}
