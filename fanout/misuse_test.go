package fanout_test

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/ratelimit"
)

type misuse struct {
	name, want string
	do         func()
}

func assertPanicsWith(t *testing.T, cases []misuse) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.want, tc.do)
		})
	}
}

// The three entry points, each called with ctx, call and opts; Stream's
// loop is not run: its misuse panics where Stream is called.
var entryPoints = []struct {
	name string
	call func(ctx context.Context, call func(context.Context, int) (int, error), opts ...fanout.Option)
}{
	{"Map", func(ctx context.Context, call func(context.Context, int) (int, error), opts ...fanout.Option) {
		_, _ = fanout.Map(ctx, []int{1}, call, opts...)
	}},
	{"Stream", func(ctx context.Context, call func(context.Context, int) (int, error), opts ...fanout.Option) {
		_ = fanout.Stream(ctx, slices.Values([]int{1}), call, opts...)
	}},
	{"First", func(ctx context.Context, call func(context.Context, int) (int, error), opts ...fanout.Option) {
		_, _ = fanout.First(ctx, []int{1}, call, 0, opts...)
	}},
}

func TestMapStreamAndFirstPanicAtOnceOnMisuseNamingThemselves(t *testing.T) {
	var nilCtx context.Context
	wrongKey := func() fanout.Option {
		return fanout.PacePerKey(ratelimit.NewKeyed[string](1, 1), func(s string) string { return s })
	}
	var cases []misuse
	for _, e := range entryPoints {
		cases = append(cases,
			misuse{e.name + "/nil context", "fanout: " + e.name + ": nil context", func() { e.call(nilCtx, double) }},
			misuse{e.name + "/nil call", "fanout: " + e.name + ": nil function", func() { e.call(t.Context(), nil) }},
			misuse{e.name + "/nil Option", "fanout: " + e.name + ": nil Option", func() { e.call(t.Context(), double, fanout.Workers(2), nil) }},
			misuse{e.name + "/key function of another input type",
				"fanout: " + e.name + ": PacePerKey's key function takes string, not the inputs' type int",
				func() { e.call(t.Context(), double, wrongKey()) }},
		)
	}
	cases = append(cases, misuse{"First/negative hedge", "fanout: First: hedge must not be negative, got -1ns", func() {
		_, _ = fanout.First(t.Context(), []int{1}, double, -1)
	}})
	assertPanicsWith(t, cases)
}

func TestAnOptionPanicsWhereItIsMadeOnMisuse(t *testing.T) {
	key := func(s string) string { return s }
	keyed := ratelimit.NewKeyed[string](1, 1)
	assertPanicsWith(t, []misuse{
		{"Workers(0)", "fanout: Workers: n must be at least 1, got 0", func() { fanout.Workers(0) }},
		{"Workers(-3)", "fanout: Workers: n must be at least 1, got -3", func() { fanout.Workers(-3) }},
		{"Timeout(-1)", "fanout: Timeout: d must not be negative, got -1ns", func() { fanout.Timeout(-1) }},
		{"Attempts(0)", "fanout: Attempts: n must be at least 1, got 0", func() { fanout.Attempts(0) }},
		{"Backoff(0, 1)", "fanout: Backoff: base must be positive, got 0s", func() { fanout.Backoff(0, 1) }},
		{"Backoff(-1, 1)", "fanout: Backoff: base must be positive, got -1ns", func() { fanout.Backoff(-1, 1) }},
		{"Backoff(2, 1)", "fanout: Backoff: limit must not be less than base (2ns), got 1ns", func() { fanout.Backoff(2, 1) }},
		{"Quorum(0)", "fanout: Quorum: k must be at least 1, got 0", func() { fanout.Quorum(0) }},
		{"FirstSuccess(-1)", "fanout: FirstSuccess: hedge must not be negative, got -1ns", func() { fanout.FirstSuccess(-1) }},
		{"RetryIf(nil)", "fanout: RetryIf: nil function", func() { fanout.RetryIf(nil) }},
		{"StatsTo(nil)", "fanout: StatsTo: nil *Stats", func() { fanout.StatsTo(nil) }},
		{"OnPool(nil)", "fanout: OnPool: nil Pool", func() { fanout.OnPool(nil) }},
		{"Pace(nil)", "fanout: Pace: nil Waiter", func() { fanout.Pace(nil) }},
		{"PacePerKey(nil, key)", "fanout: PacePerKey: nil KeyedWaiter", func() { fanout.PacePerKey[string, string](nil, key) }},
		{"PacePerKey(w, nil)", "fanout: PacePerKey: nil key function", func() { fanout.PacePerKey[string](keyed, nil) }},
	})
}

// A nil held in an interface (a typed nil) passes a plain == nil check
// and would fail only at run time, as a panic in a call: each option
// rejects it where it is made.
func TestAnOptionRejectsATypedNilWhereItIsMade(t *testing.T) {
	key := func(s string) string { return s }
	assertPanicsWith(t, []misuse{
		{"Pace(nil *Limiter)", "fanout: Pace: nil Waiter", func() { fanout.Pace((*ratelimit.Limiter)(nil)) }},
		{"Pace(nil waiterFunc)", "fanout: Pace: nil Waiter", func() { fanout.Pace(waiterFunc(nil)) }},
		{"Pace(nil *watchedLimiter)", "fanout: Pace: nil Waiter", func() { fanout.Pace((*watchedLimiter)(nil)) }},
		{"PacePerKey(nil *Keyed)", "fanout: PacePerKey: nil KeyedWaiter", func() { fanout.PacePerKey((*ratelimit.Keyed[string])(nil), key) }},
		{"PacePerKey(nil keyedWaiterFunc)", "fanout: PacePerKey: nil KeyedWaiter", func() {
			fanout.PacePerKey[int](keyedWaiterFunc(nil), func(x int) int { return x })
		}},
	})
}

func TestTimeoutZeroMeansNoTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		results, err := fanout.Map(t.Context(), []int{1}, func(ctx context.Context, x int) (int, error) {
			_, hasDeadline := ctx.Deadline()
			assert.False(t, hasDeadline, "no deadline on the call's ctx")
			time.Sleep(24 * time.Hour)
			return x, nil
		}, fanout.Timeout(time.Second), fanout.Timeout(0))
		require.NoError(t, err)
		assert.Equal(t, fanout.Succeeded, results[0].Status)
	})
}
