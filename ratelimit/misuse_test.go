package ratelimit_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/ratelimit"
)

// TestEveryMisusePanicsWithAMessageNamingTheMisuse pins each misuse to the
// one message format, "ratelimit: Name: what is wrong[, got value]", Name
// being what the caller called.
func TestEveryMisusePanicsWithAMessageNamingTheMisuse(t *testing.T) {
	var nilCtx context.Context
	var nilOption ratelimit.Option
	var nilLimitFunc func(string) (ratelimit.Limit, int)
	nan := ratelimit.Limit(math.NaN())
	l := ratelimit.New(1, 1)
	k := ratelimit.NewKeyed[string](1, 1)
	badPlan := ratelimit.NewKeyed[string](1, 1, ratelimit.LimitFunc(func(key string) (ratelimit.Limit, int) {
		if key == "nan" {
			return nan, 1
		}
		return 1, 1 << 62
	}))
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"Limiter.AllowN(0)", func() { l.AllowN(0) }, "ratelimit: Limiter.AllowN: n must be at least 1, got 0"},
		{"Limiter.AllowN(-1)", func() { l.AllowN(-1) }, "ratelimit: Limiter.AllowN: n must be at least 1, got -1"},
		{"Limiter.ReserveN(0)", func() { l.ReserveN(0) }, "ratelimit: Limiter.ReserveN: n must be at least 1, got 0"},
		{"Limiter.WaitN(0)", func() { _ = l.WaitN(t.Context(), 0) }, "ratelimit: Limiter.WaitN: n must be at least 1, got 0"},
		{"Limiter.Wait(nil)", func() { _ = l.Wait(nilCtx) }, "ratelimit: Limiter.Wait: nil context"},
		{"Limiter.WaitN(nil)", func() { _ = l.WaitN(nilCtx, 1) }, "ratelimit: Limiter.WaitN: nil context"},
		{"Keyed.AllowN(0)", func() { k.AllowN("a", 0) }, "ratelimit: Keyed.AllowN: n must be at least 1, got 0"},
		{"Keyed.WaitN(0)", func() { _ = k.WaitN(t.Context(), "a", 0) }, "ratelimit: Keyed.WaitN: n must be at least 1, got 0"},
		{"Keyed.Wait(nil)", func() { _ = k.Wait(nilCtx, "a") }, "ratelimit: Keyed.Wait: nil context"},
		{"Keyed.WaitN(nil)", func() { _ = k.WaitN(nilCtx, "a", 1) }, "ratelimit: Keyed.WaitN: nil context"},
		{"KeyLimiter.AllowN(0)", func() { k.Limiter("a").AllowN(0) }, "ratelimit: KeyLimiter.AllowN: n must be at least 1, got 0"},
		{"KeyLimiter.WaitN(0)", func() { _ = k.Limiter("a").WaitN(t.Context(), 0) }, "ratelimit: KeyLimiter.WaitN: n must be at least 1, got 0"},
		{"KeyLimiter.Wait(nil)", func() { _ = k.Limiter("a").Wait(nilCtx) }, "ratelimit: KeyLimiter.Wait: nil context"},
		{"KeyLimiter.WaitN(nil)", func() { _ = k.Limiter("a").WaitN(nilCtx, 1) }, "ratelimit: KeyLimiter.WaitN: nil context"},

		{"New, burst 0", func() { ratelimit.New(1, 0) }, "ratelimit: New: burst must be at least 1, got 0"},
		{"New, NaN", func() { ratelimit.New(nan, 1) }, "ratelimit: New: limit is NaN"},
		{"New, 2e9", func() { ratelimit.New(2e9, 1) }, "ratelimit: New: limit must be at most 1e9 events/s (an interval of 1ns) or Inf, got 2e+09"},
		{"New, tiny limit", func() { ratelimit.New(1e-12, 1) }, "ratelimit: New: limit must refill a token within 2^61ns (about 73 years), got 1e-12"},
		{"New, span", func() { ratelimit.New(1, 1<<32) }, "ratelimit: New: burst times the interval must span at most 2^61ns (about 73 years), got burst 4294967296 at limit 1"},
		{"New, nil Option", func() { ratelimit.New(1, 1, nilOption) }, "ratelimit: New: nil Option"},
		{"New, MaxKeys", func() { ratelimit.New(1, 1, ratelimit.MaxKeys(3)) }, "ratelimit: New: MaxKeys does not apply here, it is an option of NewKeyed"},
		{"New, LimitFunc", func() {
			ratelimit.New(1, 1, ratelimit.LimitFunc(func(string) (ratelimit.Limit, int) { return 1, 1 }))
		}, "ratelimit: New: LimitFunc does not apply here, it is an option of NewKeyed"},
		{"New, initial > burst", func() { ratelimit.New(1, 2, ratelimit.InitialTokens(3)) }, "ratelimit: New: InitialTokens must not exceed the burst 2, got 3"},
		{"Limiter.SetLimit, NaN", func() { ratelimit.New(1, 1).SetLimit(nan) }, "ratelimit: Limiter.SetLimit: limit is NaN"},
		{"Limiter.SetLimit, 2e9", func() { ratelimit.New(1, 1).SetLimit(2e9) }, "ratelimit: Limiter.SetLimit: limit must be at most 1e9 events/s (an interval of 1ns) or Inf, got 2e+09"},
		{"Limiter.SetLimit, span", func() { ratelimit.New(1e9, 1<<40).SetLimit(1) }, "ratelimit: Limiter.SetLimit: burst times the interval must span at most 2^61ns (about 73 years), got burst 1099511627776 at limit 1"},
		{"Limiter.SetBurst(0)", func() { ratelimit.New(1, 1).SetBurst(0) }, "ratelimit: Limiter.SetBurst: burst must be at least 1, got 0"},
		{"Limiter.SetBurst, span", func() { ratelimit.New(1, 1).SetBurst(1 << 32) }, "ratelimit: Limiter.SetBurst: burst times the interval must span at most 2^61ns (about 73 years), got burst 4294967296 at limit 1"},
		{"NewKeyed, NaN", func() { ratelimit.NewKeyed[int](nan, 1) }, "ratelimit: NewKeyed: limit is NaN"},
		{"NewKeyed, nil Option", func() { ratelimit.NewKeyed[int](1, 1, nilOption) }, "ratelimit: NewKeyed: nil Option"},
		{"NewKeyed, initial > burst", func() { ratelimit.NewKeyed[int](1, 2, ratelimit.InitialTokens(3)) }, "ratelimit: NewKeyed: InitialTokens must not exceed the burst 2, got 3"},
		{"NewKeyed, LimitFunc of another key type", func() {
			ratelimit.NewKeyed[int](1, 1, ratelimit.LimitFunc(func(string) (ratelimit.Limit, int) { return 1, 1 }))
		}, "ratelimit: NewKeyed: LimitFunc must take the key type, func(int) (Limit, int), got func(string) (ratelimit.Limit, int)"},
		{"LimitFunc result NaN", func() { badPlan.Allow("nan") }, "ratelimit: LimitFunc: limit is NaN"},
		{"LimitFunc result span", func() { badPlan.Allow("big") }, "ratelimit: LimitFunc: burst times the interval must span at most 2^61ns (about 73 years), got burst 4611686018427387904 at limit 1"},
		{"LimitFunc result in Tokens", func() { badPlan.Tokens("nan") }, "ratelimit: LimitFunc: limit is NaN"},
		{"LimitFunc(nil)", func() { ratelimit.LimitFunc[string](nil) }, "ratelimit: LimitFunc: nil function"},
		{"LimitFunc(typed nil)", func() { ratelimit.LimitFunc(nilLimitFunc) }, "ratelimit: LimitFunc: nil function"},
		{"MaxKeys(0)", func() { ratelimit.MaxKeys(0) }, "ratelimit: MaxKeys: n must be at least 1, got 0"},
		{"InitialTokens(-2)", func() { ratelimit.InitialTokens(-2) }, "ratelimit: InitialTokens: n must not be negative, got -2"},
		{"Every(0)", func() { ratelimit.Every(0) }, "ratelimit: Every: d must be positive (use Inf for no limit), got 0s"},
		{"Every(-1s)", func() { ratelimit.Every(-time.Second) }, "ratelimit: Every: d must be positive (use Inf for no limit), got -1s"},
		{"Per(-1, s)", func() { ratelimit.Per(-1, time.Second) }, "ratelimit: Per: n must not be negative, got -1"},
		{"Per(1, 0)", func() { ratelimit.Per(1, 0) }, "ratelimit: Per: d must be positive, got 0s"},
	} {
		assert.PanicsWithValue(t, tc.want, tc.f, tc.name)
	}
	assert.Zero(t, badPlan.Len(), "a key whose LimitFunc result was refused is not tracked")
}

// A zero Limiter or Keyed used to fail with a nil dereference or an index
// out of range, which does not say what is wrong.
func TestAZeroLimiterOrKeyedPanicsWithAMessage(t *testing.T) {
	var l ratelimit.Limiter
	var k ratelimit.Keyed[string]
	ctx := t.Context()
	for name, call := range map[string]func(){
		"Limiter.AllowN":     func() { l.Allow() },
		"Limiter.ReserveN":   func() { l.Reserve() },
		"Limiter.WaitN":      func() { _ = l.WaitN(ctx, 1) },
		"Limiter.DeferUntil": func() { l.DeferUntil(time.Now().Add(time.Second)) },
		"Limiter.SetLimit":   func() { l.SetLimit(5) },
		"Limiter.SetBurst":   func() { l.SetBurst(5) },
		"Limiter.Limit":      func() { _ = l.Limit() },
		"Limiter.Burst":      func() { _ = l.Burst() },
		"Limiter.Tokens":     func() { _ = l.Tokens() },
	} {
		assert.PanicsWithValue(t, "ratelimit: "+name+": not made by New", call, name)
	}
	for name, call := range map[string]func(){
		"Keyed.Allow":      func() { k.Allow("a") },
		"Keyed.WaitN":      func() { _ = k.WaitN(ctx, "a", 1) },
		"Keyed.DeferUntil": func() { k.DeferUntil("a", time.Now().Add(time.Second)) },
		"Keyed.Tokens":     func() { _ = k.Tokens("a") },
	} {
		assert.PanicsWithValue(t, "ratelimit: "+name+": not made by NewKeyed", call, name)
	}
	var kl ratelimit.KeyLimiter[string] // a zero value, not one Keyed.Limiter made
	for name, call := range map[string]func(){
		"KeyLimiter.Allow":      func() { kl.Allow() },
		"KeyLimiter.AllowN":     func() { kl.AllowN(1) },
		"KeyLimiter.Wait":       func() { _ = kl.Wait(ctx) },
		"KeyLimiter.WaitN":      func() { _ = kl.WaitN(ctx, 1) },
		"KeyLimiter.DeferUntil": func() { kl.DeferUntil(time.Now().Add(time.Second)) },
		"KeyLimiter.Tokens":     func() { _ = kl.Tokens() },
	} {
		assert.PanicsWithValue(t, "ratelimit: "+name+": not made by NewKeyed", call, name)
	}
}
