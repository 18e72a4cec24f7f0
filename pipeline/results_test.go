package pipeline_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/pipeline"
)

func TestRunReduceReturnsTheZeroValueOnFailure(t *testing.T) {
	boom := errors.New("boom")
	for _, where := range []string{"fold", "upstream", "ctx"} {
		ctx, cancel := context.WithCancel(context.Background())
		p := pipeline.New()
		src := pipeline.Map(pipeline.FromSlice(p, numbers(100)), func(_ context.Context, v int) (int, error) {
			if where == "upstream" && v == 50 {
				return 0, boom
			}
			return v, nil
		})
		sum, err := pipeline.RunReduce(ctx, src, 1000, func(_ context.Context, acc, v int) (int, error) {
			switch {
			case where == "fold" && v == 50:
				return acc, boom
			case where == "ctx" && v == 50:
				cancel()
			}
			return acc + v, nil
		})
		cancel()
		require.Error(t, err, where)
		assert.Zero(t, sum, "%s: a fold over part of the input is not a result", where)
	}
}

func TestRunCollectReturnsTheItemsCollectedBeforeTheStop(t *testing.T) {
	boom := errors.New("boom")
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(100), pipeline.Buffer(0))
	m := pipeline.Map(src, func(_ context.Context, v int) (int, error) {
		if v == 50 {
			return 0, boom
		}
		return v, nil
	}, pipeline.Buffer(0))
	got, err := pipeline.RunCollect(context.Background(), m)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, numbers(len(got)), got, "a prefix of the input, in order")
	assert.LessOrEqual(t, len(got), 50)
	assert.EqualValues(t, len(got), p.Stats().Stages[2].Succeeded, "the items returned are the items the collector consumed")
}

// A value that a sequence yielded is out of it: when Stop comes just
// before it, FromSeq still takes it (and pulls no more), so a graceful stop
// loses nothing. It used to be refused, gone from the sequence and from the
// counts.
func TestFromSeqTakesTheValueYieldedAtStopAndPullsNoMore(t *testing.T) {
	p := pipeline.New()
	pulled := 0
	src := pipeline.FromSeq(p, func(yield func(int) bool) {
		for v := range 100 {
			pulled++
			if v == 10 {
				p.Stop(time.Hour)
			}
			if !yield(v) {
				return
			}
		}
	})
	got, err := pipeline.RunCollect(context.Background(), src)
	require.NoError(t, err)
	assert.Equal(t, numbers(11), got)
	assert.Equal(t, 11, pulled)
	st := p.Stats().Stages[0]
	assert.EqualValues(t, 11, st.In, "%+v", st)
	assert.EqualValues(t, 11, st.Succeeded, "%+v", st)
}

// An item that Generate's emit refuses stays the generator's, as the doc
// says: it is not counted as taken.
func TestGenerateDoesNotCountAnItemEmitRefused(t *testing.T) {
	p := pipeline.New()
	var refused []int
	src := pipeline.Generate(p, func(ctx context.Context, emit func(int) bool) error {
		for v := range 1000 {
			if !emit(v) {
				refused = append(refused, v)
				return nil
			}
		}
		return nil
	}, pipeline.Buffer(0))
	n := 0
	for range pipeline.RunAll(context.Background(), src) {
		if n++; n == 5 {
			break
		}
	}
	st := p.Stats().Stages
	require.Len(t, refused, 1, "the generator was told to stop")
	assert.EqualValues(t, refused[0], st[0].In, "items 0..%d were taken, not %d: %+v", refused[0]-1, refused[0], st[0])
	assert.Equal(t, st[0].In, st[0].Succeeded+st[0].Canceled, "%+v", st[0])
}
