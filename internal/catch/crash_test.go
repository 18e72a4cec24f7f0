package catch_test

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/internal/catch"
)

//go:noinline
func crashingTaskForSubprocess() { panic("deliberate crash in a task") }

// TestRaisedPanicCrashesTheProgramWithTheTasksStack re-runs this test binary
// in a subprocess whose waiter raises a task's panic and nothing recovers it:
// the program must die, and its output must name the frame of the task.
func TestRaisedPanicCrashesTheProgramWithTheTasksStack(t *testing.T) {
	if os.Getenv("TANDEM_CATCH_CRASH") == "1" {
		var ps catch.Panics
		var wg sync.WaitGroup
		wg.Go(func() { ps.Add(catch.Call(crashingTaskForSubprocess, nil)) })
		wg.Wait()
		ps.Raise() // must crash the subprocess
		os.Exit(0)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestRaisedPanicCrashesTheProgramWithTheTasksStack$")
	cmd.Env = append(os.Environ(), "TANDEM_CATCH_CRASH=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()

	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "subprocess should have crashed; output:\n%s", out.String())
	assert.Equal(t, 2, exit.ExitCode(), "an unrecovered panic exits with status 2")
	assert.Contains(t, out.String(), "deliberate crash in a task")
	assert.Contains(t, out.String(), "catch_test.crashingTaskForSubprocess", "crash output lacks the task's frame")
}
