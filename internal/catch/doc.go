// Package catch runs tasks so that neither a panic nor runtime.Goexit can
// hang the goroutine that waits for them, and raises recovered panics again
// in that waiter. Every construct of tandem that has a waiter uses it, so the
// panic policy of the library is written once.
package catch
