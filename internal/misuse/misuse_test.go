package misuse_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/internal/misuse"
)

type waiter interface {
	WaitN(context.Context, int) error
}

type limiter struct{}

func (*limiter) WaitN(context.Context, int) error { return nil }

func TestPanicfFormatsWhereAndProblem(t *testing.T) {
	assert.PanicsWithValue(t, "pool: QueueSize: n must not be negative, got -1", func() {
		misuse.Panicf("pool: QueueSize", "n must not be negative, got %d", -1)
	})
}

func TestCtxPanicsOnlyOnANilContext(t *testing.T) {
	assert.PanicsWithValue(t, "pool: Submit: nil context", func() {
		misuse.Ctx("pool: Submit", nil) // the misuse under test
	})
	assert.NotPanics(t, func() { misuse.Ctx("pool: Submit", context.Background()) })
}

func TestNilCatchesTypedNils(t *testing.T) {
	var typed *limiter
	var w waiter = typed
	var f func()
	var m map[string]int
	var ch chan int
	var s []int
	for name, v := range map[string]any{
		"nil interface": nil, "typed nil pointer": w, "nil func": f,
		"nil map": m, "nil chan": ch, "nil slice": s,
	} {
		assert.True(t, misuse.IsNil(v), name)
		assert.PanicsWithValue(t, "fanout: Pace: nil Waiter", func() { misuse.Nil("fanout: Pace", "Waiter", v) }, name)
	}
	for name, v := range map[string]any{
		"pointer": &limiter{}, "func": func() {}, "int": 0, "struct": struct{}{}, "empty string": "",
	} {
		assert.False(t, misuse.IsNil(v), name)
		assert.NotPanics(t, func() { misuse.Nil("fanout: Pace", "Waiter", v) }, name)
	}
}

func TestNotApplicableNamesTheOptionAndWhereItBelongs(t *testing.T) {
	assert.PanicsWithValue(t, "pool: New: CollectAll does not apply here, it is an option of groups", func() {
		misuse.NotApplicable("pool: New", "CollectAll", "groups")
	})
}
