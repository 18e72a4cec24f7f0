package redisrate_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// model is the GCRA the script must implement, on a clock that does not
// move, in units of the interval: at one event per hour the few
// milliseconds a fuzz input takes change no decision.
type model struct {
	tat, tol int // TAT - now, and burst, in intervals
}

func (m *model) allowN(n int) int {
	if m.tat+n > m.tol {
		return 0
	}
	m.tat += n
	return n
}

func (m *model) allowAtMost(n int) int {
	n = min(n, m.tol-m.tat)
	if n <= 0 {
		return 0
	}
	m.tat += n
	return n
}

// reserve returns the events admitted, their delay and their stamp.
func (m *model) reserve(n, maxWait int) (int, int, int) {
	if maxWait >= 0 && m.tat+n-m.tol > maxWait {
		return 0, 0, 0
	}
	m.tat += n
	return n, max(0, m.tat-m.tol), m.tat
}

// cancel gives back n events reserved with stamp, less those reserved after.
func (m *model) cancel(n, stamp int) {
	later := m.tat - stamp
	if stamp <= m.tol || later < 0 {
		return
	}
	if refund := n - later; refund > 0 {
		m.tat -= refund
	}
}

// deferUntil admits nothing before d intervals from now, then one event.
func (m *model) deferUntil(d int) {
	if d > 0 {
		m.tat = max(m.tat, d+m.tol-1)
	}
}

func (m *model) remaining() int { return max(0, m.tol-m.tat) }

// FuzzScriptMatchesTheModel runs a sequence of calls against Redis and the
// model, and requires the same decision, remaining count and delay from
// both: every admission the script makes is one the GCRA allows, and
// refunds and deferrals move the TAT exactly as the rule says.
func FuzzScriptMatchesTheModel(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0})
	f.Add([]byte{2, 2, 2, 2, 4, 2, 2, 4, 4})
	f.Add([]byte{0x31, 0x21, 0x13, 0x05, 0x12, 0x04, 0x23, 0x32, 0x14, 0x04, 0x11})
	f.Add([]byte{0x30, 0x32, 0x32, 0x22, 0x34, 0x33, 0x14, 0x24, 0x31, 0x04, 0x04, 0x20})
	f.Add([]byte{0x13, 0x33, 0x03, 0x34, 0x33, 0x24, 0x14, 0x31, 0x30, 0x21, 0x32, 0x24, 0x34})
	f.Add([]byte{0x02, 0x35, 0x04, 0x15, 0x02, 0x75, 0x00, 0x04, 0x25, 0x01})
	f.Add([]byte("\x02\x02\x022A4")) // a deferral the bookings cover, then a refund
	const burst = 4
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 64 {
			ops = ops[:64]
		}
		ctx := t.Context()
		l := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(hour), burst, patient)
		m := &model{tol: burst}
		type held struct {
			r            redisrate.Reservation
			n, stamp     int
			wasCancelled bool
		}
		var reservations []held
		for i, op := range ops {
			n := 1 + int(op>>4)%burst
			var (
				res       redisrate.Result
				want      int
				wantDelay = -1
				gotDelay  time.Duration
			)
			switch op % 6 {
			case 0:
				r, err := l.AllowN(ctx, n)
				require.NoError(t, err)
				res, want = r, m.allowN(n)
			case 1:
				r, err := l.AllowAtMost(ctx, n)
				require.NoError(t, err)
				res, want = r, m.allowAtMost(n)
			case 2, 3:
				maxWait := -1 // op 2: any wait; op 3: within 2 intervals
				if op%6 == 3 {
					maxWait = 2
				}
				r, err := l.ReserveN(ctx, n, time.Duration(maxWait)*hour)
				require.NoError(t, err)
				var stamp int
				want, wantDelay, stamp = m.reserve(n, maxWait)
				res, gotDelay = r.Result, r.Delay()
				if want > 0 {
					reservations = append(reservations, held{r: r, n: n, stamp: stamp})
				}
			case 4:
				if len(reservations) == 0 {
					continue
				}
				h := &reservations[int(op>>4)%len(reservations)]
				if h.wasCancelled {
					continue // Cancel is documented as at most once
				}
				h.wasCancelled = true
				require.NoError(t, h.r.Cancel(ctx))
				m.cancel(h.n, h.stamp)
				r, err := l.AllowAtMost(ctx, 1) // observe the state: take one if there is one
				require.NoError(t, err)
				res, want = r, m.allowAtMost(1)
			case 5:
				d := int(op>>4) % 8 // 0: now, nothing to do
				// A second early: the server's TAT slips by the time the
				// test has taken, where the model's clock stands still, so
				// a deferral the model finds covered must find it covered
				// on the server too (else it moves the TAT by those
				// milliseconds, which a later refund counts as booked
				// after it). A second is nothing at one event per hour.
				l.DeferUntil(time.Now().Add(time.Duration(d)*hour - time.Second))
				m.deferUntil(d)
				r, err := l.AllowAtMost(ctx, 1)
				require.NoError(t, err)
				res, want = r, m.allowAtMost(1)
			}
			require.Equal(t, want, res.Allowed, "op %d (%#x, n %d) of %x: allowed", i, op, n, ops)
			require.Equal(t, m.remaining(), res.Remaining, "op %d (%#x, n %d) of %x: remaining", i, op, n, ops)
			require.InDelta(t, time.Duration(m.tat)*hour, res.ResetAfter, float64(time.Minute),
				"op %d (%#x, n %d) of %x: reset after", i, op, n, ops)
			if wantDelay >= 0 && want > 0 {
				require.InDelta(t, time.Duration(wantDelay)*hour, gotDelay, float64(time.Minute),
					"op %d (%#x, n %d) of %x: delay", i, op, n, ops)
			}
		}
	})
}
