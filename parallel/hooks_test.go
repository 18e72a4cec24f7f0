package parallel

import "testing"

// forceHelpers makes every call with work left after its first chunk start
// helpers, and allows up to limit of them in the process, so the tests
// exercise the parallel path on small inputs and on a 2-core machine.
func forceHelpers(t testing.TB, limit int) {
	t.Helper()
	requireHelpersGone(t) // no earlier call may have left a helper running
	oldBudget, oldLimit := probeBudget, helperLimit
	probeBudget = 0
	helperLimit = func(int) int { return limit }
	t.Cleanup(func() { probeBudget, helperLimit = oldBudget, oldLimit })
}

// helpersStarted and helpersPeak read the budget's test counters.
func helpersStarted() int64 { return budget.started.Load() }

func resetHelpersPeak() { budget.peak.Store(budget.inUse.Load()) }

func helpersPeak() int64 { return budget.peak.Load() }

// requireHelpersGone fails unless every helper has given its token back:
// a call returns only once every helper it started has exited.
func requireHelpersGone(t testing.TB) {
	t.Helper()
	if inUse := budget.inUse.Load(); inUse != 0 {
		t.Fatalf("helpers still hold %d tokens, want 0", inUse)
	}
}
