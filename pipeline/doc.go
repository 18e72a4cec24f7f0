// Package pipeline runs typed stages connected by bounded buffers: read from
// a queue, parse, enrich with many calls at once, batch, store. Each stage
// has its own concurrency; the slowest stage sets the pace of the others.
package pipeline
