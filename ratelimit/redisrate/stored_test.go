package redisrate_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// serverNow is the server's clock, which the script reads.
func serverNow(t testing.TB, c *redis.Client) time.Time {
	t.Helper()
	now, err := c.Time(context.Background()).Result()
	require.NoError(t, err)
	return now
}

// A value that has the shape of a TAT but that no call could have written
// is reported, as a value of another shape is, under every policy: a limit
// that blocks a key for centuries, or answers with a negative ResetAfter,
// without a word, is a misconfiguration that nothing else would show.
func TestAnImplausibleStoredValueIsAnErrorUnderEveryPolicy(t *testing.T) {
	c := newClient(t, redisAddr)
	now := serverNow(t, c).Unix()
	for _, tc := range []struct {
		name, value string
		ttl         time.Duration // 0: no expiry
	}{
		{"nanoseconds past a second", "1:99999999999999999999999", 0},
		{"260 years ahead", "9999999999:0", 0},
		{"260 years ahead, expiring as it says", "9999999999:0", 260 * 365 * 24 * time.Hour},
		{"beyond 2^53ns ahead, expiring as it says", fmt.Sprintf("%d:0", now+105*24*3600), 106 * 24 * time.Hour},
		{"an hour ahead of a key that never expires", fmt.Sprintf("%d:0", now+3600), 0},
		{"an hour ahead of a key that expires in a minute", fmt.Sprintf("%d:0", now+3600), time.Minute},
	} {
		for _, p := range []redisrate.Policy{redisrate.FailClosed(), redisrate.FailOpen(), redisrate.FailLocal(1)} {
			key := freshKey(t)
			require.NoError(t, c.Set(t.Context(), key, tc.value, tc.ttl).Err())
			l := redisrate.New(c, key, ratelimit.Every(hour), 2, redisrate.OnFailure(p), patient)
			what := fmt.Sprintf("%s (%q, ttl %v), policy %+v", tc.name, tc.value, tc.ttl, p)

			res, err := l.Allow(t.Context())
			require.Error(t, err, "%s: Allow = %+v", what, res)
			assert.NotErrorIs(t, err, redisrate.ErrUnavailable, what)
			assert.Contains(t, err.Error(), key, what)
			assert.Zero(t, res, what)
			_, err = l.AllowAtMost(t.Context(), 2)
			assert.Error(t, err, "%s: AllowAtMost", what)
			_, err = l.ReserveN(t.Context(), 1, -1)
			assert.Error(t, err, "%s: ReserveN", what)
			assert.Error(t, l.Wait(t.Context()), "%s: Wait", what)

			l.DeferUntil(time.Now().Add(hour))
			got, err := c.Get(t.Context(), key).Result()
			require.NoError(t, err)
			assert.Equal(t, tc.value, got, "%s: no call rewrites a value it cannot read", what)
		}
	}
}

// Values that a limiter could have written are honoured, whoever wrote
// them: a TAT in the past is a full bucket, even on a key that never
// expires, and one ahead by no more than its key's expiry is a debt.
func TestAPlausibleStoredValueIsHonoured(t *testing.T) {
	c := newClient(t, redisAddr)
	now := serverNow(t, c).Unix()

	past := freshKey(t)
	require.NoError(t, c.Set(t.Context(), past, fmt.Sprintf("%d:999999999", now-60), 0).Err())
	res, err := redisrate.New(c, past, ratelimit.Every(hour), 2, patient).AllowN(t.Context(), 2)
	require.NoError(t, err, "a TAT a minute ago")
	assert.Equal(t, 2, res.Allowed, "a TAT in the past is a full bucket")
	assert.Positive(t, pttl(t, c, past), "the write gave the key its expiry")

	ahead := freshKey(t)
	require.NoError(t, c.Set(t.Context(), ahead, fmt.Sprintf("%d:0", now+30*60), 30*time.Minute).Err())
	res, err = redisrate.New(c, ahead, ratelimit.Every(hour), 1, patient).Allow(t.Context())
	require.NoError(t, err, "a TAT 30 minutes ahead, expiring then")
	assert.Zero(t, res.Allowed)
	near(t, res.RetryAfter, 30*time.Minute, "retry after")
	near(t, res.ResetAfter, 30*time.Minute, "reset after")
}

// No call writes a TAT beyond 2^53ns (about 104 days) ahead, the most a
// Lua number holds exactly and the most the script accepts back: a
// reservation that would is refused, a deferral is cut, and the key stays
// readable either way.
func TestNoCallBooksBeyondWhatTheScriptAcceptsBack(t *testing.T) {
	ctx := t.Context()
	const day = 24 * time.Hour
	l := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(day), 1, patient)
	// 2^53ns is 104.2 days: the 105th reservation, due in 104 days, would
	// put the TAT 105 days ahead.
	for i := range 104 {
		r, err := l.ReserveN(ctx, 1, -1)
		require.NoError(t, err)
		require.True(t, r.OK(), "reservation %d", i+1)
	}
	r, err := l.ReserveN(ctx, 1, -1)
	require.NoError(t, err)
	assert.False(t, r.OK(), "a reservation 105 days ahead is refused")
	assert.ErrorIs(t, l.Wait(ctx), ratelimit.ErrWouldExceedDeadline, "so is a wait for it")
	res, err := l.Allow(ctx)
	require.NoError(t, err, "the key is still the limiter's")
	near(t, res.ResetAfter, 104*day, "reset after")

	d := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(hour), 2, patient)
	d.DeferUntil(time.Now().Add(1000 * day))
	res, err = d.Allow(ctx)
	require.NoError(t, err, "a deferral far ahead is cut, not stored as it was asked")
	assert.Zero(t, res.Allowed)
	// The TAT is cut to 2^53ns; one event fits once it is within the burst.
	assert.InDelta(t, time.Duration(1<<53)-hour, res.RetryAfter, float64(time.Minute), "retry after")
}

// FuzzStoredValue stores whatever the fuzzer gives in a limiter's key
// (value "@S:NS" means "S seconds from the server's now, NS
// nanoseconds"), with an expiry or none, and runs one call. Either the call
// reports the value (not as an outage) and leaves it alone, or it answers
// within the limiter's bounds and leaves a value that the next call reads
// too.
func FuzzStoredValue(f *testing.F) {
	for _, v := range []string{
		"1:99999999999999999999999", "9999999999:0", "", ":", "1:", ":1", "x:1", "1:x", "-1:0", "1:-1",
		"1.5:0", "1e9:0", "0:0", " 1:0", "1:0 ", "1:0\n", "@0:0", "@-60:0", "@60:0", "@3600:0", "@9000000:0",
		"@1:999999999", "@1:1000000000", "@0:00000000000000000001",
	} {
		for _, ttl := range []int64{0, 1000, 3600_000} {
			f.Add(v, ttl, byte(0))
		}
	}
	f.Add("@60:0", int64(60_000), byte(1))
	f.Add("@60:0", int64(60_000), byte(2))
	f.Add("@60:0", int64(60_000), byte(3))
	f.Add("@60:0", int64(0), byte(4))
	const burst = 3
	f.Fuzz(func(t *testing.T, value string, ttlMs int64, op byte) {
		ctx := t.Context()
		c := newClient(t, redisAddr)
		if rel, ok := strings.CutPrefix(value, "@"); ok {
			if s, ns, ok := strings.Cut(rel, ":"); ok {
				if off, err := strconv.ParseInt(s, 10, 32); err == nil {
					value = strconv.FormatInt(serverNow(t, c).Unix()+off, 10) + ":" + ns
				}
			}
		}
		key := freshKey(t)
		ttl := time.Duration(max(0, ttlMs%(1<<40))) * time.Millisecond
		require.NoError(t, c.Set(ctx, key, value, ttl).Err())
		l := redisrate.New(c, key, ratelimit.Every(time.Minute), burst, patient)

		var (
			res redisrate.Result
			err error
			n   = 1 + int(op>>3)%burst
		)
		switch op % 5 {
		case 0:
			res, err = l.AllowN(ctx, n)
		case 1:
			res, err = l.AllowAtMost(ctx, n)
		case 2:
			var r redisrate.Reservation
			r, err = l.ReserveN(ctx, n, -1)
			res = r.Result
			if err == nil {
				require.LessOrEqual(t, r.Delay(), time.Duration(1<<53), "delay")
				require.NoError(t, r.Cancel(ctx))
			}
		case 3:
			// Long enough for the round trip, short enough that most waits
			// would exceed it and return at once.
			wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err = l.WaitN(wctx, n)
			cancel()
			if errors.Is(err, ratelimit.ErrWouldExceedDeadline) {
				err = nil
			}
		case 4:
			l.DeferUntil(time.Now().Add(time.Duration(op) * time.Minute))
			res, err = l.AllowAtMost(ctx, n)
		}
		after, getErr := c.Get(ctx, key).Result()
		if err != nil {
			require.NotErrorIs(t, err, redisrate.ErrUnavailable, "%q: a corrupt value is no outage", value)
			require.ErrorContains(t, err, "not a redisrate TAT", "%q", value)
			require.Equal(t, value, after, "%q: a value that is reported is left alone", value)
			return
		}
		require.GreaterOrEqual(t, res.Allowed, 0, "%q: %+v", value, res)
		require.LessOrEqual(t, res.Allowed, n, "%q: %+v", value, res)
		require.GreaterOrEqual(t, res.Remaining, 0, "%q: %+v", value, res)
		require.LessOrEqual(t, res.Remaining, burst, "%q: %+v", value, res)
		for _, d := range []time.Duration{res.RetryAfter, res.ResetAfter} {
			require.GreaterOrEqual(t, d, time.Duration(0), "%q: %+v", value, res)
			require.LessOrEqual(t, d, time.Duration(1<<53), "%q: %+v", value, res)
		}
		if errors.Is(getErr, redis.Nil) {
			return // nothing admitted and the old value expired: a full bucket
		}
		require.NoError(t, getErr)
		_, err = l.AllowAtMost(ctx, 1)
		require.NoError(t, err, "%q became %q, which the next call must read", value, after)
	})
}
