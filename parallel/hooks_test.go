package parallel

import (
	"testing"
	"time"
)

// forceHelpers makes every call with work left after its first chunk start
// helpers, and allows up to limit of them in the process, so the tests
// exercise the parallel path on small inputs and on a 2-core machine.
func forceHelpers(t testing.TB, limit int) {
	t.Helper()
	waitHelpersGone(t) // helpers of earlier tests may still hold tokens
	oldBudget, oldLimit := probeBudget, helperLimit
	probeBudget = 0
	helperLimit = func(int) int { return limit }
	t.Cleanup(func() { probeBudget, helperLimit = oldBudget, oldLimit })
}

// helpersStarted and helpersPeak read the budget's test counters.
func helpersStarted() int64 { return budget.started.Load() }

func resetHelpersPeak() { budget.peak.Store(budget.inUse.Load()) }

func helpersPeak() int64 { return budget.peak.Load() }

// waitHelpersGone waits until every helper has returned its token: helpers
// that claimed nothing may outlive the call by a moment.
func waitHelpersGone(t testing.TB) {
	t.Helper()
	// Polls for a condition, asserts no duration: the bound only turns a
	// leaked token into a failure instead of a hang.
	for range 100_000 {
		if budget.inUse.Load() == 0 {
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
	t.Fatalf("helpers still hold %d tokens", budget.inUse.Load())
}
