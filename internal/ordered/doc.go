// Package ordered is the ordered hand-off shared by tandem's concurrent
// stages: several workers take inputs one after another, process them at the
// same time, and emit their results in the order the inputs were taken.
//
// It is a permission-passing chain. Each worker owns a one-slot signal
// channel. Taking an input happens under a turn (a one-slot channel used as a
// lock that a blocked goroutine waits on durably, so it works under
// testing/synctest); the taker installs its own signal as the one the next
// taker must wait for before it may emit. So the chain needs no dispatcher
// goroutine, allocates nothing per item (workers+1 channels are reused), and
// its reorder window is the number of workers: a slow item holds back at most
// the results of the other workers, each of which then waits with one result.
package ordered
