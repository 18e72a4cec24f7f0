package fanout_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/fanout"
)

// TestMapAndStreamAllocateNothingPerInput compares the allocations of a
// fan-out over 10 inputs with one over 1010: the difference per input must
// stay well under the bar of 1 (Map's result slice is one
// allocation whatever its length).
func TestMapAndStreamAllocateNothingPerInput(t *testing.T) {
	ctx := context.Background()
	small, large := make([]int, 10), make([]int, 1010)
	perInput := func(run func(inputs []int)) float64 {
		a := testing.AllocsPerRun(20, func() { run(small) })
		b := testing.AllocsPerRun(20, func() { run(large) })
		return (b - a) / float64(len(large)-len(small))
	}
	mapAllocs := perInput(func(inputs []int) { _, _ = fanout.Map(ctx, inputs, double, fanout.Workers(4)) })
	streamAllocs := perInput(func(inputs []int) {
		for range fanout.Stream(ctx, slices.Values(inputs), double, fanout.Workers(4)) {
		}
	})
	t.Logf("allocations per input: Map %.4f, Stream %.4f", mapAllocs, streamAllocs)
	assert.Less(t, mapAllocs, 0.1, "Map allocations per input")
	assert.Less(t, streamAllocs, 0.1, "Stream allocations per input")
}
