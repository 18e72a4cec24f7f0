package crashtest_test

import (
	"os"
	"strings"
	"testing"

	"github.com/tandem-go/tandem/internal/crashtest"
)

func TestRunReportsTheCrashOfTheSubprocess(t *testing.T) {
	if crashtest.InChild(t) {
		panic("crash on purpose")
	}
	out, status := crashtest.Run(t)
	if status != 2 || !strings.Contains(out, "crash on purpose") {
		t.Fatalf("status %d, output:\n%s\nwant status 2 and the panic message", status, out)
	}
}

func TestRunReportsANormalExit(t *testing.T) {
	if crashtest.InChild(t) {
		os.Exit(0)
	}
	if _, status := crashtest.Run(t); status != 0 {
		t.Fatalf("status %d, want 0", status)
	}
}

func TestPanickedReturnsTheOutputOfASubprocessThatPanicked(t *testing.T) {
	if crashtest.InChild(t) {
		panic("crash on purpose")
	}
	if out := crashtest.Panicked(t); !strings.Contains(out, "crash on purpose") {
		t.Fatalf("output:\n%s\nwant the panic message", out)
	}
}
