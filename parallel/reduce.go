package parallel

import "context"

// Reduce cuts in into chunks, folds each chunk into a fresh accumulator made
// by identity, in parallel, and combines the chunk results left to right in
// chunk order: combine(combine(fold(identity(), c0), fold(identity(), c1)), ...).
// An empty input returns identity().
//
// The chunks are fixed by n = len(in) and the options alone (by default
// min(n, 8+n/128, 256) chunks of equal size, see Chunk and MinChunk), never
// by timing or the number of workers, so a floating-point sum is
// bit-identical on every run, with any Workers and on any machine. It differs from a plain left-to-right
// loop, which associates differently. combine must be associative for the
// result to mean anything; it need not be commutative.
//
// identity is a function so that accumulators that are maps or slices are
// never shared between chunks. fold sees a whole chunk, so a loop inside it
// costs nothing per item; MapReduce is the per-element convenience.
// Panics are those of For. Reduce panics with "parallel: nil body" when
// identity, fold or combine is nil.
func Reduce[T, A any](in []T, identity func() A, fold func(acc A, chunk []T) A, combine func(a, b A) A, opts ...Option) A {
	if identity == nil || fold == nil || combine == nil {
		panic("parallel: nil body")
	}
	var c call[T, A]
	c.in, c.reduce = in, true
	c.identity, c.fold, c.combine = identity, fold, combine
	c.configure(len(in), opts)
	acc, _ := c.execute()
	return acc
}

// ReduceCtx is Reduce for folds that can fail. It returns the reduction
// when every fold returned nil, and otherwise the zero A and the first error
// (or context.Cause(ctx) when ctx ended the call); errors, cancellation and
// the context fold receives are those of ForCtx.
func ReduceCtx[T, A any](ctx context.Context, in []T, identity func() A, fold func(ctx context.Context, acc A, chunk []T) (A, error), combine func(a, b A) A, opts ...Option) (A, error) {
	if identity == nil || fold == nil || combine == nil {
		panic("parallel: nil body")
	}
	var c call[T, A]
	c.in, c.reduce, c.fails = in, true, true
	c.identity, c.foldCtx, c.combine = identity, fold, combine
	c.configureCtx(ctx, len(in), opts)
	return c.execute()
}

// MapReduce maps every element with mapf and combines the results: within
// a chunk acc = combine(acc, mapf(v)) from identity(), then the chunk results
// in chunk order, over the same fixed chunks as Reduce, so it is as
// reproducible. It costs two indirect calls per element; for cheap elements
// Reduce with a loop in fold is several times faster.
func MapReduce[T, A any](in []T, identity func() A, mapf func(v T) A, combine func(a, b A) A, opts ...Option) A {
	if identity == nil || mapf == nil || combine == nil {
		panic("parallel: nil body")
	}
	var c call[T, A]
	c.in, c.reduce = in, true
	c.identity, c.elem, c.combine = identity, mapf, combine
	c.configure(len(in), opts)
	acc, _ := c.execute()
	return acc
}

// MapReduceCtx is MapReduce for mapping functions that can fail; results
// and errors are those of ReduceCtx.
func MapReduceCtx[T, A any](ctx context.Context, in []T, identity func() A, mapf func(ctx context.Context, v T) (A, error), combine func(a, b A) A, opts ...Option) (A, error) {
	if identity == nil || mapf == nil || combine == nil {
		panic("parallel: nil body")
	}
	var c call[T, A]
	c.in, c.reduce, c.fails = in, true, true
	c.identity, c.elemCtx, c.combine = identity, mapf, combine
	c.configureCtx(ctx, len(in), opts)
	return c.execute()
}
