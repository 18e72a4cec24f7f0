package crashtest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// childEnv is the environment variable that marks the child process; its
// value is the name of the test the child runs.
const childEnv = "TANDEM_CRASHTEST_CHILD"

// Run runs crash in a child process that runs only t's test, and returns
// the child's combined output and exit status. In the child, Run calls
// crash and exits with status 0 if crash returns, so it never returns
// there. t fails at once if the child cannot be started.
func Run(t testing.TB, crash func()) (output string, exitCode int) {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() {
		crash()
		os.Exit(0) // the parent sees status 0: crash did not crash
	}

	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run="+runPattern(t.Name()), "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+t.Name())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("crashtest: starting the child for %s: %v", t.Name(), err)
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// Panics is Run for code that must die of an unrecovered panic (or a
// fatal runtime error): the child must exit with status 2, or else t fails
// at once with the child's output. It returns that output.
func Panics(t testing.TB, crash func()) (output string) {
	t.Helper()
	out, code := Run(t, crash)
	if code != 2 {
		t.Fatalf("crashtest: the child exited with status %d, want 2 (an unrecovered panic); output:\n%s", code, out)
	}
	return out
}

// runPattern is the -test.run pattern that selects exactly the test (or
// subtest) named name: each level quoted and anchored.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
