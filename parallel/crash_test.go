package parallel

import (
	"bytes"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

//go:noinline
func crashingChunk(lo int) {
	if lo > 0 {
		panic("deliberate crash in a chunk")
	}
}

// TestAnUnrecoveredPanicInABodyCrashesWithTheBodysStack re-runs this test
// binary in a subprocess where a body panics on a helper and nothing
// recovers the raised panic: the program must die with the body's frame.
func TestAnUnrecoveredPanicInABodyCrashesWithTheBodysStack(t *testing.T) {
	if os.Getenv("TANDEM_PARALLEL_CRASH") == "1" {
		probeBudget = 0
		For(1000, func(lo, hi int) { crashingChunk(lo) }, Chunk(1))
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAnUnrecoveredPanicInABodyCrashesWithTheBodysStack$")
	cmd.Env = append(os.Environ(), "TANDEM_PARALLEL_CRASH=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "subprocess should have crashed; output:\n%s", out.String())
	assert.Equal(t, 2, exit.ExitCode(), "an unrecovered panic exits with status 2")
	assert.Contains(t, out.String(), "deliberate crash in a chunk")
	assert.Contains(t, out.String(), "parallel.crashingChunk")
}
