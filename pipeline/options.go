package pipeline

import (
	"context"
	"reflect"
	"time"

	"github.com/tandem-go/tandem/internal/misuse"
	"github.com/tandem-go/tandem/ratelimit"
)

// DefaultBuffer is the number of items that may wait between a stage and the
// next one when the stage has no Buffer option.
const DefaultBuffer = 256

// An Option configures one stage. Options that do not apply to a kind of
// stage (Workers on a source, Ordered on a sink) make the constructor panic,
// so a misconfiguration is found at once; so does a nil Option.
type Option interface {
	apply(*options)
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// options are the settings of one stage, built by buildOptions.
type options struct {
	name    string
	workers int
	buffer  int
	ordered bool
	waiter  ratelimit.Waiter
	timeout time.Duration
	onError any // func(context.Context, T, error) error, checked by the stage
	set     struct{ workers, ordered, waiter, timeout, onError bool }
}

// buildOptions applies opts over the defaults; where is "pipeline: Kind",
// the constructor that received them.
func buildOptions(where string, opts []Option) options {
	o := options{workers: 1, buffer: DefaultBuffer}
	for _, opt := range opts {
		misuse.Nil(where, "Option", opt)
		opt.apply(&o)
	}
	return o
}

// Name names the stage in Stats and in panic messages. The default is the
// constructor's name and the stage's position, such as "Map#2".
func Name(name string) Option {
	return optionFunc(func(o *options) { o.name = name })
}

// Workers runs the stage's function in n goroutines at once. The default is
// 1. Items leave a stage with several workers in the order they finish,
// unless the stage is Ordered. Workers panics if n < 1; it does not apply to
// sources, Batch, Unbatch, Merge and Broadcast.
func Workers(n int) Option {
	if n < 1 {
		misuse.Panicf("pipeline: Workers", "n must be at least 1, got %d", n)
	}
	return optionFunc(func(o *options) { o.workers, o.set.workers = n, true })
}

// Buffer lets up to n items wait between this stage and the next one, so the
// stage can run ahead of a slower consumer. The default is DefaultBuffer (256).
// Buffer(0) hands each item over directly, with nothing read ahead: use it
// where taking an item early is costly (a queue message that is then held
// unacknowledged). Buffer panics if n < 0.
//
// The buffer also bounds the work wasted when the pipeline stops early. A
// stage with w workers and Buffer b runs ahead of a consumer with r workers
// by at most b, plus a hand-off slice of min(b, 128) items per worker on
// each side (of one item when r > 1), plus its items in flight (one per
// worker, and up to max(64, 4w) results in the reorder window when
// Ordered): b + min(b, 128)*(w+r) + w for an unordered stage. The items not
// finished when the run stops count as Canceled or NotStarted in Stats;
// nothing is drained.
func Buffer(n int) Option {
	if n < 0 {
		misuse.Panicf("pipeline: Buffer", "n must not be negative, got %d", n)
	}
	return optionFunc(func(o *options) { o.buffer = n })
}

// Ordered makes a stage with several workers emit its results in the order
// of its input. The default is unordered. A worker that finishes early
// leaves its result in a reorder window and takes the next item; the worker
// that completes the oldest missing result passes on every consecutive
// ready one. The window holds max(64, 4×workers) results: a worker waits
// only when it would run further ahead of the oldest unfinished item.
// Ordering allocates nothing per item. Ordered applies to Map, Filter and FlatMap.
func Ordered() Option {
	return optionFunc(func(o *options) { o.ordered, o.set.ordered = true, true })
}

// Pace makes each worker of the stage call w.WaitN(ctx, 1) before each item,
// so the stage as a whole handles items no faster than w allows. The default
// is no pacing. A *ratelimit.Limiter shared by several stages (or
// pipelines) paces them together. An item whose wait ends because the
// pipeline stopped never began: it counts as NotStarted. On a source, Pace
// paces the intake: FromSlice and Generate wait before they take an item
// (one whose wait ends so is not taken), FromSeq and FromChan once they
// pulled it (it is then Canceled). Pace panics if w is nil, or a nil
// pointer in the interface (such as a nil *ratelimit.Limiter).
func Pace(w ratelimit.Waiter) Option {
	misuse.Nil("pipeline: Pace", "Waiter", w)
	return optionFunc(func(o *options) { o.waiter, o.set.waiter = w, true })
}

// Timeout gives each call of the stage's function a context that expires
// after d; the pipeline's own context is untouched. Timeout(0), the
// default, means no timeout. An item that times out fails with the
// function's error (usually context.DeadlineExceeded), which stops the
// pipeline unless the stage has OnError. A timeout costs one context and
// timer per item (a few allocations). Timeout panics if d < 0; it does not
// apply to sources, Batch, Unbatch, Merge and Broadcast.
func Timeout(d time.Duration) Option {
	if d < 0 {
		misuse.Panicf("pipeline: Timeout", "d must not be negative, got %v", d)
	}
	return optionFunc(func(o *options) { o.timeout, o.set.timeout = d, true })
}

// OnError routes the items for which the stage's function fails to handle
// instead of stopping the pipeline: handle receives the input item and the
// error. When handle returns nil the item is skipped (counted in Failed) and
// the stage goes on; when it returns an error, that error stops the pipeline
// as if the function had returned it. Use it to nack or requeue a message, or
// to skip only some errors. The default is that the first error stops the
// pipeline.
//
// handle runs in the worker that failed, so a slow handle slows the stage.
// It is not called for items canceled because the pipeline stopped, nor for
// panics (a panic is a bug and stops the pipeline). T must be the stage's
// input type, or the constructor panics; OnError panics if handle is nil.
func OnError[T any](handle func(ctx context.Context, item T, err error) error) Option {
	misuse.Nil("pipeline: OnError", "function", handle)
	return optionFunc(func(o *options) { o.onError, o.set.onError = handle, true })
}

// check panics when an option that the stage kind does not support was given.
func (o *options) check(where string, workers, ordered, waiter, timeout, onError bool) {
	bad := func(opt string) {
		misuse.Panicf(where, "the %s option does not apply", opt)
	}
	switch {
	case o.set.workers && !workers:
		bad("Workers")
	case o.set.ordered && !ordered:
		bad("Ordered")
	case o.set.waiter && !waiter:
		bad("Pace")
	case o.set.timeout && !timeout:
		bad("Timeout")
	case o.set.onError && !onError:
		bad("OnError")
	}
}

// errorHandler returns the stage's OnError callback typed for its input T.
func errorHandler[T any](where string, o *options) func(context.Context, T, error) error {
	if o.onError == nil {
		return nil
	}
	h, ok := o.onError.(func(context.Context, T, error) error)
	if !ok {
		misuse.Panicf(where, "OnError takes %T, but the stage's input is %v", o.onError, reflect.TypeFor[T]())
	}
	return h
}
