package fanout_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/fanout"
)

// The user code that fanout runs around a call (waiters, the PacePerKey key
// function, the RetryIf predicate) is guarded as the call is: a panic there
// is re-raised by Map or Stream's loop, a runtime.Goexit fails the input
// with tandem.ErrGoexit and the fan-out goes on. Each case misbehaves on
// input 1 of {0, 1, 2}, with Workers(1) so that a lost worker would
// leave input 2 unclaimed.

// waiterFunc is a ratelimit.Waiter written by a user.
type waiterFunc func() error

func (f waiterFunc) WaitN(context.Context, int) error { return f() }

// keyedWaiterFunc is a ratelimit.KeyedWaiter[int] written by a user.
type keyedWaiterFunc func(key int) error

func (f keyedWaiterFunc) WaitN(_ context.Context, key, _ int) error { return f(key) }

var errCallFails = errors.New("input 1 fails")

// failOne fails input 1 so that RetryIf is asked about it.
func failOne(_ context.Context, x int) (int, error) {
	if x == 1 {
		return 0, errCallFails
	}
	return 2 * x, nil
}

// misbehavingHook is a fan-out whose user code around the call runs
// misbehave on input 1; attempts is the number of calls it makes.
type misbehavingHook struct {
	name     string
	call     func(context.Context, int) (int, error)
	opts     func(misbehave func()) []fanout.Option
	attempts int
}

func misbehavingHooks() []misbehavingHook {
	return []misbehavingHook{
		{name: "PacePerKey key function", call: double, attempts: 2, opts: func(misbehave func()) []fanout.Option {
			return []fanout.Option{fanout.PacePerKey(keyedWaiterFunc(func(int) error { return nil }), func(x int) int {
				if x == 1 {
					misbehave()
				}
				return x
			})}
		}},
		{name: "PacePerKey waiter", call: double, attempts: 2, opts: func(misbehave func()) []fanout.Option {
			return []fanout.Option{fanout.PacePerKey(keyedWaiterFunc(func(key int) error {
				if key == 1 {
					misbehave()
				}
				return nil
			}), func(x int) int { return x })}
		}},
		{name: "Pace waiter", call: double, attempts: 2, opts: func(misbehave func()) []fanout.Option {
			var waits atomic.Int64
			return []fanout.Option{fanout.Pace(waiterFunc(func() error {
				if waits.Add(1) == 2 { // the wait for input 1
					misbehave()
				}
				return nil
			}))}
		}},
		{name: "RetryIf predicate", call: failOne, attempts: 3, opts: func(misbehave func()) []fanout.Option {
			return []fanout.Option{fanout.Attempts(2), fanout.RetryIf(func(error) bool {
				misbehave()
				return true
			})}
		}},
	}
}

// eachHookWithMapAndStream runs test, under synctest, for every misbehaving
// hook with Map and with Stream.
func eachHookWithMapAndStream(t *testing.T, test func(t *testing.T, h misbehavingHook, useMap bool)) {
	for _, h := range misbehavingHooks() {
		for _, useMap := range []bool{true, false} {
			name := h.name + "/Stream"
			if useMap {
				name = h.name + "/Map"
			}
			t.Run(name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) { test(t, h, useMap) })
			})
		}
	}
}

// runAll runs the fan-out with Map or Stream and returns its results by
// index, its Stats, the panic it re-raised, if any, and Map's error.
func runAll(t *testing.T, useMap bool, call func(context.Context, int) (int, error), opts []fanout.Option) (results map[int]fanout.Result[int], st fanout.Stats, p *tandem.PanicError, err error) {
	t.Helper()
	inputs := []int{0, 1, 2}
	opts = append(opts, fanout.Workers(1), fanout.StatsTo(&st))
	results = map[int]fanout.Result[int]{}
	func() {
		defer func() {
			if v := recover(); v != nil {
				require.IsType(t, &tandem.PanicError{}, v)
				p = v.(*tandem.PanicError)
			}
		}()
		if useMap {
			var rs []fanout.Result[int]
			rs, err = fanout.Map(t.Context(), inputs, call, opts...)
			for i, r := range rs {
				results[i] = r
			}
			return
		}
		for i, r := range fanout.Stream(t.Context(), slices.Values(inputs), call, opts...) {
			_, seen := results[i]
			assert.False(t, seen, "input %d yielded twice", i)
			results[i] = r
		}
	}()
	return results, st, p, err
}

func TestAPanicInUserCodeAroundTheCallIsReraisedAndEveryInputAccountedFor(t *testing.T) {
	eachHookWithMapAndStream(t, func(t *testing.T, h misbehavingHook, useMap bool) {
		boom := "boom in " + h.name
		// Map re-panics, so its results are not returned: Stats
		// account for them. Stream yields them before it re-panics.
		results, st, p, _ := runAll(t, useMap, h.call, h.opts(func() { panic(boom) }))
		require.NotNil(t, p, "want a re-raised *tandem.PanicError")
		assert.Equal(t, boom, p.Value)
		assert.Empty(t, p.Others)
		want := fanout.Stats{Inputs: 3, Succeeded: 1, Failed: 1, NotStarted: 1, Attempts: h.attempts - 1}
		assert.Equal(t, want, st, "input 0 succeeds, 1 fails with the panic, 2 never starts")
		if useMap {
			return
		}
		require.Len(t, results, 3, "every input yielded")
		assert.Equal(t, fanout.Succeeded, results[0].Status)
		assert.Equal(t, fanout.Failed, results[1].Status)
		var got *tandem.PanicError
		require.ErrorAs(t, results[1].Err, &got)
		assert.Equal(t, boom, got.Value)
		assert.Equal(t, fanout.NotStarted, results[2].Status)
		assert.Error(t, results[2].Err, "NotStarted needs a non-nil Err")
	})
}

func TestAGoexitInUserCodeAroundTheCallFailsTheInputAndTheFanoutGoesOn(t *testing.T) {
	eachHookWithMapAndStream(t, func(t *testing.T, h misbehavingHook, useMap bool) {
		results, st, p, err := runAll(t, useMap, h.call, h.opts(runtime.Goexit))
		require.Nil(t, p, "a Goexit is no panic")
		if useMap {
			require.ErrorIs(t, err, tandem.ErrGoexit)
		}
		require.Len(t, results, 3, "every input accounted for")
		for i, r := range results {
			if i == 1 {
				assert.Equal(t, fanout.Failed, r.Status, "input 1 ran Goexit")
				assert.ErrorIs(t, r.Err, tandem.ErrGoexit, "input 1 ran Goexit")
				continue
			}
			assert.Equal(t, fanout.Succeeded, r.Status, "input %d: err %v", i, r.Err)
			assert.Equal(t, 2*i, r.Value, "input %d", i)
		}
		want := fanout.Stats{Inputs: 3, Succeeded: 2, Failed: 1, Attempts: h.attempts}
		assert.Equal(t, want, st)
	})
}
