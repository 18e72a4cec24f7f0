// Package crashtest runs a test again in a subprocess, for the behavior that
// ends a program (an unrecovered panic raised in a waiter), which a test
// cannot observe in its own process. Every package with a waiter needs it.
package crashtest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"testing"
)

const envVar = "TANDEM_CRASHTEST"

// InChild reports whether this process is the subprocess that Run started
// for t: the test then does the crashing part and nothing else.
func InChild(t *testing.T) bool { return os.Getenv(envVar) == t.Name() }

// Run runs t alone in a subprocess of the test binary, where InChild(t) is
// true, and returns the subprocess's combined output and exit status (0 if
// it exited normally). It fails t when the subprocess cannot be started.
func Run(t *testing.T) (output string, status int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$")
	cmd.Env = append(os.Environ(), envVar+"="+t.Name())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	default:
		t.Fatalf("crashtest: cannot run the subprocess: %v", err)
		return "", 0
	}
}

// Panicked is Run for a test whose subprocess must die of an unrecovered
// panic (or a fatal runtime error): it fails t at once, with the output,
// unless the subprocess exited with status 2, and returns the output.
func Panicked(t *testing.T) (output string) {
	t.Helper()
	out, status := Run(t)
	if status != 2 {
		t.Fatalf("crashtest: the subprocess exited with status %d, want 2 (an unrecovered panic); output:\n%s", status, out)
	}
	return out
}
