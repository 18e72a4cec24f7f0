package pool_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/pool"
)

//go:noinline
func crashingPoolTask(context.Context) error { panic("deliberate crash in a pool task") }

// TestPoolTaskPanicWithoutAHandlerCrashesTheProgram re-runs this test binary
// in a subprocess: a panic in a fire-and-forget task, with no panic handler,
// must crash the program like a panic in a go statement, with the task's
// frame in the output, never be swallowed (pond #129, ants #35).
func TestPoolTaskPanicWithoutAHandlerCrashesTheProgram(t *testing.T) {
	if os.Getenv("TANDEM_POOL_CRASH") == "1" {
		p := pool.New(2)
		_ = p.Submit(context.Background(), crashingPoolTask)
		p.Close()
		os.Exit(0) // not reached when the panic crashes the program
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestPoolTaskPanicWithoutAHandlerCrashesTheProgram$")
	cmd.Env = append(os.Environ(), "TANDEM_POOL_CRASH=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()

	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "subprocess should have crashed; output:\n%s", out.String())
	assert.Equal(t, 2, exit.ExitCode(), "an unrecovered panic exits with status 2")
	assert.Contains(t, out.String(), "deliberate crash in a pool task")
	assert.Contains(t, out.String(), "pool_test.crashingPoolTask", "crash output lacks the task's frame")
}
