package parallel

import (
	"context"
	"sync/atomic"
)

// kind says which function a job runs: For's body, Map's element function
// or Reduce's fold. A switch on it costs a predictable branch per chunk,
// where an interface per form would cost an indirect call.
type kind uint8

const (
	forKind    kind = iota // body over ranges
	mapKind                // out[i] = mapf(in[i]), a call per element
	reduceKind             // fold a leaf into identity(), combine in order
)

// job is what one call asks for: the items, how they are cut into leaves,
// and the functions of its kind (the others are nil). Every public function
// fills a job and hands it to the scheduler, so the scheduler is written
// once and no wrapper closure is allocated per call. R is the element type
// of Map's result and the accumulator of a reduction.
type job[T, R any] struct {
	kind   kind
	n      int // items
	leaf   int // items per leaf: the unit of hand-out, fixed by n and the options
	leaves int
	split  bool // call the function once per leaf (Chunk was set, or a reduction)
	fixed  bool // Chunk was set: the caller chose the leaves

	// ctx is the caller's context; watch is ctx.Done() != nil. A context
	// that is never done (context.Background) is never checked: no chunk
	// pays for it.
	ctx   context.Context
	watch bool

	in  []T
	out []R // mapKind

	body     func(ctx context.Context, lo, hi int) error            // forKind
	mapf     func(v T) R                                            // mapKind
	identity func() R                                               // reduceKind
	fold     func(ctx context.Context, acc R, chunk []T) (R, error) // reduceKind
	combine  func(a, b R) R                                         // reduceKind
}

// reductionLeaves is how many chunks a reduction is cut into by default:
// min(n, 8+n/128, 256). Up to 8 items every item is its own chunk, so a few
// expensive items still spread over the cores; 100 cheap items make 8
// chunks, so the per-chunk cost (an identity, a fold and a combine call)
// stays small next to a plain loop; 256 chunks, from ~32,000 items on, are
// enough for 2 x 128 workers to balance. It depends on n alone, so results
// are reproducible.
func reductionLeaves(n int) int { return min(n, 8+n/128, 256) }

// layout fixes the leaves from n and the options alone, never from timing
// or the worker count, so that reductions are reproducible.
func (j *job[T, R]) layout(n int, o *options) {
	j.n = n
	reduce := j.kind == reduceKind
	switch {
	case o.chunk > 0:
		j.leaf, j.split, j.fixed = o.chunk, true, true
	case reduce && n > 0:
		j.leaf = max(o.minChunk, ceilDiv(n, reductionLeaves(n)))
	default:
		j.leaf = o.minChunk
	}
	if reduce {
		j.split = true
	}
	j.leaves = ceilDiv(n, j.leaf)
}

// ceilDiv returns ceil(a/b) for a >= 0 and b >= 1; unlike (a+b-1)/b it
// cannot overflow, whatever Chunk or MinChunk asked for.
func ceilDiv(a, b int) int {
	q := a / b
	if q*b < a {
		q++
	}
	return q
}

// start returns the first item of a leaf, or n for leaves = j.leaves: a
// leaf before the last starts below n, so the product cannot overflow.
func (j *job[T, R]) start(leaf int) int {
	if leaf >= j.leaves {
		return j.n
	}
	return leaf * j.leaf
}

func (j *job[T, R]) bounds(leaf int) (lo, hi int) {
	lo = j.start(leaf)
	return lo, lo + min(j.leaf, j.n-lo)
}

// stopped returns context.Cause(ctx) once the caller's ctx is done. It runs
// before every call of a body, fold or Map chunk, so a claim of many
// leaves starts none after cancellation, and the skipped ones make the call
// fail instead of being counted as done. A ctx that is never done costs a
// branch.
func (j *job[T, R]) stopped() error {
	if j.watch && j.ctx.Err() != nil {
		return context.Cause(j.ctx)
	}
	return nil
}

// run runs items [lo, hi) of a For or Map job; ctx is what a body receives.
func (j *job[T, R]) run(ctx context.Context, lo, hi int) error {
	if err := j.stopped(); err != nil {
		return err
	}
	if j.kind == mapKind {
		mapInto(j.out[lo:hi], j.in[lo:hi], j.mapf)
		return nil
	}
	return j.body(ctx, lo, hi)
}

// partial folds one leaf of a reduction into a fresh accumulator.
func (j *job[T, R]) partial(ctx context.Context, leaf int) (R, error) {
	if err := j.stopped(); err != nil {
		var zero R
		return zero, err
	}
	lo, hi := j.bounds(leaf)
	return j.fold(ctx, j.identity(), j.in[lo:hi])
}

// runLeaves runs leaves [a, b) of a For or Map job: as one range when
// chunks are adaptive, one leaf at a time when their boundaries are
// promised. It stops between leaves once failed is set.
func (j *job[T, R]) runLeaves(ctx context.Context, a, b int, failed *atomic.Bool) error {
	if !j.split {
		lo, _ := j.bounds(a)
		_, hi := j.bounds(b - 1)
		return j.run(ctx, lo, hi)
	}
	for i := a; i < b; i++ {
		if failed != nil && failed.Load() {
			return nil
		}
		lo, hi := j.bounds(i)
		if err := j.run(ctx, lo, hi); err != nil {
			return err
		}
	}
	return nil
}
