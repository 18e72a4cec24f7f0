package pipeline

import (
	"context"
	"iter"

	"github.com/tandem-go/tandem/internal/misuse"
)

// source is a stage with no input: one worker that takes items from
// somewhere and writes them out.
type source[T any] struct {
	opts options
	c    *stageCounters
	out  *edge[T]
	each bool // hand each item over at once (the source may block between items)
	kind intake
	// drive takes the items; ctx is the run's intake, cancelled by Stop.
	drive func(ctx context.Context, emit func(T) bool) error
}

// intake is how a source's emit treats an item once the pipeline stops.
type intake uint8

const (
	// offered (FromSlice): an item stays in the input until emit takes
	// it, so after Stop emit refuses it and takes nothing more.
	offered intake = iota
	// pulled (FromSeq, FromChan): the item left its input before emit saw
	// it, so after Stop emit still takes it (and returns false: pull no
	// more), and on a hard stop counts it as taken and Canceled.
	pulled
	// generated (Generate): the generator owns an item emit refuses, and
	// is told by its context to stop; emit takes items until the hard stop.
	generated
)

func declareSource[T any](where, kind string, p *Pipeline, opts []Option, each bool, in intake,
	drive func(ctx context.Context, emit func(T) bool) error) *Stage[T] {
	misuse.Nil(where, "Pipeline", p)
	o := buildOptions(where, opts)
	o.check(where, false, false, true, false, false)
	c := p.declare(where, kind, o.name, 1)
	c.outSucceeded = true
	out := newStage[T](p, c, 1, o.buffer)
	p.nodes = append(p.nodes, &source[T]{opts: o, c: c, out: out.out, each: each, kind: in, drive: drive})
	return out
}

func (s *source[T]) start(r *run) {
	r.spawn(s.c, false, func(m *meter) { s.work(r, m) })
}

// work runs drive. The writer counts each item it takes as In, and as
// Succeeded once handed over or Canceled; emit counts a pulled item it
// cannot pass on itself, so that it is not lost from the counts.
func (s *source[T]) work(r *run, m *meter) {
	out := s.out.writer(r, m, perResult)
	out.source = true
	defer out.close()
	waiter := s.opts.waiter
	// lost counts a pulled item that emit will not hand on.
	lost := func(failed bool) bool {
		if s.kind == pulled {
			m.c.in.Add(1)
			if failed {
				m.c.failed.Add(1)
			} else {
				m.c.canceled.Add(1)
			}
		}
		return false
	}
	// One check of a context per item: the intake closes with the run.
	emit := func(v T) bool {
		more := true // whether drive may go on
		switch s.kind {
		case offered:
			if r.intakeClosed() {
				return false
			}
		case pulled:
			if r.intakeClosed() {
				if r.stopped() {
					return lost(false)
				}
				more = false // take v, the last one
			}
		case generated:
			if r.stopped() {
				return false
			}
		}
		if waiter != nil {
			if !out.flush() {
				return lost(false)
			}
			start := m.beginWait(waitPace)
			err := waiter.WaitN(r.ctx, 1)
			m.endWait(waitPace, start)
			if err != nil {
				if r.ctx.Err() != nil {
					return lost(false)
				}
				r.fail(err)
				return lost(true)
			}
		}
		switch {
		case !s.each:
			if !out.put(v) {
				return false // v is counted by the writer, with the items before it
			}
		case !out.offer(v):
			return lost(false)
		}
		return more
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
// FromSlice panics if p is nil, or on an option that does not apply.
func FromSlice[T any](p *Pipeline, items []T, opts ...Option) *Stage[T] {
	return declareSource("pipeline: FromSlice", "FromSlice", p, opts, false, offered, func(_ context.Context, emit func(T) bool) error {
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
// pulling from seq (seq's loop sees yield return false); a value seq
// yielded before Stop is still taken and flows through to the sinks. A seq
// that blocks between values cannot be interrupted while it blocks: use
// Generate, whose function receives a context, for such sources. Each value
// is handed over as soon as it is emitted. FromSeq panics if p or seq is
// nil, or on an option that does not apply.
func FromSeq[T any](p *Pipeline, seq iter.Seq[T], opts ...Option) *Stage[T] {
	const where = "pipeline: FromSeq"
	misuse.Nil(where, "sequence", seq)
	return declareSource(where, "FromSeq", p, opts, true, pulled, func(_ context.Context, emit func(T) bool) error {
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
// there for the caller, and a value received before Stop is still taken
// and flows through to the sinks. FromChan panics if p or ch is nil (a nil
// channel never delivers, so the source would only end with the run), or
// on an option that does not apply.
func FromChan[T any](p *Pipeline, ch <-chan T, opts ...Option) *Stage[T] {
	const where = "pipeline: FromChan"
	misuse.Nil(where, "channel", ch)
	return declareSource(where, "FromChan", p, opts, true, pulled, func(ctx context.Context, emit func(T) bool) error {
		// Check ctx before each receive: when both are ready, select
		// would pick at random, and take values after Stop.
		for ctx.Err() == nil {
			select {
			case v, ok := <-ch:
				if !ok || !emit(v) {
					return nil
				}
			case <-ctx.Done():
				return nil
			}
		}
		return nil
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
// way to stop). Each item is handed over as soon as it is emitted. Generate
// panics if p or gen is nil, or on an option that does not apply.
func Generate[T any](p *Pipeline, gen func(ctx context.Context, emit func(T) bool) error, opts ...Option) *Stage[T] {
	const where = "pipeline: Generate"
	misuse.Nil(where, "function", gen)
	return declareSource(where, "Generate", p, opts, true, generated, gen)
}
