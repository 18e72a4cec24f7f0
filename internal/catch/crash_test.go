package catch_test

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/internal/catch"
	"github.com/tandem-go/tandem/internal/crashtest"
)

//go:noinline
func crashingTaskForSubprocess() { panic("deliberate crash in a task") }

// TestRaisedPanicCrashesTheProgramWithTheTasksStack checks in a subprocess
// that a task's panic raised by the waiter, with nothing to recover it,
// kills the program, and that the output names the frame of the task.
func TestRaisedPanicCrashesTheProgramWithTheTasksStack(t *testing.T) {
	if crashtest.InChild(t) {
		var ps catch.Panics
		var wg sync.WaitGroup
		wg.Go(func() { ps.Add(catch.Call(crashingTaskForSubprocess, nil)) })
		wg.Wait()
		ps.Raise()
		return
	}
	out := crashtest.Panicked(t)
	assert.Contains(t, out, "deliberate crash in a task")
	assert.Contains(t, out, "catch_test.crashingTaskForSubprocess", "crash output lacks the task's frame")
}

// TestCallTellsPanicNilFromGoexitUnderPanicnil1 checks, in a subprocess
// run with GODEBUG=panicnil=1 (where recover returns nil for panic(nil), as
// before Go 1.21), that a panic(nil) is still a panic: Call returns it as a
// *runtime.PanicNilError and does not run the Goexit hook.
func TestCallTellsPanicNilFromGoexitUnderPanicnil1(t *testing.T) {
	if crashtest.InChild(t) {
		goexits := 0
		p := catch.Call(func() { panic(nil) }, func() { goexits++ })
		var nilErr *runtime.PanicNilError
		fmt.Printf("panic=%v goexits=%d nilerror=%v\n", p != nil, goexits, p != nil && errors.As(p, &nilErr))
		return
	}
	t.Setenv("GODEBUG", "panicnil=1")
	out, status := crashtest.Run(t)
	assert.Equal(t, 0, status, out)
	assert.Contains(t, out, "panic=true goexits=0 nilerror=true")
}
