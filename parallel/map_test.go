package parallel

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMapKeepsTheOrderOfItsInput(t *testing.T) {
	in := squares(5000)
	for _, opts := range [][]Option{nil, {Workers(1)}, {Workers(4)}, {Chunk(3), Workers(4)}, {MinChunk(100)}} {
		out, err := Map(bg, in, func(v float64) string { return fmt.Sprint(v) }, forced(8, opts...)...)
		require.NoError(t, err)
		require.Len(t, out, len(in))
		for i, s := range out {
			if s != fmt.Sprint(float64(i)) {
				t.Fatalf("opts %v: out[%d] = %q, want %q", opts, i, s, fmt.Sprint(float64(i)))
			}
		}
	}
}

func TestMapChecksItsContextBeforeEachChunkNotEachElement(t *testing.T) {
	// fn is pure and cannot see the cancel: the chunk it is in runs to
	// its end, no later chunk starts, and the result is nil.
	cause := errors.New("stop")
	for _, w := range []int{1, 4} {
		ctx, cancel := context.WithCancelCause(bg)
		var canceled atomic.Bool
		var after atomic.Int64
		hits := make([]atomic.Bool, 1000)
		out, err := Map(ctx, ints(1000), func(v int) int {
			hits[v].Store(true)
			if canceled.Load() {
				after.Add(1)
			}
			if v == 105 {
				cancel(cause)
				canceled.Store(true)
			}
			return v
		}, forced(4, Chunk(10), Workers(w))...)
		cancel(nil)
		require.ErrorIs(t, err, cause, "workers %d", w)
		assert.Nil(t, out, "workers %d: no partial result", w)
		for v := 100; v < 110; v++ {
			assert.True(t, hits[v].Load(), "workers %d: element %d of the chunk that canceled did not run", w, v)
		}
		// The rest of the canceling chunk runs, and the chunks other
		// workers had started: no chunk starts after the cancel.
		assert.LessOrEqual(t, after.Load(), int64(4+10*(w-1)), "workers %d: elements run after the cancel", w)
	}
}
