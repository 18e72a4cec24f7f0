package parallel

import (
	"context"
	"sync/atomic"
)

// job is what one call asks for: the items and exactly one of the bodies.
// Every public function fills a job and hands it to the scheduler, so the
// scheduler is written once and no wrapper closure is allocated per call.
// R is the element type of Map's result and the accumulator of reductions.
type job[T, R any] struct {
	n      int // items
	leaf   int // items per leaf: the unit of hand-out, fixed by n and the options
	leaves int
	split  bool // call the body once per leaf (Chunk was set, or a reduction)
	fixed  bool // Chunk was set: the caller chose the leaves
	reduce bool
	fails  bool // the body can return an error (the Ctx forms)

	in  []T
	out []R

	body     func(lo, hi int)
	bodyCtx  func(ctx context.Context, lo, hi int) error
	each     func(i int, v *T)
	eachCtx  func(ctx context.Context, i int, v *T) error
	mapf     func(v T) R
	mapCtx   func(ctx context.Context, v T) (R, error)
	identity func() R
	fold     func(acc R, chunk []T) R
	foldCtx  func(ctx context.Context, acc R, chunk []T) (R, error)
	elem     func(v T) R
	elemCtx  func(ctx context.Context, v T) (R, error)
	combine  func(a, b R) R
}

// reductionLeaves is how many chunks a reduction is cut into by default:
// min(n, 8+n/128, 256). Up to 8 items every item is its own chunk, so a few
// expensive items still spread over the cores; 100 cheap items make 8
// chunks, so the per-chunk cost (an identity, a fold and a combine call,
// a few ns each chunk) stays within ~20-50 ns of a plain loop; 256 chunks, from
// ~32,000 items on, are enough for 2 x 128 workers to balance. It depends on
// n alone, so results are reproducible.
func reductionLeaves(n int) int { return min(n, 8+n/128, 256) }

// layout fixes the leaves from n and the options alone, never from timing
// or the worker count, so that reductions are reproducible.
func (j *job[T, R]) layout(n int, o *options) {
	j.n = n
	switch {
	case o.chunk > 0:
		j.leaf, j.split, j.fixed = o.chunk, true, true
	case j.reduce && n > 0:
		j.leaf = max(o.minChunk, ceilDiv(n, reductionLeaves(n)))
	default:
		j.leaf = o.minChunk
	}
	if j.reduce {
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

// stopped returns context.Cause(ctx) once ctx is done. The Ctx forms call
// it before every body call, so a claim of many leaves or items starts none
// after cancellation, and the skipped ones make the call fail instead of
// being counted as done. The other forms have no ctx and never call it.
func stopped(ctx context.Context) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// run runs items [lo, hi) of a job that does not reduce.
func (j *job[T, R]) run(ctx context.Context, lo, hi int) error {
	switch {
	case j.body != nil:
		j.body(lo, hi)
	case j.bodyCtx != nil:
		if err := stopped(ctx); err != nil {
			return err
		}
		return j.bodyCtx(ctx, lo, hi)
	case j.each != nil:
		for i := lo; i < hi; i++ {
			j.each(i, &j.in[i])
		}
	case j.eachCtx != nil:
		for i := lo; i < hi; i++ {
			if err := stopped(ctx); err != nil {
				return err
			}
			if err := j.eachCtx(ctx, i, &j.in[i]); err != nil {
				return err
			}
		}
	case j.mapf != nil:
		mapInto(j.out[lo:hi], j.in[lo:hi], j.mapf)
	case j.mapCtx != nil:
		out := j.out[lo:hi]
		for i, v := range j.in[lo:hi] {
			if err := stopped(ctx); err != nil {
				return err
			}
			r, err := j.mapCtx(ctx, v)
			if err != nil {
				return err
			}
			out[i] = r
		}
	}
	return nil
}

// partial folds one leaf into a fresh accumulator.
func (j *job[T, R]) partial(ctx context.Context, leaf int) (R, error) {
	lo, hi := j.bounds(leaf)
	chunk := j.in[lo:hi]
	acc := j.identity()
	switch {
	case j.fold != nil:
		return j.fold(acc, chunk), nil
	case j.foldCtx != nil:
		if err := stopped(ctx); err != nil {
			return acc, err
		}
		return j.foldCtx(ctx, acc, chunk)
	case j.elem != nil:
		for _, v := range chunk {
			acc = j.combine(acc, j.elem(v))
		}
	case j.elemCtx != nil:
		for _, v := range chunk {
			if err := stopped(ctx); err != nil {
				return acc, err
			}
			r, err := j.elemCtx(ctx, v)
			if err != nil {
				return acc, err
			}
			acc = j.combine(acc, r)
		}
	}
	return acc, nil
}

// runLeaves runs leaves [a, b) of a job that does not reduce: as one range
// when chunks are adaptive, one leaf at a time when their boundaries are
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

// mapInto sets out[i] = f(in[i]) in order. The loop is unrolled by four:
// with a call per element that the compiler cannot inline, the loop's own
// bookkeeping (bounds checks, the index, the branch) is a good part of the
// cost of a trivial f, and unrolling made Map over 1e7 float64 about 10%
// faster (BenchmarkParallelMapTrivial in bench/).
func mapInto[T, R any](out []R, in []T, f func(T) R) {
	out = out[:len(in)]
	i := 0
	for ; i+4 <= len(in); i += 4 {
		in4, out4 := in[i:i+4], out[i:i+4]
		out4[0], out4[1], out4[2], out4[3] = f(in4[0]), f(in4[1]), f(in4[2]), f(in4[3])
	}
	for ; i < len(in); i++ {
		out[i] = f(in[i])
	}
}
