package bench

import (
	"runtime"
	"testing"
)

// perItem runs op in a b.Loop and reports, besides ns/op, the cost per item
// handled: ns/item, B/item and allocs/item. Every call of op must handle
// items items; per-item figures compare fairly across batch sizes and peers.
func perItem(b *testing.B, items int, op func()) {
	b.Helper()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ops := 0
	for b.Loop() {
		op()
		ops++
	}
	runtime.ReadMemStats(&after)
	n := float64(ops) * float64(items)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/item")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/item")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/item")
}

// sink keeps results alive so the compiler cannot drop the work that made them.
var sink any
