package redisrate_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// Slow limits (one event per hour) make every expected duration exact up to
// the few milliseconds a test takes, so tests can check them with a margin
// of a minute and never depend on the machine's speed.
const hour = time.Hour

func near(t *testing.T, got, want time.Duration, what string) {
	t.Helper()
	assert.InDelta(t, want, got, float64(time.Minute), "%s: got %v, want about %v", what, got, want)
}

func TestAllowAdmitsTheBurstThenDenies(t *testing.T) {
	ctx := t.Context()
	l := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(hour), 5, patient)
	for i := range 5 {
		res, err := l.Allow(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, res.Allowed, "call %d of a burst of 5", i+1)
		assert.Equal(t, 4-i, res.Remaining, "remaining after call %d", i+1)
		assert.Zero(t, res.RetryAfter)
		near(t, res.ResetAfter, time.Duration(i+1)*hour, "reset after")
		assert.False(t, res.Degraded)
	}
	res, err := l.Allow(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, res.Allowed, "the 6th call of a burst of 5")
	assert.Equal(t, 0, res.Remaining)
	near(t, res.RetryAfter, hour, "retry after")
	near(t, res.ResetAfter, 5*hour, "reset after")
}

func TestAllowNIsAllOrNothing(t *testing.T) {
	ctx := t.Context()
	l := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(hour), 10, patient)
	res, err := l.AllowN(ctx, 7)
	require.NoError(t, err)
	require.Equal(t, 7, res.Allowed)
	require.Equal(t, 3, res.Remaining)

	res, err = l.AllowN(ctx, 4)
	require.NoError(t, err)
	assert.Equal(t, 0, res.Allowed, "4 of 3 remaining")
	assert.Equal(t, 3, res.Remaining, "a denied AllowN takes nothing")
	near(t, res.RetryAfter, hour, "retry after for the one missing event")

	res, err = l.AllowN(ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, 3, res.Allowed)
	assert.Equal(t, 0, res.Remaining)
}

func TestAllowAtMostAdmitsWhatFits(t *testing.T) {
	ctx := t.Context()
	l := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(hour), 10, patient)
	for _, c := range []struct{ n, want int }{{7, 7}, {7, 3}, {1, 0}} {
		res, err := l.AllowAtMost(ctx, c.n)
		require.NoError(t, err)
		require.Equal(t, c.want, res.Allowed, "AllowAtMost(%d)", c.n)
		if c.want == 0 {
			near(t, res.RetryAfter, hour, "retry after for one event")
		}
	}

	fresh := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(hour), 10, patient)
	res, err := fresh.AllowAtMost(ctx, 15)
	require.NoError(t, err)
	assert.Equal(t, 10, res.Allowed, "AllowAtMost(15) with burst 10 on a full bucket")
}

func TestBadInputGetsTheCoreErrors(t *testing.T) {
	ctx := t.Context()
	l := redisrate.New(newClient(t, redisAddr), freshKey(t), 100, 3, patient)
	k := redisrate.NewKeyed(newClient(t, redisAddr), freshKey(t), 100, 3, patient)

	_, err := l.AllowN(ctx, 4)
	assert.ErrorIs(t, err, ratelimit.ErrExceedsBurst, "AllowN(4) with burst 3")
	_, err = l.ReserveN(ctx, 4, time.Hour)
	assert.ErrorIs(t, err, ratelimit.ErrExceedsBurst, "ReserveN(4) with burst 3")
	assert.ErrorIs(t, l.WaitN(ctx, 4), ratelimit.ErrExceedsBurst, "WaitN(4) with burst 3")
	assert.ErrorIs(t, k.WaitN(ctx, "a", 4), ratelimit.ErrExceedsBurst, "Keyed.WaitN(4) with burst 3")
	_, err = k.AllowN(ctx, "a", 4)
	assert.ErrorIs(t, err, ratelimit.ErrExceedsBurst, "Keyed.AllowN(4) with burst 3")

	var w ratelimit.Waiter = l
	assert.ErrorIs(t, w.WaitN(ctx, 4), ratelimit.ErrExceedsBurst, "through ratelimit.Waiter")
}

func TestInfAdmitsEverythingWithoutRedis(t *testing.T) {
	// A client that cannot connect: Inf must not need it.
	l := redisrate.New(newClient(t, "127.0.0.1:1"), "k", ratelimit.Inf, 2)
	for _, n := range []int{1, 2, 1000} { // as in the core, the burst does not bound n
		res, err := l.AllowN(t.Context(), n)
		require.NoError(t, err, "AllowN(%d)", n)
		assert.Equal(t, n, res.Allowed, "AllowN(%d)", n)
		res, err = l.AllowAtMost(t.Context(), n)
		require.NoError(t, err, "AllowAtMost(%d)", n)
		assert.Equal(t, n, res.Allowed, "AllowAtMost(%d)", n)
		r, err := l.ReserveN(t.Context(), n, 0)
		require.NoError(t, err, "ReserveN(%d)", n)
		assert.True(t, r.OK(), "ReserveN(%d)", n)
		assert.Zero(t, r.Delay(), "ReserveN(%d)", n)
		require.NoError(t, l.WaitN(t.Context(), n), "WaitN(%d)", n)
		assert.True(t, ratelimit.New(ratelimit.Inf, 2).AllowN(n), "the core's AllowN(%d) under Inf", n)
	}
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, l.WaitN(canceled, 1), context.Canceled, "a done ctx wins over Inf, as in the core's WaitN")
	assert.ErrorIs(t, ratelimit.New(ratelimit.Inf, 2).WaitN(canceled, 1), context.Canceled, "the core's WaitN")
}

// The errors of a redisrate Limiter and of a core Limiter are the same
// sentinels: code behind a ratelimit.Waiter needs one errors.Is.
func TestWaitErrorsAreTheCoreSentinels(t *testing.T) {
	ctx := t.Context()
	waiters := map[string]ratelimit.Waiter{
		"redisrate": redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(hour), 2, patient),
		"ratelimit": ratelimit.New(ratelimit.Every(hour), 2),
	}
	for name, w := range waiters {
		require.ErrorIs(t, w.WaitN(ctx, 3), ratelimit.ErrExceedsBurst, "%s: WaitN(3) with burst 2", name)
		require.NoError(t, w.WaitN(ctx, 2), "%s: the full bucket", name)

		short, cancel := context.WithTimeout(ctx, time.Minute)
		err := w.WaitN(short, 1)
		cancel()
		require.ErrorIs(t, err, ratelimit.ErrWouldExceedDeadline, "%s: the next slot is an hour away", name)
		require.ErrorIs(t, err, context.DeadlineExceeded, "%s", name)

		canceled, cancel := context.WithCancel(ctx)
		cancel()
		require.ErrorIs(t, w.WaitN(canceled, 1), context.Canceled, "%s: a done ctx", name)
	}
}

func TestReserveNQueuesForSuccessiveSlots(t *testing.T) {
	ctx := t.Context()
	l := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(hour), 1, patient)

	r, err := l.ReserveN(ctx, 1, 0)
	require.NoError(t, err)
	require.True(t, r.OK())
	assert.Zero(t, r.Delay(), "first event on a full bucket")

	for i := 1; i <= 3; i++ {
		r, err = l.ReserveN(ctx, 1, 10*hour)
		require.NoError(t, err)
		require.True(t, r.OK(), "reservation %d", i)
		near(t, r.Delay(), time.Duration(i)*hour, "delay of reservation")
		near(t, r.ResetAfter, time.Duration(i+1)*hour, "reset after")
	}

	r, err = l.ReserveN(ctx, 1, 30*time.Minute)
	require.NoError(t, err)
	assert.False(t, r.OK(), "a reservation 4h out with maxWait 30m")
	assert.Zero(t, r.Delay())
	near(t, r.RetryAfter, 4*hour-30*time.Minute, "retry after")
	require.NoError(t, r.Cancel(ctx), "canceling a refused reservation does nothing")

	r, err = l.ReserveN(ctx, 1, -1)
	require.NoError(t, err)
	near(t, r.Delay(), 4*hour, "the refused reservation took nothing")
}

func TestCancelRefundsOnlyWhatNobodyReservedAfter(t *testing.T) {
	ctx := t.Context()
	c := newClient(t, redisAddr)
	l := redisrate.New(c, freshKey(t), ratelimit.Every(hour), 2, patient)
	reserve := func(n int) redisrate.Reservation {
		t.Helper()
		r, err := l.ReserveN(ctx, n, -1)
		require.NoError(t, err)
		require.True(t, r.OK())
		return r
	}
	reserve(2) // empty the bucket: the next events wait

	a := reserve(2)
	near(t, a.Delay(), 2*hour, "a")
	require.NoError(t, a.Cancel(ctx))
	near(t, reserve(1).Delay(), hour, "after a's full refund (nobody after it)")

	b := reserve(2) // TAT 2h -> 4h... b waits 3h
	near(t, b.Delay(), 3*hour, "b")
	c1 := reserve(1) // one event after b
	near(t, c1.Delay(), 4*hour, "c")
	require.NoError(t, b.Cancel(ctx)) // refund 2 - 1 = 1 event
	near(t, reserve(1).Delay(), 4*hour, "after b's partial refund")

	d := reserve(1)
	near(t, d.Delay(), 5*hour, "d")
	reserve(1)
	require.NoError(t, d.Cancel(ctx), "d has one event after it: nothing to give back")
	near(t, reserve(1).Delay(), 7*hour, "after d's cancel")

	fresh := redisrate.New(c, freshKey(t), ratelimit.Every(hour), 2, patient)
	spent, err := fresh.ReserveN(ctx, 1, 0)
	require.NoError(t, err)
	require.Zero(t, spent.Delay())
	require.NoError(t, spent.Cancel(ctx))
	res, err := fresh.AllowN(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, 0, res.Allowed, "a reservation whose time has come is spent: Cancel gives nothing back")
}

func TestWaitNReturnsAtOnceWhenTheDeadlineIsTooClose(t *testing.T) {
	l := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(hour), 1, patient)
	require.NoError(t, l.Wait(t.Context()), "a full bucket admits at once")

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	err := l.Wait(ctx)
	require.ErrorIs(t, err, ratelimit.ErrWouldExceedDeadline)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NoError(t, ctx.Err(), "it returned before the deadline")

	r, err := l.ReserveN(t.Context(), 1, -1)
	require.NoError(t, err)
	near(t, r.Delay(), hour, "the refused wait reserved nothing")
}

func TestWaitNCanceledGivesTheReservationBack(t *testing.T) {
	c := newClient(t, redisAddr)
	key := freshKey(t)
	l := redisrate.New(c, key, ratelimit.Every(hour), 1, patient)
	require.NoError(t, l.Wait(t.Context()))

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx) }()
	// The wait has reserved once the key's TTL reaches two intervals.
	for pttl(t, c, key) < hour+time.Minute {
		select {
		case err := <-done:
			t.Fatalf("Wait returned %v before it was canceled", err)
		default:
		}
		time.Sleep(time.Millisecond) // polling Redis state, not timing
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	r, err := l.ReserveN(t.Context(), 1, -1)
	require.NoError(t, err)
	near(t, r.Delay(), hour, "the canceled wait gave its slot back")
}

func TestWaitNOnACanceledContextReservesNothing(t *testing.T) {
	l := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(hour), 1, patient)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, l.Wait(ctx), context.Canceled)
	_, err := l.Allow(ctx)
	require.ErrorIs(t, err, context.Canceled)
	res, err := l.Allow(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 1, res.Allowed, "nothing was taken")
}

func TestKeyedKeysAreIndependent(t *testing.T) {
	ctx := t.Context()
	k := redisrate.NewKeyed(newClient(t, redisAddr), freshKey(t)+":", ratelimit.Every(hour), 2, patient)
	assert.Equal(t, ratelimit.Every(hour), k.Limit())
	assert.Equal(t, 2, k.Burst())
	for _, tenant := range []string{"a", "b"} {
		res, err := k.AllowN(ctx, tenant, 2)
		require.NoError(t, err)
		assert.Equal(t, 2, res.Allowed, "tenant %s", tenant)
	}
	res, err := k.Allow(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, 0, res.Allowed, "tenant a is empty")

	c, err := k.AllowAtMost(ctx, "c", 5)
	require.NoError(t, err)
	assert.Equal(t, 2, c.Allowed, "tenant c, at most 5 of burst 2")

	// The tenant's Limiter shares its bucket.
	la := k.Limiter("a")
	r, err := la.ReserveN(ctx, 1, -1)
	require.NoError(t, err)
	near(t, r.Delay(), hour, "tenant a through its Limiter")
	r, err = k.ReserveN(ctx, "a", 1, -1)
	require.NoError(t, err)
	near(t, r.Delay(), 2*hour, "tenant a through the Keyed")

	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	assert.ErrorIs(t, k.Wait(wctx, "a"), ratelimit.ErrWouldExceedDeadline)
	assert.NoError(t, k.WaitN(ctx, "d", 2))
}

func TestLimiterReportsItsSettings(t *testing.T) {
	l := redisrate.New(newClient(t, redisAddr), "the-key", 50, 7)
	assert.Equal(t, "the-key", l.Key())
	assert.Equal(t, ratelimit.Limit(50), l.Limit())
	assert.Equal(t, 7, l.Burst())
}

func TestAKeyHoldingSomethingElseIsAnErrorUnderEveryPolicy(t *testing.T) {
	c := newClient(t, redisAddr)
	notATime, hash := freshKey(t), freshKey(t)
	require.NoError(t, c.Set(t.Context(), notATime, "not a time", time.Minute).Err())
	require.NoError(t, c.HSet(t.Context(), hash, "f", "v").Err())
	for _, p := range []redisrate.Policy{redisrate.FailClosed(), redisrate.FailOpen(), redisrate.FailLocal(1)} {
		for _, key := range []string{notATime, hash} {
			l := redisrate.New(c, key, 10, 1, redisrate.OnFailure(p), patient)
			res, err := l.Allow(t.Context())
			require.Error(t, err, "key %s", key)
			assert.NotErrorIs(t, err, redisrate.ErrUnavailable, "a misconfiguration is no outage")
			assert.Contains(t, err.Error(), "WRONGTYPE")
			assert.Contains(t, err.Error(), key)
			assert.Zero(t, res.Allowed)
		}
	}
}

// *Limiter paces fanout and pipeline like the in-process limiter, and
// *Keyed paces fanout.PacePerKey like ratelimit.Keyed.
var (
	_ ratelimit.Waiter              = (*redisrate.Limiter)(nil)
	_ ratelimit.KeyedWaiter[string] = (*redisrate.Keyed)(nil)
)

// intervalOf used to round 1e9/limit up on its own, giving d+1 for about
// 7% of Every(d) (29ns, 58ns, 499283844ns): stricter than the core limiter,
// so the two disagreed on the same limit.
func TestTheIntervalIsTheCoreLimitersForEveryD(t *testing.T) {
	for _, d := range []time.Duration{1, 29, 58, 116, 499283844, time.Second} {
		l := redisrate.New(downClient{}, "k", ratelimit.Every(d), 1)
		assert.Equal(t, d, l.Limit().Interval(), "Every(%v)", d)
		assert.Equal(t, d, redisrate.IntervalOf(l), "Every(%v): the interval the script is given", d)
	}
}
