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

// breakWhileASiblingFails ranges over All on one branch of a broadcast and
// breaks out of the loop once the other branch has failed (with fail) and
// the run is cancelled: the failure wins the race to be the run's cause.
func breakWhileASiblingFails(fail func() error) (loops int) {
	p := pipeline.New()
	b := pipeline.Broadcast(pipeline.FromSlice(p, []int{1}), 2)
	ctxCh, failNow := make(chan context.Context, 1), make(chan struct{})
	pipeline.ForEach(b[1], func(ctx context.Context, _ int) error {
		ctxCh <- ctx
		<-failNow
		return fail()
	})
	for range pipeline.All(context.Background(), b[0]) {
		loops++
		ctx := <-ctxCh
		close(failNow)
		<-ctx.Done()
		break
	}
	return loops
}

func TestAllYieldsNothingAfterABreakEvenWhenAnotherStageFailedFirst(t *testing.T) {
	boom := errors.New("boom")
	var loops int
	require.NotPanics(t, func() {
		loops = breakWhileASiblingFails(func() error { return boom })
	}, "All must not yield after the loop body returned false")
	require.Equal(t, 1, loops, "loop iterations")
}

func TestAllRaisesAStagePanicAfterABreak(t *testing.T) {
	defer func() {
		pe, ok := recover().(*tandem.PanicError)
		require.True(t, ok, "got %T, want *tandem.PanicError", pe)
		require.Equal(t, "sibling failed", pe.Value)
	}()
	breakWhileASiblingFails(func() error { panic("sibling failed") })
	t.Fatal("the stage's panic was not raised after the break")
}

func TestAllKeepsAStagePanicWhenTheLoopBodyPanicsToo(t *testing.T) {
	p := pipeline.New()
	b := pipeline.Broadcast(pipeline.FromSlice(p, []int{1}), 2)
	ctxCh, panicNow := make(chan context.Context, 1), make(chan struct{})
	pipeline.ForEach(b[1], func(ctx context.Context, _ int) error {
		ctxCh <- ctx
		<-panicNow
		panic("stage failed")
	})
	defer func() {
		pe, ok := recover().(*tandem.PanicError)
		require.True(t, ok, "got %T, want *tandem.PanicError", pe)
		require.Equal(t, "loop body failed", pe.Value, "the body's panic comes first")
		require.Contains(t, pe.Stack, "TestAllKeepsAStagePanicWhenTheLoopBodyPanicsToo", "the body's own stack")
		require.Len(t, pe.Others, 1, "the stage's panic is kept")
		require.Equal(t, "stage failed", pe.Others[0].Value)
	}()
	for range pipeline.All(context.Background(), b[0]) {
		ctx := <-ctxCh
		close(panicNow)
		<-ctx.Done()
		panic("loop body failed")
	}
	t.Fatal("the loop body's panic did not unwind the loop")
}

func TestAllRaisesAStagePanicWhenTheLoopBodyCallsGoexit(t *testing.T) {
	p := pipeline.New()
	b := pipeline.Broadcast(pipeline.FromSlice(p, []int{1}), 2)
	ctxCh, panicNow := make(chan context.Context, 1), make(chan struct{})
	pipeline.ForEach(b[1], func(ctx context.Context, _ int) error {
		ctxCh <- ctx
		<-panicNow
		panic("stage failed")
	})
	var recovered any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { recovered = recover() }()
		for range pipeline.All(context.Background(), b[0]) {
			ctx := <-ctxCh
			close(panicNow)
			<-ctx.Done()
			runtime.Goexit() // as t.FailNow in the loop body does
		}
	}()
	<-done
	pe, ok := recovered.(*tandem.PanicError)
	require.True(t, ok, "got %T, want *tandem.PanicError", recovered)
	require.Equal(t, "stage failed", pe.Value)
}
