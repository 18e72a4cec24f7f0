package catch_test

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/catch"
)

func TestCallReturnsNilWhenTheTaskReturns(t *testing.T) {
	ran := false
	p := catch.Call(func() { ran = true }, func() { t.Error("onGoexit called on a normal return") })
	assert.Nil(t, p)
	assert.True(t, ran)
}

//go:noinline
func panickingTask() { panic("task failed") }

func TestCallRecoversAPanicWithTheTasksStack(t *testing.T) {
	p := catch.Call(panickingTask, nil)
	require.NotNil(t, p)
	assert.Equal(t, "task failed", p.Value)
	assert.Contains(t, p.Stack, "catch_test.panickingTask", "stack should show the frame that panicked")
	assert.Contains(t, p.Stack, "panic(", "stack should be taken before unwinding")
}

func TestCallRecoversPanicNil(t *testing.T) {
	p := catch.Call(func() { panic(nil) }, nil)
	require.NotNil(t, p)
	var nilErr *runtime.PanicNilError
	assert.ErrorAs(t, p, &nilErr)
}

func TestCallKeepsAnErrorValueReachable(t *testing.T) {
	sentinel := errors.New("sentinel")
	p := catch.Call(func() { panic(sentinel) }, nil)
	assert.ErrorIs(t, p, sentinel)
}

func TestCallReportsGoexitAndTheWaiterDoesNotHang(t *testing.T) {
	var wg sync.WaitGroup
	var result error
	wg.Go(func() {
		catch.Call(runtime.Goexit, func() { result = tandem.ErrGoexit })
		result = errors.New("Call returned after Goexit") // must not run
	})
	wg.Wait() // a hang here is the bug this guards against
	assert.ErrorIs(t, result, tandem.ErrGoexit)
}

func TestCallLetsGoexitUnwindWithoutAHook(t *testing.T) {
	var wg sync.WaitGroup
	after := false
	wg.Go(func() {
		catch.Call(runtime.Goexit, nil)
		after = true
	})
	wg.Wait()
	assert.False(t, after, "code after Call ran although the task called Goexit")
}

func TestCallDoesNotAllocateOnNormalReturn(t *testing.T) {
	n := 0
	allocs := testing.AllocsPerRun(100, func() {
		_ = catch.Call(func() { n++ }, nil)
	})
	assert.Zero(t, allocs)
}

func TestCallPassesANestedPanicErrorOnAsItIs(t *testing.T) {
	inner := catch.Call(panickingTask, nil)
	require.NotNil(t, inner)
	outer := catch.Call(func() { panic(inner) }, nil)
	assert.Same(t, inner, outer, "a re-raised PanicError must not be wrapped again")
	assert.Contains(t, outer.Stack, "catch_test.panickingTask", "the stack is the task's that panicked")
	first, _, _ := strings.Cut(outer.Error(), "\n")
	assert.Equal(t, "panic: task failed", first)
}
