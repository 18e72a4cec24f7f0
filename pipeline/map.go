package pipeline

import (
	"context"

	"github.com/tandem-go/tandem/internal/misuse"
)

// Map declares a stage that calls f on each item of s and passes the results
// on. Options: Name, Workers, Buffer, Ordered, Pace, Timeout, OnError.
//
// f receives the pipeline's context (or the item's, with Timeout), which is
// cancelled when the pipeline stops. An error from f stops the pipeline
// (unless OnError routes it), and Run returns it. Map panics if s or f is
// nil, or on an option that does not apply.
func Map[T, U any](s *Stage[T], f func(ctx context.Context, item T) (U, error), opts ...Option) *Stage[U] {
	const where = "pipeline: Map"
	misuse.Nil(where, "function", f)
	o := buildOptions(where, opts)
	o.check(where, true, true, true, true, true)
	_, out := declareTransform(where, "Map", s, o, func(ctx context.Context, item T, out []U) ([]U, error) {
		v, err := f(ctx, item)
		if err != nil {
			return out, err
		}
		return append(out, v), nil
	}, false, false)
	return out
}

// Filter declares a stage that passes on the items of s for which keep
// returns true. Options: Name, Workers, Buffer, Ordered, Pace, Timeout,
// OnError. Filter panics if s or keep is nil, or on an option that does not
// apply.
func Filter[T any](s *Stage[T], keep func(ctx context.Context, item T) (bool, error), opts ...Option) *Stage[T] {
	const where = "pipeline: Filter"
	misuse.Nil(where, "function", keep)
	o := buildOptions(where, opts)
	o.check(where, true, true, true, true, true)
	_, out := declareTransform(where, "Filter", s, o, func(ctx context.Context, item T, out []T) ([]T, error) {
		ok, err := keep(ctx, item)
		if err != nil || !ok {
			return out, err
		}
		return append(out, item), nil
	}, false, false)
	return out
}

// FlatMap declares a stage that calls f on each item of s and passes on each
// element of the slice f returns, in order. With Ordered, the elements of
// one item stay together and items keep their input order. Options: Name,
// Workers, Buffer, Ordered, Pace, Timeout, OnError. FlatMap panics if s or f
// is nil, or on an option that does not apply.
func FlatMap[T, U any](s *Stage[T], f func(ctx context.Context, item T) ([]U, error), opts ...Option) *Stage[U] {
	const where = "pipeline: FlatMap"
	misuse.Nil(where, "function", f)
	o := buildOptions(where, opts)
	o.check(where, true, true, true, true, true)
	_, out := declareTransform(where, "FlatMap", s, o, func(ctx context.Context, item T, out []U) ([]U, error) {
		vs, err := f(ctx, item)
		if err != nil {
			return out, err
		}
		return append(out, vs...), nil
	}, false, true)
	return out
}

// Unbatch declares a stage that passes on the elements of each slice of s,
// one by one: the inverse of Batch. Options: Name, Buffer. Unbatch panics if
// s is nil, or on an option that does not apply.
func Unbatch[T any](s *Stage[[]T], opts ...Option) *Stage[T] {
	const where = "pipeline: Unbatch"
	o := buildOptions(where, opts)
	o.check(where, false, false, false, false, false)
	_, out := declareTransform(where, "Unbatch", s, o, func(_ context.Context, items []T, out []T) ([]T, error) {
		return append(out, items...), nil
	}, false, true)
	return out
}
