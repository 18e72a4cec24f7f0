package fanout_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/pool"
)

// TestMapAndStreamAllocateNothingPerInput compares the allocations of a
// fan-out over 10 inputs with one over 1010: the difference per input must
// stay well under the bar of 1 (Map's result slice is one
// allocation whatever its length), also with every call a task of a
// shared pool.
func TestMapAndStreamAllocateNothingPerInput(t *testing.T) {
	ctx := context.Background()
	p := pool.New(4)
	defer p.Close()
	small, large := make([]int, 10), make([]int, 1010)
	perInput := func(run func(inputs []int)) float64 {
		a := testing.AllocsPerRun(20, func() { run(small) })
		b := testing.AllocsPerRun(20, func() { run(large) })
		return (b - a) / float64(len(large)-len(small))
	}
	for _, c := range []struct {
		name string
		opts []fanout.Option
	}{
		{"own workers", []fanout.Option{fanout.Workers(4)}},
		{"OnPool", []fanout.Option{fanout.Workers(4), fanout.OnPool(p)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			mapAllocs := perInput(func(inputs []int) { _, _ = fanout.Map(ctx, inputs, double, c.opts...) })
			streamAllocs := perInput(func(inputs []int) {
				for range fanout.Stream(ctx, slices.Values(inputs), double, c.opts...) {
				}
			})
			t.Logf("allocations per input: Map %.4f, Stream %.4f", mapAllocs, streamAllocs)
			assert.Less(t, mapAllocs, 0.1, "Map allocations per input")
			assert.Less(t, streamAllocs, 0.1, "Stream allocations per input")
		})
	}
}
