package pipeline_test

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/pipeline"
)

// withFailingSibling declares a broadcast of one item whose second branch
// fails with fail (an error or a panic) when told. It returns the first
// branch, to range over with RunAll, and failSibling, which makes the second
// branch fail and returns once the run is cancelled: the failure has won the
// race to be the run's cause.
func withFailingSibling(fail func() error) (first *pipeline.Stage[int], failSibling func()) {
	p := pipeline.New()
	b := pipeline.Broadcast(pipeline.FromSlice(p, []int{1}), 2)
	ctxCh, failNow := make(chan context.Context, 1), make(chan struct{})
	pipeline.Sink(b[1], func(ctx context.Context, _ int) error {
		ctxCh <- ctx
		<-failNow
		return fail()
	})
	return b[0], func() {
		ctx := <-ctxCh
		close(failNow)
		<-ctx.Done()
	}
}

func TestAllYieldsNothingAfterABreakEvenWhenAnotherStageFailedFirst(t *testing.T) {
	s, failSibling := withFailingSibling(func() error { return errors.New("boom") })
	loops := 0
	require.NotPanics(t, func() {
		for range pipeline.RunAll(context.Background(), s) {
			loops++
			failSibling()
			break
		}
	}, "RunAll must not yield after the loop body returned false")
	require.Equal(t, 1, loops, "loop iterations")
}

func TestAllRaisesAStagePanicAfterABreak(t *testing.T) {
	s, failSibling := withFailingSibling(func() error { panic("sibling failed") })
	defer func() {
		pe, ok := recover().(*tandem.PanicError)
		require.True(t, ok, "got %T, want *tandem.PanicError", pe)
		require.Equal(t, "sibling failed", pe.Value)
	}()
	for range pipeline.RunAll(context.Background(), s) {
		failSibling()
		break
	}
	t.Fatal("the stage's panic was not raised after the break")
}

func TestAllKeepsAStagePanicWhenTheLoopBodyPanicsToo(t *testing.T) {
	s, failSibling := withFailingSibling(func() error { panic("stage failed") })
	defer func() {
		pe, ok := recover().(*tandem.PanicError)
		require.True(t, ok, "got %T, want *tandem.PanicError", pe)
		require.Equal(t, "loop body failed", pe.Value, "the body's panic comes first")
		require.Contains(t, pe.Stack, "TestAllKeepsAStagePanicWhenTheLoopBodyPanicsToo", "the body's own stack")
		require.Len(t, pe.Others, 1, "the stage's panic is kept")
		require.Equal(t, "stage failed", pe.Others[0].Value)
	}()
	for range pipeline.RunAll(context.Background(), s) {
		failSibling()
		panic("loop body failed")
	}
	t.Fatal("the loop body's panic did not unwind the loop")
}

func TestAllRaisesAStagePanicWhenTheLoopBodyCallsGoexit(t *testing.T) {
	s, failSibling := withFailingSibling(func() error { panic("stage failed") })
	var recovered any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { recovered = recover() }()
		for range pipeline.RunAll(context.Background(), s) {
			failSibling()
			runtime.Goexit() // as t.FailNow in the loop body does
		}
	}()
	<-done
	pe, ok := recovered.(*tandem.PanicError)
	require.True(t, ok, "got %T, want *tandem.PanicError", recovered)
	require.Equal(t, "stage failed", pe.Value)
}
