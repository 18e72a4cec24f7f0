package catch_test

import (
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
