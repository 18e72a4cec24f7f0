package pipeline

import (
	"context"
	"iter"
)

// source is a stage with no input: one worker that takes items from
// somewhere and writes them out.
type source[T any] struct {
	opts options
	c    *stageCounters
	out  *edge[T]
	each bool // hand each item over at once (the source may block between items)
	// hold makes emit refuse items after Stop, for sources that cannot
	// see their context; Generate's items are taken until the hard stop.
	hold  bool
	drive func(ctx context.Context, emit func(T) bool) error
}

func declareSource[T any](kind string, p *Pipeline, opts []Option, each, hold bool,
	drive func(ctx context.Context, emit func(T) bool) error) *Stage[T] {
	if p == nil {
		panic("pipeline: " + kind + " into a nil Pipeline")
	}
	o := buildOptions(opts)
	o.check(kind, false, false, true, false, false)
	c := p.declare(kind, o.name, 1)
	out := newStage[T](p, c, 1, o.buffer)
	p.nodes = append(p.nodes, &source[T]{opts: o, c: c, out: out.out, each: each, hold: hold, drive: drive})
	return out
}

func (s *source[T]) start(r *run) {
	r.spawn(s.c, func(m *meter) { s.work(r, m) })
}

func (s *source[T]) work(r *run, m *meter) {
	out := s.out.writer(r, m)
	out.source = true
	defer out.close()
	waiter := s.opts.waiter
	emit := func(v T) bool {
		// The intake closes with the run, so it is the only check a
		// holding source needs.
		if s.hold && r.intakeClosed() || !s.hold && r.stopped() {
			return false
		}
		if waiter != nil {
			if !out.flush() {
				return false
			}
			start := m.beginWait(waitPace)
			err := waiter.WaitN(r.ctx, 1)
			m.endWait(waitPace, start)
			if err != nil {
				if r.ctx.Err() == nil {
					r.fail(err)
				}
				return false
			}
		}
		if !out.put(v) {
			return false
		}
		return !s.each || out.flush()
	}
	err := s.drive(r.intake, emit)
	if err != nil && r.intake.Err() == nil {
		r.fail(err)
		return
	}
	out.flush()
}

// FromSlice declares a source that emits the items of a slice in order.
// Options: Name, Buffer, Pace. After Stop it takes no further item.
func FromSlice[T any](p *Pipeline, items []T, opts ...Option) *Stage[T] {
	return declareSource(`FromSlice`, p, opts, false, true, func(_ context.Context, emit func(T) bool) error {
		for _, v := range items {
			if !emit(v) {
				return nil
			}
		}
		return nil
	})
}

// FromSeq declares a source that emits the values of seq in order. Options:
// Name, Buffer, Pace. After Stop, or when the pipeline stops, it stops
// pulling from seq (seq's loop sees yield return false). A seq that blocks
// between values cannot be interrupted while it blocks: use Generate, whose
// function receives a context, for such sources. Each value is handed over
// as soon as it is emitted.
func FromSeq[T any](p *Pipeline, seq iter.Seq[T], opts ...Option) *Stage[T] {
	return declareSource(`FromSeq`, p, opts, true, true, func(_ context.Context, emit func(T) bool) error {
		for v := range seq {
			if !emit(v) {
				return nil
			}
		}
		return nil
	})
}

// FromChan declares a source that emits the values received from ch until
// ch is closed. Options: Name, Buffer, Pace. After Stop, or when the
// pipeline stops, it receives nothing more from ch; values left in ch stay
// there for the caller.
func FromChan[T any](p *Pipeline, ch <-chan T, opts ...Option) *Stage[T] {
	return declareSource(`FromChan`, p, opts, true, true, func(ctx context.Context, emit func(T) bool) error {
		for {
			select {
			case v, ok := <-ch:
				if !ok || !emit(v) {
					return nil
				}
			case <-ctx.Done():
				return nil
			}
		}
	})
}

// Generate declares a source that runs gen once; gen passes its items to
// emit, in order. emit reports false when the pipeline has stopped (the item
// was not taken and gen should return). gen's context is cancelled by Stop
// and when the pipeline stops: a generator reading a queue passes it to its
// blocking receive and returns when it is done; an item received before
// that is still emitted and flows through to the sinks. Options: Name,
// Buffer, Pace.
//
// An error returned by gen stops the pipeline, and Run returns it, unless
// gen's context was already cancelled (then the error is taken for gen's
// way to stop). Each item is handed over as soon as it is emitted.
func Generate[T any](p *Pipeline, gen func(ctx context.Context, emit func(T) bool) error, opts ...Option) *Stage[T] {
	if gen == nil {
		panic("pipeline: Generate(nil)")
	}
	return declareSource(`Generate`, p, opts, true, false, gen)
}
