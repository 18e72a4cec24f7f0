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

func TestResetStartsTheBucketFullOnEveryReplica(t *testing.T) {
	ctx := t.Context()
	c := newClient(t, redisAddr)
	key := freshKey(t)
	mine := redisrate.New(c, key, ratelimit.Every(hour), 2, patient)
	theirs := redisrate.New(newClient(t, redisAddr), key, ratelimit.Every(hour), 2, patient)

	_, err := mine.AllowN(ctx, 2)
	require.NoError(t, err)
	booked, err := mine.ReserveN(ctx, 1, -1)
	require.NoError(t, err)
	near(t, booked.Delay(), hour, "a booking an hour ahead")
	mine.DeferUntil(time.Now().Add(10 * hour))

	require.NoError(t, mine.Reset(ctx))
	n, err := c.Exists(ctx, key).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "the key is gone")
	res, err := theirs.AllowN(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Allowed, "the other replica sees a full bucket")

	require.NoError(t, booked.Cancel(ctx))
	res, err = theirs.Allow(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Allowed, "a booking from before the reset gives nothing back")
	require.NoError(t, mine.Reset(ctx), "resetting a full bucket is fine too")
}

// A key that the limiter reports as corrupt is cleared by Reset, as the
// error suggests.
func TestResetClearsAValueCallsReport(t *testing.T) {
	ctx := t.Context()
	c := newClient(t, redisAddr)
	for _, value := range []string{"9999999999:0", "not a time"} {
		key := freshKey(t)
		require.NoError(t, c.Set(ctx, key, value, 0).Err())
		l := redisrate.New(c, key, ratelimit.Every(hour), 1, patient)
		_, err := l.Allow(ctx)
		require.Error(t, err, "%q", value)
		require.NoError(t, l.Reset(ctx), "%q", value)
		res, err := l.Allow(ctx)
		require.NoError(t, err, "%q", value)
		assert.Equal(t, 1, res.Allowed, "%q", value)
	}
	hash := freshKey(t)
	require.NoError(t, c.HSet(ctx, hash, "f", "v").Err())
	require.NoError(t, redisrate.New(c, hash, 10, 1).Reset(ctx), "a key of another type")
	// Under Inf nothing reads the key, but Reset still deletes it.
	inf := freshKey(t)
	require.NoError(t, c.Set(ctx, inf, "x", 0).Err())
	require.NoError(t, redisrate.New(c, inf, ratelimit.Inf, 1).Reset(ctx))
	n, err := c.Exists(ctx, hash, inf).Result()
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestKeyedResetLeavesTheOtherKeysAlone(t *testing.T) {
	ctx := t.Context()
	k := redisrate.NewKeyed(newClient(t, redisAddr), freshKey(t)+":", ratelimit.Every(hour), 1, patient)
	for _, tenant := range []string{"a", "b"} {
		_, err := k.Allow(ctx, tenant)
		require.NoError(t, err)
	}
	require.NoError(t, k.Reset(ctx, "a"))
	res, err := k.Allow(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, 1, res.Allowed, "a was reset")
	res, err = k.Allow(ctx, "b")
	require.NoError(t, err)
	assert.Zero(t, res.Allowed, "b was not")
}

func TestResetFailsUnderEveryPolicyWhenRedisIsDownAndStillResetsFailLocal(t *testing.T) {
	ctx := t.Context()
	for _, p := range []redisrate.Policy{redisrate.FailClosed(), redisrate.FailOpen(), redisrate.FailLocal(1)} {
		err := redisrate.New(downClient{}, "k", 10, 2, redisrate.OnFailure(p)).Reset(ctx)
		assert.ErrorIs(t, err, redisrate.ErrUnavailable, "policy %+v", p)
		assert.ErrorIs(t, err, errDown, "policy %+v", p)
	}

	l := redisrate.New(downClient{}, "k", ratelimit.Every(hour), 2, redisrate.OnFailure(redisrate.FailLocal(1)))
	res, err := l.AllowN(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, 2, res.Allowed)
	require.True(t, res.Degraded)
	require.ErrorIs(t, l.Reset(ctx), redisrate.ErrUnavailable)
	res, err = l.AllowN(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Allowed, "the local limiter starts full")

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, l.Reset(canceled), context.Canceled, "a done ctx: no round trip, ctx's error")
	res, err = l.Allow(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Allowed, "and nothing reset")
}

// Losing the key is what Reset does on purpose: the bucket starts full, on
// top of what was admitted before (the package doc's warning, shown).
func TestAKeyThatRedisLosesStartsTheBucketFull(t *testing.T) {
	ctx := t.Context()
	c := newClient(t, redisAddr)
	key := freshKey(t)
	l := redisrate.New(c, key, ratelimit.Every(hour), 3, patient)
	res, err := l.AllowN(ctx, 3)
	require.NoError(t, err)
	require.Equal(t, 3, res.Allowed)
	require.NoError(t, c.Del(ctx, key).Err()) // as FLUSHALL, or a restart without persistence
	res, err = l.AllowN(ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, 3, res.Allowed, "a second burst within the hour")
}
