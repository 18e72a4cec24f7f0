package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/crashtest"
	"github.com/tandem-go/tandem/pipeline"
)

func numbers(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func square(_ context.Context, v int) (int, error) { return v * v, nil }

func TestMapFilterCollectGivesTheSequentialAnswer(t *testing.T) {
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(1000))
	sq := pipeline.Map(src, square)
	even := pipeline.Filter(sq, func(_ context.Context, v int) (bool, error) { return v%2 == 0, nil })
	got, err := pipeline.RunCollect(context.Background(), even)
	require.NoError(t, err)
	var want []int
	for i := range 1000 {
		if i*i%2 == 0 {
			want = append(want, i*i)
		}
	}
	require.Equal(t, want, got)
}

func TestWorkersProcessEveryItemOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 7} {
		p := pipeline.New()
		src := pipeline.FromSlice(p, numbers(5000))
		sq := pipeline.Map(src, square, pipeline.Workers(workers))
		got, err := pipeline.RunCollect(context.Background(), sq)
		require.NoError(t, err)
		slices.Sort(got)
		want := numbers(5000)
		for i := range want {
			want[i] *= want[i]
		}
		require.Equal(t, want, got, "workers=%d", workers)
	}
}

func TestFlatMapAndUnbatchEmitEveryElementInOrder(t *testing.T) {
	p := pipeline.New()
	src := pipeline.FromSlice(p, []int{1, 2, 3})
	fm := pipeline.FlatMap(src, func(_ context.Context, v int) ([]string, error) {
		return []string{strconv.Itoa(v), strconv.Itoa(v * 10)}, nil
	}, pipeline.Workers(3), pipeline.Ordered())
	got, err := pipeline.RunCollect(context.Background(), fm)
	require.NoError(t, err)
	require.Equal(t, []string{"1", "10", "2", "20", "3", "30"}, got)

	p = pipeline.New()
	batches := pipeline.FromSlice(p, [][]int{{1, 2}, {}, {3}})
	flat, err := pipeline.RunCollect(context.Background(), pipeline.Unbatch(batches))
	require.NoError(t, err)
	require.Equal(t, []int{1, 2, 3}, flat)
}

func TestReduceSumsEveryItem(t *testing.T) {
	p := pipeline.New()
	src := pipeline.FromSeq(p, slices.Values(numbers(10000)))
	sum, err := pipeline.RunReduce(context.Background(), src, 0, func(_ context.Context, acc, v int) (int, error) { return acc + v, nil })
	require.NoError(t, err)
	require.Equal(t, 10000*9999/2, sum)
}

func TestFromChanAndGenerateEmitEverything(t *testing.T) {
	ch := make(chan int, 10)
	for i := range 10 {
		ch <- i
	}
	close(ch)
	p := pipeline.New()
	got, err := pipeline.RunCollect(context.Background(), pipeline.FromChan(p, ch))
	require.NoError(t, err)
	require.Equal(t, numbers(10), got)

	p = pipeline.New()
	gen := pipeline.Generate(p, func(_ context.Context, emit func(int) bool) error {
		for i := range 10 {
			if !emit(i) {
				return nil
			}
		}
		return nil
	})
	got, err = pipeline.RunCollect(context.Background(), gen)
	require.NoError(t, err)
	require.Equal(t, numbers(10), got)
}

func TestMergeAndBroadcast(t *testing.T) {
	p := pipeline.New()
	a := pipeline.FromSlice(p, numbers(100))
	branches := pipeline.Broadcast(a, 3, pipeline.Buffer(4))
	var sums [2]atomic.Int64
	for i, b := range branches[:2] {
		pipeline.Sink(b, func(_ context.Context, v int) error { sums[i].Add(int64(v)); return nil })
	}
	b := pipeline.FromSlice(p, numbers(50))
	merged := pipeline.Merge([]*pipeline.Stage[int]{branches[2], b})
	got, err := pipeline.RunCollect(context.Background(), merged)
	require.NoError(t, err)
	assert.EqualValues(t, 4950, sums[0].Load())
	assert.EqualValues(t, 4950, sums[1].Load())
	slices.Sort(got)
	want := append(numbers(100), numbers(50)...)
	slices.Sort(want)
	assert.Equal(t, want, got)
}

func TestAllYieldsItemsAndTheErrorLast(t *testing.T) {
	p := pipeline.New()
	boom := errors.New("boom")
	src := pipeline.FromSlice(p, numbers(100))
	m := pipeline.Map(src, func(_ context.Context, v int) (int, error) {
		if v == 50 {
			return 0, boom
		}
		return v, nil
	})
	var got []int
	var gotErr error
	for v, err := range pipeline.RunAll(context.Background(), m) {
		if err != nil {
			gotErr = err
			continue
		}
		got = append(got, v)
	}
	require.ErrorIs(t, gotErr, boom)
	// Items handled before the failure arrive in order (one worker), but
	// those still in a buffer when it stops are canceled, not delivered.
	require.LessOrEqual(t, len(got), 50)
	require.Equal(t, numbers(len(got)), append([]int{}, got...))
}

func TestOnErrorSkipsFailedItemsAndContinues(t *testing.T) {
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(20))
	var routed []int
	m := pipeline.Map(src, func(_ context.Context, v int) (int, error) {
		if v%5 == 0 {
			return 0, fmt.Errorf("bad %d", v)
		}
		return v, nil
	}, pipeline.OnError(func(_ context.Context, v int, err error) error {
		routed = append(routed, v)
		return nil
	}))
	got, err := pipeline.RunCollect(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 5, 10, 15}, routed)
	assert.Len(t, got, 16)
	st := p.Stats().Stages[1]
	assert.EqualValues(t, 4, st.Failed, "stats: %+v", st)
	assert.EqualValues(t, 20, st.In)
	assert.EqualValues(t, 16, st.Out)
}

func TestOnErrorCanStopThePipeline(t *testing.T) {
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(20))
	fatal := errors.New("fatal")
	m := pipeline.Map(src, func(_ context.Context, v int) (int, error) {
		return 0, errors.New("item failed")
	}, pipeline.OnError(func(_ context.Context, v int, err error) error { return fatal }))
	_, err := pipeline.RunCollect(context.Background(), m)
	require.ErrorIs(t, err, fatal)
}

//go:noinline
func panickingStage(_ context.Context, v int) (int, error) {
	if v == 7 {
		panic("stage failed")
	}
	return v, nil
}

func TestPanicInAStageIsRaisedInRunAsPanicError(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(1000))
	m := pipeline.Map(src, panickingStage, pipeline.Workers(3))
	pipeline.Sink(m, func(context.Context, int) error { return nil })
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		_ = p.Run(context.Background())
	}()
	var pe *tandem.PanicError
	require.IsType(t, pe, recovered)
	pe = recovered.(*tandem.PanicError)
	assert.Equal(t, "stage failed", pe.Value)
	assert.Contains(t, pe.Stack, "panickingStage")
}

func TestGoexitInAStageFailsTheRunInsteadOfHanging(t *testing.T) {
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(100))
	m := pipeline.Map(src, func(_ context.Context, v int) (int, error) {
		if v == 3 {
			runtime.Goexit()
		}
		return v, nil
	}, pipeline.Workers(2))
	pipeline.Sink(m, func(context.Context, int) error { return nil })
	require.ErrorIs(t, p.Run(context.Background()), tandem.ErrGoexit)
}

func TestAPanicInTheLoopBodyStopsThePipelineBeforeItUnwinds(t *testing.T) {
	defer goleak.VerifyNone(t)
	var squared atomic.Int64
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(100000), pipeline.Buffer(4))
	m := pipeline.Map(src, func(_ context.Context, v int) (int, error) {
		squared.Add(1)
		return v * v, nil
	}, pipeline.Buffer(4))
	require.PanicsWithValue(t, "loop body failed", func() {
		for v, err := range pipeline.RunAll(context.Background(), m) {
			require.NoError(t, err)
			if v == 25 {
				panic("loop body failed")
			}
		}
	})
	assert.Less(t, squared.Load(), int64(100), "the pipeline must stop, not drain")
}

func TestRunReturnsTheParentContextsCause(t *testing.T) {
	cause := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	p := pipeline.New()
	src := pipeline.FromSlice(p, numbers(10))
	pipeline.Sink(src, func(context.Context, int) error { return nil })
	require.ErrorIs(t, p.Run(ctx), cause)
}

//go:noinline
func crashingStageForSubprocess(_ context.Context, v int) (int, error) {
	panic("deliberate crash in a stage")
}

// TestAStagePanicCrashesTheProgramWithTheStagesStack re-runs this test
// binary in a subprocess whose pipeline has a panicking stage and nothing
// recovers: the program must die, and its output must name the stage's frame.
func TestAStagePanicCrashesTheProgramWithTheStagesStack(t *testing.T) {
	if crashtest.InChild(t) {
		p := pipeline.New()
		m := pipeline.Map(pipeline.FromSlice(p, numbers(10)), crashingStageForSubprocess)
		pipeline.Sink(m, func(context.Context, int) error { return nil })
		_ = p.Run(context.Background()) // must crash
		return
	}
	out := crashtest.Panicked(t)
	assert.Contains(t, out, "deliberate crash in a stage")
	assert.Contains(t, out, "pipeline_test.crashingStageForSubprocess", "crash output lacks the stage's frame")
}
