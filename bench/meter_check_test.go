package bench

import "testing"

// BenchmarkHarness checks the harness itself: a loop of 1000 additions per
// op should report about 1000x less per item than per op, and no allocation.
func BenchmarkHarness(b *testing.B) {
	const items = 1000
	b.Run("loop", func(b *testing.B) {
		var s int
		perItem(b, items, func() {
			for i := range items {
				s += i
			}
		})
		sink = s
	})
}
