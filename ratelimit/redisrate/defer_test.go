package redisrate_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// fanout pushes back a Rate that is a Deferrer and a PerKey limiter that
// is a KeyedDeferrer when a call returns fanout.RetryAfter.
var (
	_ ratelimit.Deferrer              = (*redisrate.Limiter)(nil)
	_ ratelimit.KeyedDeferrer[string] = (*redisrate.Keyed)(nil)
)

func TestDeferUntilHoldsEveryReplicaBackUntilT(t *testing.T) {
	ctx := t.Context()
	key := freshKey(t)
	a := redisrate.New(newClient(t, redisAddr), key, ratelimit.Every(hour), 3, patient)
	b := redisrate.New(newClient(t, redisAddr), key, ratelimit.Every(hour), 3, patient)

	a.DeferUntil(time.Now().Add(10 * hour))

	res, err := b.Allow(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Allowed, "the other replica admits nothing before t")
	near(t, res.RetryAfter, 10*hour, "retry after")
	// From t the bucket refills from one token: the first event at t, the
	// next one interval later.
	first, err := b.ReserveN(ctx, 1, -1)
	require.NoError(t, err)
	near(t, first.Delay(), 10*hour, "first event")
	second, err := a.ReserveN(ctx, 1, -1)
	require.NoError(t, err)
	near(t, second.Delay(), 11*hour, "second event")
}

func TestDeferUntilNeverBringsTheScheduleForward(t *testing.T) {
	ctx := t.Context()
	l := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Every(hour), 1, patient)
	for range 3 { // the bucket's one token, then two events booked ahead
		_, err := l.ReserveN(ctx, 1, -1)
		require.NoError(t, err)
	}
	l.DeferUntil(time.Now().Add(hour / 2)) // covered by the bookings
	l.DeferUntil(time.Now().Add(-hour))    // past
	res, err := l.Allow(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Allowed)
	near(t, res.RetryAfter, 3*hour, "retry after, as booked")
}

func TestKeyedDeferUntilLeavesTheOtherKeysAlone(t *testing.T) {
	ctx := t.Context()
	k := redisrate.NewKeyed(newClient(t, redisAddr), freshKey(t)+":", ratelimit.Every(hour), 2, patient)
	k.DeferUntil("slow", time.Now().Add(5*hour))
	res, err := k.Allow(ctx, "slow")
	require.NoError(t, err)
	assert.Zero(t, res.Allowed)
	near(t, res.RetryAfter, 5*hour, "retry after")
	res, err = k.Allow(ctx, "other")
	require.NoError(t, err)
	assert.Equal(t, 1, res.Allowed)
}

func TestDeferUntilReachesFailLocalsLimiter(t *testing.T) {
	// Nothing listens on port 1: the round trip fails, and the deferral
	// still holds the fallback back.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	l := redisrate.New(c, "down", 10, 3, redisrate.OnFailure(redisrate.FailLocal(1)))
	l.DeferUntil(time.Now().Add(hour))
	res, err := l.Allow(t.Context())
	require.NoError(t, err)
	assert.True(t, res.Degraded)
	assert.Zero(t, res.Allowed, "the local limiter is deferred too")
}

func TestDeferUntilUnderInfDoesNothing(t *testing.T) {
	l := redisrate.New(newClient(t, redisAddr), freshKey(t), ratelimit.Inf, 1, patient)
	l.DeferUntil(time.Now().Add(hour))
	res, err := l.Allow(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 1, res.Allowed)
}

func TestFanoutsRetryAfterHoldsBackTheOtherReplicas(t *testing.T) {
	ctx := t.Context()
	key := freshKey(t)
	mine := redisrate.New(newClient(t, redisAddr), key, ratelimit.Every(hour), 5, patient)
	theirs := redisrate.New(newClient(t, redisAddr), key, ratelimit.Every(hour), 5, patient)

	tooMany := errors.New("429 Too Many Requests")
	results, err := fanout.Map(ctx, []int{1}, func(context.Context, int) (int, error) {
		return 0, fanout.RetryAfter(tooMany, 10*hour)
	}, fanout.Pace(mine), fanout.Attempts(1), fanout.CollectAll())
	require.ErrorIs(t, err, tooMany)
	require.ErrorIs(t, results[0].Err, tooMany)

	res, err := theirs.Allow(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Allowed, "another replica's fan-out was told to come back later")
	near(t, res.RetryAfter, 10*hour, "retry after")
}
