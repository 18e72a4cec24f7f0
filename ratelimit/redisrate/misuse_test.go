package redisrate_test

import (
	"context"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/ratelimit"
	"github.com/tandem-go/tandem/ratelimit/redisrate"
)

// A client that is nil only inside its interface passes a plain nil check;
// it must panic at the constructor, never at the first call.
func TestNewPanicsOnANilOrTypedNilClient(t *testing.T) {
	var (
		client  *redis.Client
		cluster *redis.ClusterClient
		ring    *redis.Ring
		mine    *downPointer
		shim    funcScripter
	)
	for name, c := range map[string]redisrate.Scripter{
		"nil": nil, "nil *redis.Client": client, "nil *redis.ClusterClient": cluster,
		"nil *redis.Ring": ring, "nil pointer Scripter": mine, "nil func Scripter": shim,
	} {
		assert.PanicsWithValue(t, "redisrate: New: nil client", func() { redisrate.New(c, "k", 10, 1) }, name)
		assert.PanicsWithValue(t, "redisrate: NewKeyed: nil client", func() { redisrate.NewKeyed(c, "k:", 10, 1) }, name)
		// Inf never calls the client, but a nil one is still a bug.
		assert.PanicsWithValue(t, "redisrate: New: nil client", func() { redisrate.New(c, "k", ratelimit.Inf, 1) }, "%s, Inf", name)
	}
}

// downPointer is a pointer Scripter, as a user's shim around another
// client would be.
type downPointer struct{ downClient }

// funcScripter is a Scripter that is a func type: a typed nil of a kind
// other than a pointer.
type funcScripter func() *redis.Cmd

func (f funcScripter) Eval(context.Context, string, []string, ...any) *redis.Cmd    { return f() }
func (f funcScripter) EvalSha(context.Context, string, []string, ...any) *redis.Cmd { return f() }

func TestNewPanicsOnSettingsItCannotHonour(t *testing.T) {
	c := downClient{}
	for _, tc := range []struct {
		name  string
		limit ratelimit.Limit
		burst int
		want  string // after "redisrate: New: "
	}{
		{"zero limit", 0, 1, "limit must be above 0 (a shared bucket that never refills is a quota, not a rate), got 0"},
		{"negative limit", -1, 1, "limit must be above 0 (a shared bucket that never refills is a quota, not a rate), got -1"},
		{"NaN limit", ratelimit.Limit(math.NaN()), 1, "limit must be above 0 (a shared bucket that never refills is a quota, not a rate), got NaN"},
		{"limit above 1e9/s", 2e9, 1, "limit must be at most 1e9 events/s (an interval of 1ns) or ratelimit.Inf, got 2e+09"},
		{"zero burst", 10, 0, "burst must be at least 1, got 0"},
		{"negative burst", 10, math.MinInt, "burst must be at least 1, got -9223372036854775808"},
		{"window over 2^53 ns", ratelimit.Every(24 * hour), 200, "burst/limit must be at most 2^53ns (about 104 days: Lua numbers are doubles), got burst 200 at limit 1.1574074074074073e-05"},
	} {
		assert.PanicsWithValue(t, "redisrate: New: "+tc.want, func() { redisrate.New(c, "k", tc.limit, tc.burst) }, tc.name)
		assert.PanicsWithValue(t, "redisrate: NewKeyed: "+tc.want, func() { redisrate.NewKeyed(c, "k:", tc.limit, tc.burst) }, "NewKeyed: %s", tc.name)
	}
	assert.PanicsWithValue(t,
		"redisrate: New: FailLocal(1e-300) of limit 1 is too small for a ratelimit.Limiter (one event in over 2^61ns, about 73 years), got a local limit of 1e-300",
		func() { redisrate.New(c, "k", 1, 1, redisrate.OnFailure(redisrate.FailLocal(1e-300))) },
		"a local limiter that could never admit fails at New, not at the first outage")
	assert.NotPanics(t, func() { redisrate.New(c, "k", ratelimit.Inf, 1, redisrate.OnFailure(redisrate.FailLocal(1e-300))) },
		"under Inf there is no local limiter to build")
}

func TestOptionsPanicOnValuesTheyCannotHonour(t *testing.T) {
	assert.PanicsWithValue(t, "redisrate: Timeout: d must not be negative, got -1ns", func() { redisrate.Timeout(-1) })
	assert.NotPanics(t, func() { redisrate.Timeout(0) }, "0 is the default: no per-call timer")
	for _, share := range []float64{0, -0.5, 1.5, math.NaN(), math.Inf(1)} {
		assert.Panics(t, func() { redisrate.FailLocal(share) }, "share %v", share)
	}
	assert.PanicsWithValue(t, "redisrate: FailLocal: share must be in (0, 1], got 1.5", func() { redisrate.FailLocal(1.5) })

	var nilOption redisrate.Option
	assert.PanicsWithValue(t, "redisrate: New: nil Option", func() {
		redisrate.New(downClient{}, "k", 10, 1, redisrate.Timeout(time.Second), nilOption)
	})
	assert.PanicsWithValue(t, "redisrate: NewKeyed: nil Option", func() {
		redisrate.NewKeyed(downClient{}, "k:", 10, 1, nilOption)
	})
}

// Every method that takes a ctx panics on a nil one with its own name, and
// every method that takes n panics on n < 1, before anything else: no
// round trip, whatever the limit.
func TestMethodsPanicOnANilContextOrNBelowOne(t *testing.T) {
	for _, limit := range []ratelimit.Limit{10, ratelimit.Inf} {
		l := redisrate.New(downClient{}, "k", limit, 3)
		k := redisrate.NewKeyed(downClient{}, "k:", limit, 3)
		var nilCtx context.Context
		ctx := t.Context()
		for name, call := range map[string]func(ctx context.Context, n int){
			"Limiter.Allow":       func(ctx context.Context, _ int) { _, _ = l.Allow(ctx) },
			"Limiter.AllowN":      func(ctx context.Context, n int) { _, _ = l.AllowN(ctx, n) },
			"Limiter.AllowAtMost": func(ctx context.Context, n int) { _, _ = l.AllowAtMost(ctx, n) },
			"Limiter.ReserveN":    func(ctx context.Context, n int) { _, _ = l.ReserveN(ctx, n, time.Second) },
			"Limiter.Wait":        func(ctx context.Context, _ int) { _ = l.Wait(ctx) },
			"Limiter.WaitN":       func(ctx context.Context, n int) { _ = l.WaitN(ctx, n) },
			"Limiter.Reset":       func(ctx context.Context, _ int) { _ = l.Reset(ctx) },
			"Keyed.Allow":         func(ctx context.Context, _ int) { _, _ = k.Allow(ctx, "a") },
			"Keyed.AllowN":        func(ctx context.Context, n int) { _, _ = k.AllowN(ctx, "a", n) },
			"Keyed.AllowAtMost":   func(ctx context.Context, n int) { _, _ = k.AllowAtMost(ctx, "a", n) },
			"Keyed.ReserveN":      func(ctx context.Context, n int) { _, _ = k.ReserveN(ctx, "a", n, time.Second) },
			"Keyed.Wait":          func(ctx context.Context, _ int) { _ = k.Wait(ctx, "a") },
			"Keyed.WaitN":         func(ctx context.Context, n int) { _ = k.WaitN(ctx, "a", n) },
			"Keyed.Reset":         func(ctx context.Context, _ int) { _ = k.Reset(ctx, "a") },
			"Reservation.Cancel": func(ctx context.Context, _ int) {
				var r redisrate.Reservation // not admitted: Cancel would do nothing, but nil is a bug
				_ = r.Cancel(ctx)
			},
		} {
			assert.PanicsWithValue(t, "redisrate: "+name+": nil context", func() { call(nilCtx, 1) }, "%s, limit %v", name, limit)
			for _, n := range []int{0, -1, math.MinInt} {
				switch name {
				case "Limiter.Allow", "Limiter.Wait", "Limiter.Reset", "Keyed.Allow", "Keyed.Wait", "Keyed.Reset", "Reservation.Cancel":
					continue // no n
				}
				assert.PanicsWithValue(t, "redisrate: "+name+": n must be at least 1, got "+strconv.Itoa(n),
					func() { call(ctx, n) }, "%s(%d), limit %v", name, n, limit)
			}
		}
	}
}

// A zero Keyed has an interval of 0, which is how ratelimit.Inf is kept:
// it used to admit every call without asking Redis.
func TestAZeroLimiterOrKeyedPanicsInsteadOfAdmittingEverything(t *testing.T) {
	var k redisrate.Keyed
	var l redisrate.Limiter
	ctx := t.Context()
	for name, call := range map[string]func(){
		"Keyed.Allow":        func() { _, _ = k.Allow(ctx, "a") },
		"Keyed.AllowN":       func() { _, _ = k.AllowN(ctx, "a", 1) },
		"Keyed.Wait":         func() { _ = k.Wait(ctx, "a") },
		"Keyed.DeferUntil":   func() { k.DeferUntil("a", time.Now().Add(time.Second)) },
		"Keyed.Reset":        func() { _ = k.Reset(ctx, "a") },
		"Limiter.Allow":      func() { _, _ = l.Allow(ctx) },
		"Limiter.ReserveN":   func() { _, _ = l.ReserveN(ctx, 1, time.Second) },
		"Limiter.WaitN":      func() { _ = l.WaitN(ctx, 1) },
		"Limiter.DeferUntil": func() { l.DeferUntil(time.Now().Add(time.Second)) },
		"Limiter.Reset":      func() { _ = l.Reset(ctx) },
	} {
		assert.PanicsWithValue(t, "redisrate: "+name+": not made by New or NewKeyed", call, name)
	}
	assert.PanicsWithValue(t, "redisrate: Limiter.Allow: not made by New or NewKeyed",
		func() { _, _ = k.Limiter("a").Allow(ctx) }, "a zero Keyed's Limiter")
}
