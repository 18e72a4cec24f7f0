package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tandem-go/tandem/ratelimit"
)

// This file drives a Limiter and a Keyed through random operations at
// extreme values (intervals from 1ns to 52 days, spans up to the 73-year
// bound, deferrals and sleeps of decades) next to a model of the documented
// GCRA that computes every instant with big.Int, so it cannot wrap. Any
// overflow in the limiter's int64 arithmetic shows as a difference
// (#13.12).

const (
	maxTau   = int64(1) << 61 // the widest span New accepts
	maxDelay = int64(1) << 61 // the furthest ahead an event is booked
)

// extremeIntervals are the intervals of the limits the fuzz uses, each
// Every(d) with d below 2^52ns, where Every is exact.
var extremeIntervals = []int64{1, 2, 3, 1000, 999_999_937, 1e9, int64(time.Hour), 1 << 40, 1<<51 + 12345, 1<<52 - 1}

// A model limit: mode 'f' (finite), 'u' (Inf) or 'z' (zero).
type modelLimit struct {
	limit    ratelimit.Limit
	mode     byte
	interval int64
}

func extremeLimit(sel byte) modelLimit {
	switch i := int(sel) % (len(extremeIntervals) + 2); i {
	case len(extremeIntervals):
		return modelLimit{ratelimit.Inf, 'u', 0}
	case len(extremeIntervals) + 1:
		return modelLimit{0, 'z', 1}
	default:
		d := extremeIntervals[i]
		return modelLimit{ratelimit.Every(time.Duration(d)), 'f', d}
	}
}

// extremeBurst picks a burst for interval: small ones, and those at and
// just past the widest span.
func extremeBurst(sel byte, interval int64) int {
	if interval == 0 {
		interval = 1
	}
	widest := int(maxTau / interval)
	return []int{1, 2, 3, 100, 1 << 20, widest, max(1, widest-1), widest + 1}[int(sel)%8]
}

type modelConfig struct {
	modelLimit
	burst    int
	tau      *big.Int
	frozenAt *big.Int
}

// valid reports whether New would accept the limit and burst.
func (c modelConfig) valid() bool {
	return c.burst >= 1 && (c.mode == 'u' || c.interval <= maxTau/int64(c.burst))
}

func newModelConfig(l modelLimit, burst int, now *big.Int) modelConfig {
	c := modelConfig{modelLimit: l, burst: burst, tau: new(big.Int), frozenAt: new(big.Int).Set(now)}
	if l.mode != 'u' {
		c.tau.Mul(big.NewInt(int64(burst)), big.NewInt(l.interval))
	}
	return c
}

func (c modelConfig) clock(now *big.Int) *big.Int {
	if c.mode == 'z' {
		return c.frozenAt
	}
	return now
}

// model is one bucket of the documented GCRA, in big.Int.
type model struct {
	cfg     modelConfig
	version int // bumped by SetLimit and SetBurst, which void reservations
	tat     *big.Int
	// deferred is the latest deferral's instant (nil: none), carried
	// through a limit <= 0, where time stands still and the TAT holds
	// tokens only; going into one also records the next event's time.
	deferred *big.Int
}

func (m *model) raiseDeferred(t *big.Int) {
	if t != nil && (m.deferred == nil || t.Cmp(m.deferred) > 0) {
		m.deferred = new(big.Int).Set(t)
	}
}

func bigMax(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return new(big.Int).Set(a)
	}
	return new(big.Int).Set(b)
}

func add(xs ...*big.Int) *big.Int {
	s := new(big.Int)
	for _, x := range xs {
		s.Add(s, x)
	}
	return s
}

func sub(a, b *big.Int) *big.Int { return new(big.Int).Sub(a, b) }
func bi(x int64) *big.Int        { return big.NewInt(x) }

func (m *model) tokens(now *big.Int) float64 {
	if m.cfg.mode == 'u' {
		return float64(m.cfg.burst)
	}
	debt := bigMax(sub(m.tat, m.cfg.clock(now)), bi(0))
	left := sub(m.cfg.tau, debt)
	if !left.IsInt64() {
		panic(fmt.Sprintf("model: tau - debt = %v does not fit an int64", left))
	}
	return float64(left.Int64()) / float64(m.cfg.interval)
}

func (m *model) cost(n int) *big.Int { return new(big.Int).Mul(bi(int64(n)), bi(m.cfg.interval)) }

// allow is AllowN's decision: take n tokens if they fit now.
func (m *model) allow(now *big.Int, n int) bool {
	if m.cfg.mode == 'u' {
		return m.tat.Sign() <= 0 || now.Cmp(m.tat) >= 0
	}
	if n > m.cfg.burst {
		return false
	}
	clk := m.cfg.clock(now)
	newTat := add(bigMax(m.tat, clk), m.cost(n))
	if sub(newTat, clk).Cmp(m.cfg.tau) > 0 {
		return false
	}
	m.tat = newTat
	return true
}

type modelReservation struct {
	ok       bool
	version  int
	unlimit  bool
	tat      *big.Int
	cost     *big.Int
	act      *big.Int
	canceled bool
}

// reserve is ReserveN: book whatever the delay, up to maxDelay.
func (m *model) reserve(now *big.Int, n int) modelReservation {
	switch {
	case m.cfg.mode == 'u':
		return modelReservation{ok: true, unlimit: true, act: bigMax(now, m.tat)}
	case n > m.cfg.burst:
		return modelReservation{}
	case m.cfg.mode == 'z':
		before := new(big.Int).Set(m.tat)
		if !m.allow(now, n) {
			return modelReservation{}
		}
		_ = before
		return modelReservation{ok: true, version: m.version, tat: new(big.Int).Set(m.tat), cost: m.cost(n), act: new(big.Int).Set(now)}
	}
	newTat := add(bigMax(m.tat, now), m.cost(n))
	delay := bigMax(sub(sub(newTat, m.cfg.tau), now), bi(0))
	if delay.Cmp(bi(maxDelay)) > 0 {
		return modelReservation{}
	}
	m.tat = newTat
	return modelReservation{ok: true, version: m.version, tat: new(big.Int).Set(newTat), cost: m.cost(n), act: add(now, delay)}
}

// cancel is Reservation.Cancel: all back if nothing was booked after it,
// its time to act has not passed and the config is the one it was made
// under; once only, whatever the outcome.
func (m *model) cancel(now *big.Int, r *modelReservation) {
	canceled := r.canceled
	r.canceled = true
	if !r.ok || r.unlimit || canceled || now.Cmp(r.act) > 0 || r.version != m.version || m.tat.Cmp(r.tat) != 0 {
		return
	}
	m.tat = sub(m.tat, r.cost)
}

// deferTAT is the TAT that admits nothing before until (> now, cut to
// maxDelay ahead) and the first event at it.
func (c modelConfig) deferTAT(until, now *big.Int) *big.Int {
	d := sub(until, now)
	if d.Cmp(bi(maxDelay)) > 0 {
		d = bi(maxDelay)
	}
	switch c.mode {
	case 'u':
		return add(now, d)
	case 'z':
		return add(c.frozenAt, c.tau)
	}
	return sub(add(now, d, c.tau), bi(c.interval))
}

func (m *model) deferUntil(now, until *big.Int) {
	if until.Cmp(now) <= 0 {
		return
	}
	m.raiseDeferred(until)
	m.tat = bigMax(m.tat, m.cfg.deferTAT(until, now))
}

// reconfigure is SetLimit and SetBurst: the tokens are kept (capped at the
// new burst), a bucket in debt keeps the time of its next event, Inf drops
// the debt.
func (m *model) reconfigure(now *big.Int, to modelConfig) {
	from := m.cfg
	m.cfg, m.version = to, m.version+1
	if to.mode == 'u' {
		m.tat = bi(0)
		return
	}
	var tokens float64
	var next *big.Int
	switch from.mode {
	case 'u':
		tokens = float64(to.burst)
		if m.tat.Cmp(now) > 0 {
			tokens, next = 0, m.tat
		}
	case 'z':
		m.cfg = from
		tokens = m.tokens(now)
		m.cfg = to
		next = m.deferred
	case 'f':
		m.cfg = from
		tokens = m.tokens(now)
		m.cfg = to
		if tokens < 1 {
			next = add(sub(m.tat, from.tau), bi(from.interval))
		}
	}
	capped := min(max(tokens, 0), float64(to.burst))
	switch {
	case to.mode == 'z':
		if next != nil && next.Cmp(now) > 0 {
			capped = 0
		}
		m.tat = sub(add(now, to.tau), bi(int64(capped)))
		m.raiseDeferred(next)
	case next != nil && next.Cmp(now) > 0:
		m.tat = to.deferTAT(next, now)
	default:
		m.tat = sub(add(now, to.tau), bi(int64(capped*float64(to.interval))))
	}
}

// pick reads the next byte of the operations, 0 past their end.
type opReader struct {
	ops []byte
	i   int
}

func (r *opReader) next() byte {
	if r.i >= len(r.ops) {
		return 0
	}
	r.i++
	return r.ops[r.i-1]
}

func FuzzALimiterAtExtremeValuesMatchesABigIntModel(f *testing.F) {
	f.Add(byte(6), byte(5), []byte{3, 0, 0, 1, 1, 2})
	f.Add(byte(7), byte(5), []byte{4, 7, 0, 5, 1, 5, 1, 5, 1, 0, 5})
	f.Add(byte(0), byte(4), []byte{5, 3, 4, 2, 1, 1, 6, 1, 3, 9, 0, 0})
	f.Add(byte(10), byte(2), []byte{4, 8, 0, 2, 7, 6, 5, 4, 0, 1})
	f.Add(byte(11), byte(7), []byte{6, 3, 1, 0, 7, 5, 0, 0, 3, 8, 2, 1})
	f.Add(byte(9), byte(5), []byte{1, 5, 1, 5, 1, 5, 2, 0, 4, 9, 0, 2, 3, 9})
	f.Fuzz(func(t *testing.T, limitSel, burstSel byte, ops []byte) {
		synctest.Test(t, func(t *testing.T) {
			runExtremeOps(t, limitSel, burstSel, ops)
		})
	})
}

// TestALimiterAtExtremeValuesMatchesABigIntModel runs the fuzz test's
// operations over pseudo-random sequences, so that plain go test covers
// far more than the seed corpus.
func TestALimiterAtExtremeValuesMatchesABigIntModel(t *testing.T) {
	x := uint64(12)
	rnd := func() byte { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return byte(x) }
	for range 400 {
		limitSel, burstSel := rnd(), rnd()
		ops := make([]byte, 60)
		for i := range ops {
			ops[i] = rnd()
		}
		synctest.Test(t, func(t *testing.T) {
			runExtremeOps(t, limitSel, burstSel, ops)
		})
	}
}

func runExtremeOps(t *testing.T, limitSel, burstSel byte, ops []byte) {
	start := time.Now()
	now := func() *big.Int { return bi(int64(time.Since(start))) }
	lim := extremeLimit(limitSel)
	burst := extremeBurst(burstSel, lim.interval)
	cfg := newModelConfig(lim, burst, bi(0))
	if !cfg.valid() {
		burst = int(maxTau / lim.interval)
		cfg = newModelConfig(lim, burst, bi(0))
	}
	l := ratelimit.New(lim.limit, burst)
	k := ratelimit.NewKeyed[int](lim.limit, burst)
	m := &model{cfg: cfg, tat: bi(0)}
	km := &model{cfg: cfg, tat: bi(0)}
	type booking struct {
		got  ratelimit.Reservation
		want modelReservation
	}
	var bookings []booking
	r := &opReader{ops: ops}
	for step := 0; r.i < len(ops); step++ {
		op, arg := r.next(), r.next()
		at := fmt.Sprintf("inputs (%d, %d, %v): step %d (op %d, arg %d) at %v, limit %v, burst %d", limitSel, burstSel, ops, step, op%8, arg, time.Since(start), float64(m.cfg.limit), m.cfg.burst)
		n := []int{1, 2, m.cfg.burst, max(1, m.cfg.burst-1), m.cfg.burst + 1, m.cfg.burst/2 + 1}[int(arg)%6]
		switch op % 8 {
		case 0: // AllowN, on both
			if got, want := l.AllowN(n), m.allow(now(), n); got != want {
				t.Fatalf("%s: AllowN(%d) = %v, the model says %v", at, n, got, want)
			}
			if km.cfg.mode != 'u' || n <= km.cfg.burst { // Keyed under Inf: as Limiter
				if got, want := k.AllowN(0, n), km.allow(now(), n); got != want {
					t.Fatalf("%s: Keyed.AllowN(%d) = %v, the model says %v", at, n, got, want)
				}
			}
		case 1: // ReserveN
			got, want := l.ReserveN(n), m.reserve(now(), n)
			if got.OK() != want.ok {
				t.Fatalf("%s: ReserveN(%d).OK() = %v, the model says %v", at, n, got.OK(), want.ok)
			}
			if want.ok {
				if d := time.Duration(sub(want.act, now()).Int64()); got.Delay() != max(0, d) {
					t.Fatalf("%s: ReserveN(%d).Delay() = %v, the model says %v", at, n, got.Delay(), max(0, d))
				}
			}
			bookings = append(bookings, booking{got, want})
		case 2: // Cancel one of the bookings
			if len(bookings) > 0 {
				b := &bookings[int(arg)%len(bookings)]
				b.got.Cancel()
				m.cancel(now(), &b.want)
			}
		case 3: // DeferUntil, on both
			offset := []int64{-int64(time.Second), 0, 1, m.cfg.interval, m.cfg.tau.Int64(), 1 << 60, maxDelay, maxDelay + 1, int64(200 * year), math.MaxInt64 - int64(time.Since(start))}[int(arg)%10]
			offset = min(offset, math.MaxInt64-int64(time.Since(start))) // a time.Duration from start
			until := start.Add(time.Since(start) + time.Duration(offset))
			l.DeferUntil(until)
			m.deferUntil(now(), add(now(), bi(offset)))
			k.DeferUntil(0, until)
			km.deferUntil(now(), add(now(), bi(offset)))
		case 4: // sleep, keeping the clock below 2^61, the range documented
			step := []int64{0, 1, m.cfg.interval - 1, m.cfg.interval, m.cfg.interval + 1, m.cfg.tau.Int64() / 2, m.cfg.tau.Int64(), 1 << 40, 1 << 55, 1 << 60}[int(arg)%10]
			if elapsed := int64(time.Since(start)); step > 0 && elapsed < 1<<61-step {
				time.Sleep(time.Duration(step))
			}
		case 5: // SetLimit
			to := extremeLimit(arg)
			next := newModelConfig(to, m.cfg.burst, now())
			setAndCompare(t, at, next.valid(), func() { l.SetLimit(to.limit) }, func() { m.reconfigure(now(), next) })
		case 6: // SetBurst
			b := extremeBurst(arg, m.cfg.interval)
			next := newModelConfig(m.cfg.modelLimit, b, now())
			setAndCompare(t, at, next.valid(), func() { l.SetBurst(b) }, func() { m.reconfigure(now(), next) })
		case 7: // Keyed.WaitN with a deadline 1ns away: admitted now or not at all
			ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Nanosecond))
			err := k.WaitN(ctx, 0, n)
			cancel()
			want := keyedWaitModel(km, now(), n)
			if !errors.Is(err, want) || (err == nil) != (want == nil) {
				t.Fatalf("%s: Keyed.WaitN(%d) = %v, the model says %v", at, n, err, want)
			}
		}
		if got, want := l.Tokens(), m.tokens(now()); got != want {
			t.Fatalf("%s: Tokens() = %v, the model says %v", at, got, want)
		}
		if got, want := k.Tokens(0), km.tokens(now()); got != want {
			t.Fatalf("%s: Keyed.Tokens() = %v, the model says %v", at, got, want)
		}
		if m.cfg.mode != 'u' && sub(m.tat, now()).Cmp(bi(1<<62)) > 0 {
			t.Fatalf("%s: the TAT runs %v ahead of now, more than 2^62", at, sub(m.tat, now()))
		}
	}
}

// setAndCompare runs a SetLimit or SetBurst: it must panic exactly when
// the model says the new config is invalid, and then change nothing.
func setAndCompare(t *testing.T, at string, valid bool, set, model func()) {
	t.Helper()
	panicked := func() (p bool) {
		defer func() { p = recover() != nil }()
		set()
		return false
	}()
	if panicked == valid {
		t.Fatalf("%s: panicked %v, the model says valid %v", at, panicked, valid)
	}
	if valid {
		model()
	}
}

// keyedWaitModel is Keyed.WaitN with a deadline 1ns away on the model.
func keyedWaitModel(m *model, now *big.Int, n int) error {
	switch {
	case m.cfg.mode == 'u':
		if m.tat.Cmp(now) <= 0 {
			return nil
		}
		return ratelimit.ErrWouldExceedDeadline
	case n > m.cfg.burst:
		return ratelimit.ErrExceedsBurst
	case m.cfg.mode == 'z':
		if m.allow(now, n) {
			return nil
		}
		return ratelimit.ErrZeroLimit
	}
	before := new(big.Int).Set(m.tat)
	r := m.reserve(now, n)
	if r.ok && r.act.Cmp(now) == 0 {
		return nil
	}
	m.tat = before // not booked: the delay passes the deadline, or maxDelay
	return ratelimit.ErrWouldExceedDeadline
}
