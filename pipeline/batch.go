package pipeline

import (
	"time"

	"github.com/tandem-go/tandem/internal/misuse"
)

// Batch declares a stage that groups the items of s into slices of up to
// size items, in order. A batch is passed on when it is full, or maxWait
// after its first item was taken, whichever comes first, so no item waits
// longer than maxWait for its batch to leave: the wait is measured from the
// batch's first item, not reset by each new item. With maxWait <= 0 only
// the size counts (and the end of the input, which passes on the last,
// partial batch). Each batch is a new slice that the consumer owns.
// Options: Name, Buffer. In Stats, Out counts batches and the other counts
// items: an item succeeds once its batch is handed on.
//
// Batch panics if s is nil, if size < 1, or on an option that does not apply.
func Batch[T any](s *Stage[T], size int, maxWait time.Duration, opts ...Option) *Stage[[]T] {
	const where = "pipeline: Batch"
	if size < 1 {
		misuse.Panicf(where, "size must be at least 1, got %d", size)
	}
	p := pipelineOf(where, s)
	o := buildOptions(where, opts)
	o.check(where, false, false, false, false, false)
	c := p.declare(where, "Batch", o.name, 1)
	b := &batcher[T]{c: c, size: size, maxWait: maxWait, in: s.take(where, c, 1)}
	out := newStage[[]T](p, c, 1, o.buffer)
	b.out = out.out
	p.nodes = append(p.nodes, b)
	return out
}

type batcher[T any] struct {
	c       *stageCounters
	size    int
	maxWait time.Duration
	in      *edge[T]
	out     *edge[[]T]
}

func (b *batcher[T]) start(r *run) {
	r.spawn(b.c, false, func(m *meter) { b.work(r, m) })
}

// work collects batches. The items of the open batch were begun: when the
// run stops they are Canceled, as are those of a batch that could not be
// handed over (the writer counts the batches it holds, with hold).
func (b *batcher[T]) work(r *run, m *meter) {
	in := b.in.reader(r, m)
	defer in.close()
	out := b.out.writer(r, m, perHold)
	defer out.close()
	var batch []T
	var timer *time.Timer
	var alarm <-chan time.Time // the timer's channel while a batch is open
	rang := false              // the open batch's tick was received
	if b.maxWait > 0 {
		timer = time.NewTimer(time.Hour)
		timer.Stop()
		defer timer.Stop()
	}
	pass := func() bool {
		if timer != nil {
			if !rang {
				// The timer is reset for the next batch: a tick left
				// from this one would pass the next batch at once,
				// before its maxWait.
				stopTimer(timer)
			}
			alarm, rang = nil, false
		}
		v := batch
		batch = nil
		if !out.put(v) {
			m.c.canceled.Add(int64(len(v)))
			return false
		}
		out.hold(int64(len(v)))
		return true
	}
	for {
		item, st := in.nextOr(out, alarm)
		switch st {
		case readItem:
			if batch == nil {
				batch = make([]T, 0, b.size)
				if timer != nil {
					timer.Reset(b.maxWait)
					alarm, rang = timer.C, false
				}
			}
			batch = append(batch, item)
			if len(batch) == b.size && !pass() {
				return
			}
		case readAlarm:
			rang = true
			if len(batch) > 0 && !pass() {
				return
			}
		case readEnd:
			if len(batch) > 0 && !pass() {
				return
			}
			out.flush()
			return
		case readStopped:
			m.c.canceled.Add(int64(len(batch)))
			return
		}
	}
}
