package parallel

import "sync/atomic"

// helpersInUse counts the helper goroutines that every call in the process
// has running, so that concurrent and nested calls share the cores instead
// of each starting its own GOMAXPROCS goroutines. It is a count of tokens, not a
// pool: a helper is started when a call gets a token and exits, returning
// it, when its call has no chunk left. A parked pool would cost a wake-up per
// call or idle spinning, and the Go scheduler already balances goroutines
// over the cores.
var helpersInUse atomic.Int64

// acquireHelpers takes up to want tokens out of limit and returns how many
// it got.
func acquireHelpers(want, limit int) int {
	for {
		used := helpersInUse.Load()
		free := int64(limit) - used
		if free <= 0 || want <= 0 {
			return 0
		}
		got := min(int64(want), free)
		if helpersInUse.CompareAndSwap(used, used+got) {
			return int(got)
		}
	}
}

func releaseHelper() { helpersInUse.Add(-1) }
