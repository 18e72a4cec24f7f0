package parallel

import "sync/atomic"

// budget counts the helper goroutines that every call in the process has
// running, so that concurrent and nested calls share the cores instead of
// each starting its own GOMAXPROCS goroutines. It is a count of tokens, not a
// pool: a helper is started when a call gets a token and exits, returning
// it, when its call has no chunk left. A parked pool would cost a wake-up per
// call or idle spinning, and the Go scheduler already balances goroutines
// over the cores.
var budget struct {
	inUse atomic.Int64
	// peak and started are read by tests only: the high-water mark of inUse
	// and the number of helpers ever started.
	peak    atomic.Int64
	started atomic.Int64
}

// helperLimit is the size of the budget for a process whose GOMAXPROCS is
// procs: one helper per core besides the calling goroutine, which always
// works on its own call. Tests replace it to run more helpers than cores.
var helperLimit = func(procs int) int { return procs - 1 }

// acquireHelpers takes up to want tokens out of limit and returns how many
// it got.
func acquireHelpers(want, limit int) int {
	for {
		used := budget.inUse.Load()
		free := int64(limit) - used
		if free <= 0 || want <= 0 {
			return 0
		}
		got := min(int64(want), free)
		if budget.inUse.CompareAndSwap(used, used+got) {
			for {
				p := budget.peak.Load()
				if used+got <= p || budget.peak.CompareAndSwap(p, used+got) {
					break
				}
			}
			budget.started.Add(got)
			return int(got)
		}
	}
}

func releaseHelper() { budget.inUse.Add(-1) }
