package redisrate_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// policies holds one limiter per failure policy, each on its own key.
type policies struct {
	closed, open *redisrate.Limiter
	local        *redisrate.Limiter // FailLocal(0.5) of 4/s, burst 4: 2/s, burst 2 locally
	slowLocal    *redisrate.Limiter // FailLocal(0.5) of 1/h, burst 4: 1 per 2h, burst 2 locally
	// The decisions that must not depend on how fast the machine runs use
	// slowLocal: 2 hours pass between two of its local events, where a
	// busy machine could let 500ms pass between two calls to local.
}

// newPolicies builds the limiters with a per-call timeout.
func newPolicies(t *testing.T, c *redis.Client, timeout time.Duration) policies {
	mk := func(limit ratelimit.Limit, p redisrate.Policy) *redisrate.Limiter {
		return redisrate.New(c, freshKey(t), limit, 4,
			redisrate.Timeout(timeout), redisrate.OnFailure(p))
	}
	return policies{
		closed:    mk(10, redisrate.FailClosed()),
		open:      mk(10, redisrate.FailOpen()),
		local:     mk(4, redisrate.FailLocal(0.5)),
		slowLocal: mk(ratelimit.Every(hour), redisrate.FailLocal(0.5)),
	}
}

func (p policies) all() []*redisrate.Limiter {
	return []*redisrate.Limiter{p.closed, p.open, p.local, p.slowLocal}
}

// checkUp asserts that every limiter decides through Redis. Give it
// limiters with a patient timeout: a busy machine may hold a round trip
// past a tight one, and the policy would decide instead.
func (p policies) checkUp(t *testing.T) {
	for _, l := range p.all() {
		res, err := l.Allow(t.Context())
		require.NoError(t, err, "while Redis is up")
		require.Equal(t, 1, res.Allowed, "while Redis is up")
		require.False(t, res.Degraded, "while Redis is up")
	}
}

// checkDown asserts what each policy does once Redis cannot answer. The
// local limiters start full: what Redis admitted is not carried over. Call it
// on fresh limiters, so that no timeout in checkUp has spent local tokens.
func (p policies) checkDown(t *testing.T) {
	ctx := t.Context()

	_, err := p.closed.Allow(ctx)
	require.ErrorIs(t, err, redisrate.ErrUnavailable, "FailClosed Allow")
	require.ErrorIs(t, p.closed.Wait(ctx), redisrate.ErrUnavailable, "FailClosed Wait")
	_, err = p.closed.ReserveN(ctx, 1, time.Second)
	require.ErrorIs(t, err, redisrate.ErrUnavailable, "FailClosed ReserveN")

	for range 6 { // more than the burst: FailOpen admits everything
		res, err := p.open.Allow(ctx)
		require.NoError(t, err, "FailOpen Allow")
		require.Equal(t, 1, res.Allowed, "FailOpen Allow")
		require.True(t, res.Degraded, "FailOpen Allow")
	}
	require.NoError(t, p.open.WaitN(ctx, 4), "FailOpen WaitN")

	res, err := p.local.AllowN(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, 2, res.Allowed, "FailLocal: the local burst of 2")
	require.True(t, res.Degraded)
	require.NoError(t, p.local.Wait(ctx), "FailLocal Wait waits for the local slot")

	slow := p.slowLocal
	res, err = slow.AllowAtMost(ctx, 4)
	require.NoError(t, err)
	require.Equal(t, 2, res.Allowed, "FailLocal AllowAtMost(4): the local burst of 2")
	res, err = slow.Allow(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, res.Allowed, "FailLocal: beyond the local burst")
	assert.True(t, res.Degraded)
	near(t, res.RetryAfter, 2*hour, "FailLocal retry after: one local interval")
	near(t, res.ResetAfter, 4*hour, "FailLocal reset after: two local intervals")
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	require.ErrorIs(t, slow.Wait(wctx), ratelimit.ErrWouldExceedDeadline, "FailLocal Wait past a deadline")
	r, err := slow.ReserveN(ctx, 1, -1)
	require.NoError(t, err)
	require.True(t, r.OK())
	require.True(t, r.Degraded)
	near(t, r.Delay(), 2*hour, "FailLocal reservation waits one local interval")
	require.NoError(t, r.Cancel(ctx))
	r, err = slow.ReserveN(ctx, 1, -1)
	require.NoError(t, err)
	near(t, r.Delay(), 2*hour, "FailLocal after the local refund")

	canceled, cancel2 := context.WithCancel(ctx)
	cancel2()
	for _, l := range p.all() {
		_, err := l.Allow(canceled)
		assert.ErrorIs(t, err, context.Canceled, "a done ctx wins over every policy")
	}
}

func TestEveryFailurePolicyWhenRedisIsKilled(t *testing.T) {
	srv := dedicatedRedis(t)
	c := newClient(t, srv.addr)
	newPolicies(t, c, 10*time.Second).checkUp(t)
	srv.kill()
	newPolicies(t, c, 100*time.Millisecond).checkDown(t)
}

func TestEveryFailurePolicyWhenRedisHangs(t *testing.T) {
	srv := dedicatedRedis(t)
	c := newClient(t, srv.addr)
	newPolicies(t, c, 10*time.Second).checkUp(t)
	srv.freeze() // sockets stay open, answers never come: only the timeout ends a call
	newPolicies(t, c, 100*time.Millisecond).checkDown(t)
}

func TestFailLocalKeepsOneLocalLimiterPerKey(t *testing.T) {
	srv := dedicatedRedis(t)
	k := redisrate.NewKeyed(newClient(t, srv.addr), "t:", ratelimit.Every(hour), 2,
		redisrate.OnFailure(redisrate.FailLocal(1)), redisrate.Timeout(5*time.Millisecond))
	srv.kill()
	keys := make([]string, 150) // enough to sweep the local map twice
	for i := range keys {
		keys[i] = string(rune('a'+i%26)) + string(rune('a'+i/26))
		res, err := k.AllowN(t.Context(), keys[i], 2)
		require.NoError(t, err)
		require.Equal(t, 2, res.Allowed, "key %q, its own local bucket", keys[i])
	}
	for _, key := range keys[:3] {
		res, err := k.Allow(t.Context(), key)
		require.NoError(t, err)
		require.Equal(t, 0, res.Allowed, "key %q is still empty after sweeps: sweeping drops only full buckets", key)
	}
}
