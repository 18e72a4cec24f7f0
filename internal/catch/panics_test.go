package catch_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/catch"
)

func TestPanicsRaiseDoesNothingWithoutPanics(t *testing.T) {
	var ps catch.Panics
	assert.False(t, ps.Add(nil))
	assert.NotPanics(t, ps.Raise)
	assert.Nil(t, ps.Err())
	assert.Zero(t, ps.Len())
}

func TestPanicsKeepsEveryPanicFromConcurrentTasks(t *testing.T) {
	var ps catch.Panics
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() { ps.Add(catch.Call(func() { panic(i) }, nil)) })
	}
	wg.Wait()
	require.Equal(t, 50, ps.Len())

	defer func() {
		r := recover()
		p, ok := r.(*tandem.PanicError)
		require.True(t, ok, "Raise panicked with %T, want *tandem.PanicError", r)
		seen := map[any]bool{p.Value: true}
		for _, o := range p.Others {
			assert.Empty(t, o.Others, "others must be flat")
			seen[o.Value] = true
		}
		assert.Len(t, seen, 50, "every panic value must be kept")
	}()
	ps.Raise()
	t.Fatal("Raise returned although panics were recorded")
}

func TestJoinFlattensAndDoesNotMutateItsInputs(t *testing.T) {
	a := &tandem.PanicError{Value: "a", Others: []*tandem.PanicError{{Value: "a2"}}}
	b := &tandem.PanicError{Value: "b", Others: []*tandem.PanicError{{Value: "b2"}}}
	j := catch.Join(nil, a, b)
	require.NotNil(t, j)
	var got []any
	for _, o := range j.Others {
		got = append(got, o.Value)
	}
	assert.Equal(t, "a", j.Value)
	assert.Equal(t, []any{"a2", "b", "b2"}, got)
	assert.Len(t, a.Others, 1, "input a was changed")
	assert.Len(t, b.Others, 1, "input b was changed")
	assert.Nil(t, catch.Join(nil, nil))
}
