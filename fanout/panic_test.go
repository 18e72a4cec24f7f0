package fanout_test

import (
	"context"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/internal/crashtest"
)

//go:noinline
func panickingCall(_ context.Context, x int) (int, error) {
	if x%2 == 1 {
		panic("bad input")
	}
	return x, nil
}

// recoverPanic runs f and returns the *tandem.PanicError it panicked with.
func recoverPanic(t *testing.T, f func()) (p *tandem.PanicError) {
	t.Helper()
	defer func() {
		v := recover()
		require.NotNil(t, v, "want a panic")
		require.IsType(t, &tandem.PanicError{}, v)
		p = v.(*tandem.PanicError)
	}()
	f()
	return nil
}

func TestMapReraisesEveryPanicInTheCallerWithTheCallsStack(t *testing.T) {
	p := recoverPanic(t, func() {
		// Workers 1 and fail fast: input 1 panics, nothing starts after.
		_, _ = fanout.Map(t.Context(), []int{0, 1, 2, 3}, panickingCall, fanout.Workers(1))
	})
	assert.Equal(t, "bad input", p.Value)
	assert.Contains(t, p.Stack, "fanout_test.panickingCall", "stack of the call, not of the waiter")
	assert.Empty(t, p.Others, "the panic stopped the fan-out before input 3")
}

func TestMapKeepsEveryPanicOfCallsRunningTogether(t *testing.T) {
	var entered atomic.Int64
	gate := make(chan struct{})
	p := recoverPanic(t, func() {
		_, _ = fanout.Map(t.Context(), []int{1, 3, 5}, func(ctx context.Context, x int) (int, error) {
			if entered.Add(1) == 3 {
				close(gate)
			}
			<-gate // all three are in their call before any panics
			panic(x)
		}, fanout.Workers(3))
	})
	got := []any{p.Value}
	for _, o := range p.Others {
		got = append(got, o.Value)
	}
	assert.ElementsMatch(t, []any{1, 3, 5}, got)
}

func TestStreamReraisesACallsPanicAfterTheLoop(t *testing.T) {
	p := recoverPanic(t, func() {
		for range fanout.Stream(t.Context(), slices.Values([]int{1}), panickingCall) {
		}
	})
	assert.Equal(t, "bad input", p.Value)
}

func TestStreamReraisesAPanicOfTheInputSequence(t *testing.T) {
	p := recoverPanic(t, func() {
		for range fanout.Stream(t.Context(), func(func(int) bool) { panic("bad sequence") }, double) {
		}
	})
	assert.Equal(t, "bad sequence", p.Value)
}

func TestMapFailsACallThatRunsGoexitAndGoesOn(t *testing.T) {
	for _, name := range []string{"Map", "Stream"} {
		t.Run(name, func(t *testing.T) {
			call := func(_ context.Context, x int) (int, error) {
				if x == 2 {
					runtime.Goexit()
				}
				return x, nil
			}
			inputs := []int{0, 1, 2, 3, 4, 5}
			results := make([]fanout.Result[int], len(inputs))
			var st fanout.Stats
			if name == "Map" {
				var err error
				results, err = fanout.Map(t.Context(), inputs, call, fanout.Workers(1), fanout.StatsTo(&st))
				require.ErrorIs(t, err, tandem.ErrGoexit)
			} else {
				for i, r := range fanout.Stream(t.Context(), slices.Values(inputs), call, fanout.Workers(1), fanout.StatsTo(&st)) {
					results[i] = r
				}
			}
			for i, r := range results {
				if i == 2 {
					assert.Equal(t, fanout.Failed, r.Status)
					assert.ErrorIs(t, r.Err, tandem.ErrGoexit)
					continue
				}
				assert.Equal(t, fanout.Succeeded, r.Status, "input %d, after the Goexit", i)
			}
			assert.Equal(t, fanout.Stats{Inputs: 6, Succeeded: 5, Failed: 1, Attempts: 6}, st)
		})
	}
}

func TestMapPanicCrashesTheProgramWhenNobodyRecovers(t *testing.T) {
	if crashtest.InChild(t) {
		_, _ = fanout.Map(context.Background(), []int{1}, panickingCall)
		return
	}
	out := crashtest.Panicked(t)
	assert.Contains(t, out, "bad input")
	assert.Contains(t, out, "fanout_test.panickingCall", "crash output lacks the call's frame")
}
