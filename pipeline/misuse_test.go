package pipeline_test

import (
	"context"
	"iter"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/pipeline"
	"github.com/tandem-go/tandem/ratelimit"
)

// declared returns a pipeline with one source, for the misuse cases.
func declared() (*pipeline.Pipeline, *pipeline.Stage[int]) {
	p := pipeline.New()
	return p, pipeline.FromSlice(p, numbers(3))
}

func keepAll(context.Context, int) (bool, error)      { return true, nil }
func twice(context.Context, int) ([]int, error)       { return nil, nil }
func discard(context.Context, int) error              { return nil }
func sum(_ context.Context, acc, v int) (int, error)  { return acc + v, nil }
func none(context.Context, func(int) bool) error      { return nil }
func skipString(context.Context, string, error) error { return nil }

func TestEveryMisusePanicsWhereItIsMadeWithOneMessageFormat(t *testing.T) {
	var nilCtx context.Context
	var nilLimiter *ratelimit.Limiter
	var nilSeq iter.Seq[int]
	var nilChan chan int
	var nilMap func(context.Context, int) (int, error)
	var nilOption pipeline.Option
	cases := []struct {
		want string
		do   func()
	}{
		// Nil and typed-nil functions, interfaces and values, at the
		// constructor or option that received them.
		{"pipeline: Map: nil function", func() { _, s := declared(); pipeline.Map(s, nilMap) }},
		{"pipeline: Filter: nil function", func() {
			_, s := declared()
			pipeline.Filter(s, (func(context.Context, int) (bool, error))(nil))
		}},
		{"pipeline: FlatMap: nil function", func() {
			_, s := declared()
			pipeline.FlatMap(s, (func(context.Context, int) ([]int, error))(nil))
		}},
		{"pipeline: Sink: nil function", func() { _, s := declared(); pipeline.Sink(s, nil) }},
		{"pipeline: RunReduce: nil function", func() {
			_, s := declared()
			_, _ = pipeline.RunReduce(context.Background(), s, 0, (func(context.Context, int, int) (int, error))(nil))
		}},
		{"pipeline: Generate: nil function", func() { pipeline.Generate[int](pipeline.New(), nil) }},
		{"pipeline: FromSeq: nil sequence", func() { pipeline.FromSeq(pipeline.New(), nilSeq) }},
		{"pipeline: FromChan: nil channel", func() { pipeline.FromChan(pipeline.New(), nilChan) }},
		{"pipeline: OnError: nil function", func() { pipeline.OnError[int](nil) }},
		{"pipeline: Pace: nil Waiter", func() { pipeline.Pace(nil) }},
		{"pipeline: Pace: nil Waiter", func() { pipeline.Pace(nilLimiter) }},
		{"pipeline: FromSlice: nil Pipeline", func() { pipeline.FromSlice(nil, numbers(1)) }},
		{"pipeline: Generate: nil Pipeline", func() { pipeline.Generate(nil, none) }},
		{"pipeline: Map: nil Stage", func() { pipeline.Map(nil, square) }},
		{"pipeline: Filter: nil Stage", func() { pipeline.Filter(nil, keepAll) }},
		{"pipeline: FlatMap: nil Stage", func() { pipeline.FlatMap(nil, twice) }},
		{"pipeline: Unbatch: nil Stage", func() { pipeline.Unbatch[int](nil) }},
		{"pipeline: Batch: nil Stage", func() { pipeline.Batch[int](nil, 1, 0) }},
		{"pipeline: Broadcast: nil Stage", func() { pipeline.Broadcast[int](nil, 2) }},
		{"pipeline: Merge: nil Stage", func() { _, s := declared(); pipeline.Merge([]*pipeline.Stage[int]{s, nil}) }},
		{"pipeline: Sink: nil Stage", func() { pipeline.Sink(nil, discard) }},
		{"pipeline: RunCollect: nil Stage", func() { _, _ = pipeline.RunCollect[int](context.Background(), nil) }},
		{"pipeline: RunReduce: nil Stage", func() { _, _ = pipeline.RunReduce(context.Background(), nil, 0, sum) }},
		{"pipeline: RunAll: nil Stage", func() { pipeline.RunAll[int](context.Background(), nil) }},

		// A nil Option, named by the function that received it.
		{"pipeline: Map: nil Option", func() { _, s := declared(); pipeline.Map(s, square, pipeline.Workers(2), nilOption) }},
		{"pipeline: FromSlice: nil Option", func() { pipeline.FromSlice(pipeline.New(), numbers(1), nilOption) }},
		{"pipeline: Batch: nil Option", func() { _, s := declared(); pipeline.Batch(s, 2, 0, nilOption) }},
		{"pipeline: Sink: nil Option", func() { _, s := declared(); pipeline.Sink(s, discard, nilOption) }},
		{"pipeline: Broadcast: nil Option", func() { _, s := declared(); pipeline.Broadcast(s, 2, nilOption) }},
		{"pipeline: Merge: nil Option", func() { _, s := declared(); pipeline.Merge([]*pipeline.Stage[int]{s}, nilOption) }},

		// A nil context, at the call that received it.
		{"pipeline: Run: nil context", func() { p, s := declared(); pipeline.Sink(s, discard); _ = p.Run(nilCtx) }},
		{"pipeline: RunCollect: nil context", func() { _, s := declared(); _, _ = pipeline.RunCollect(nilCtx, s) }},
		{"pipeline: RunReduce: nil context", func() { _, s := declared(); _, _ = pipeline.RunReduce(nilCtx, s, 0, sum) }},
		{"pipeline: RunAll: nil context", func() { _, s := declared(); pipeline.RunAll(nilCtx, s) }},

		// Values out of range.
		{"pipeline: Workers: n must be at least 1, got 0", func() { pipeline.Workers(0) }},
		{"pipeline: Buffer: n must not be negative, got -1", func() { pipeline.Buffer(-1) }},
		{"pipeline: Timeout: d must not be negative, got -1ns", func() { pipeline.Timeout(-1) }},
		{"pipeline: Batch: size must be at least 1, got 0", func() { _, s := declared(); pipeline.Batch(s, 0, time.Second) }},
		{"pipeline: Broadcast: n must be at least 1, got 0", func() { _, s := declared(); pipeline.Broadcast(s, 0) }},
		{"pipeline: Merge: no stages", func() { pipeline.Merge[int](nil) }},

		// Options that do not apply, and a mistyped OnError.
		{"pipeline: FromSlice: the Workers option does not apply", func() {
			pipeline.FromSlice(pipeline.New(), numbers(1), pipeline.Workers(2))
		}},
		{"pipeline: Sink: the Ordered option does not apply", func() { _, s := declared(); pipeline.Sink(s, discard, pipeline.Ordered()) }},
		{"pipeline: Batch: the Timeout option does not apply", func() { _, s := declared(); pipeline.Batch(s, 2, 0, pipeline.Timeout(0)) }},
		{"pipeline: Unbatch: the Pace option does not apply", func() {
			p := pipeline.New()
			pipeline.Unbatch(pipeline.FromSlice(p, [][]int{{1}}), pipeline.Pace(everyTick(1)))
		}},
		{"pipeline: Map: OnError takes func(context.Context, string, error) error, but the stage's input is int", func() {
			_, s := declared()
			pipeline.Map(s, square, pipeline.OnError(skipString))
		}},

		// The graph: a second consumer, a stage of another pipeline, a
		// stage declared after the run started.
		{`pipeline: Map: the output of stage "FromSlice#1" already has a consumer; use Broadcast to feed several`, func() {
			_, s := declared()
			pipeline.Sink(s, discard)
			pipeline.Map(s, square)
		}},
		{`pipeline: RunAll: the output of stage "FromSlice#1" already has a consumer; use Broadcast to feed several`, func() {
			_, s := declared()
			pipeline.Sink(s, discard)
			pipeline.RunAll(context.Background(), s)
		}},
		{`pipeline: Merge: stage "other" belongs to another pipeline`, func() {
			_, s := declared()
			other := pipeline.FromSlice(pipeline.New(), numbers(1), pipeline.Name("other"))
			pipeline.Merge([]*pipeline.Stage[int]{s, other})
		}},
		{"pipeline: FromSlice: the pipeline already started; declare every stage before it runs", func() {
			p, s := declared()
			pipeline.Sink(s, discard)
			require.NoError(t, p.Run(context.Background()))
			pipeline.FromSlice(p, numbers(1))
		}},
	}
	for _, tc := range cases {
		assert.PanicsWithValue(t, tc.want, tc.do)
	}
}

// Some misuse can only be seen once the declaring is over: at Run (or the
// Run* call), not at a constructor, as the package doc says.
func TestMisuseOfTheWholeGraphPanicsAtRun(t *testing.T) {
	p := pipeline.New()
	pipeline.FromSlice(p, numbers(3), pipeline.Name("numbers"))
	assert.PanicsWithValue(t, `pipeline: Run: the output of stage "numbers" has no consumer`, func() { _ = p.Run(context.Background()) })

	p = pipeline.New()
	b := pipeline.Broadcast(pipeline.FromSlice(p, numbers(3)), 3, pipeline.Name("copies"))
	pipeline.Sink(b[0], discard)
	pipeline.Sink(b[2], discard)
	assert.PanicsWithValue(t, `pipeline: Run: the output of stage "copies" has no consumer`, func() { _ = p.Run(context.Background()) },
		"the message names the stage whose output is left, not another one")

	assert.PanicsWithValue(t, "pipeline: Run: the pipeline has no stage", func() { _ = pipeline.New().Run(context.Background()) })

	p, s := declared()
	pipeline.Sink(s, discard)
	require.NoError(t, p.Run(context.Background()))
	assert.PanicsWithValue(t, "pipeline: Run: the pipeline already ran; declare a new one", func() { _ = p.Run(context.Background()) })

	p, s = declared()
	all := pipeline.RunAll(context.Background(), s)
	for range all {
	}
	assert.PanicsWithValue(t, "pipeline: RunAll: the pipeline already ran; declare a new one", func() {
		for range all {
		}
	})
}

func TestTimeoutZeroMeansNoTimeout(t *testing.T) {
	for _, opts := range [][]pipeline.Option{nil, {pipeline.Timeout(0)}} {
		_, s := declared()
		deadlines := 0
		m := pipeline.Map(s, func(ctx context.Context, v int) (int, error) {
			if _, ok := ctx.Deadline(); ok {
				deadlines++
			}
			return v, nil
		}, opts...)
		got, err := pipeline.RunCollect(context.Background(), m)
		require.NoError(t, err)
		assert.Equal(t, numbers(3), got)
		assert.Zero(t, deadlines, "options %v: an item had a deadline", opts)
	}
}
