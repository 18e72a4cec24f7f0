// Package ordered is the ordered hand-off shared by tandem's concurrent
// stages: several workers take inputs one after another, handle them at the
// same time, and their results leave in the order the inputs were taken.
//
// A Window hands out tickets in input order and keeps a ring of result
// slots, one per ticket in flight. A worker that finishes deposits its
// results in its slot and moves on to the next input; it does not wait for
// the workers before it. Whoever deposits the oldest missing result becomes
// the emitter: it passes on every consecutive ready result, outside the
// lock, while the others keep working (flat combining). So results leave in
// runs, one emitter at a time, and nothing is allocated per item: the slots
// and their buffers are reused. The window bounds how far the fastest
// worker may run ahead of the oldest unfinished item; a worker that would go
// past it waits, on a channel, so a blocked worker is durably blocked for
// testing/synctest.
package ordered
