package pipeline

import (
	"fmt"
	"time"
)

// Batch declares a stage that groups the items of s into slices of up to
// size items, in order. A batch is passed on when it is full, or maxWait
// after its first item was taken, whichever comes first, so no item waits
// longer than maxWait for its batch to leave: the wait is measured from the
// batch's first item, not reset by each new item. With maxWait <= 0 only
// the size counts (and the end of the input, which passes on the last,
// partial batch). Each batch is a new slice that the consumer owns.
// Options: Name, Buffer.
//
// Batch panics if size < 1.
func Batch[T any](s *Stage[T], size int, maxWait time.Duration, opts ...Option) *Stage[[]T] {
	if size < 1 {
		panic(fmt.Sprintf("pipeline: Batch size %d: need at least 1", size))
	}
	p := pipelineOf("Batch", s)
	o := buildOptions(opts)
	o.check("Batch", false, false, false, false, false)
	c := p.declare("Batch", o.name, 1)
	b := &batcher[T]{c: c, size: size, maxWait: maxWait, in: s.take(c, 1)}
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
	r.spawn(b.c, func(m *meter) { b.work(r, m) })
}

func (b *batcher[T]) work(r *run, m *meter) {
	in := b.in.reader(r, m)
	defer in.close()
	out := b.out.writer(r, m)
	defer out.close()
	var batch []T
	var timer *time.Timer
	var alarm <-chan time.Time // the timer's channel while a batch is open
	if b.maxWait > 0 {
		timer = time.NewTimer(time.Hour)
		timer.Stop()
		defer timer.Stop()
	}
	pass := func() bool {
		if timer != nil {
			timer.Stop()
			alarm = nil
		}
		v := batch
		batch = nil
		return out.put(v)
	}
	for {
		item, st := in.nextOr(out, alarm)
		switch st {
		case readItem:
			if batch == nil {
				batch = make([]T, 0, b.size)
				if timer != nil {
					timer.Reset(b.maxWait)
					alarm = timer.C
				}
			}
			batch = append(batch, item)
			if len(batch) == b.size && !pass() {
				return
			}
		case readAlarm:
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
			m.c.dropped.Add(int64(len(batch)))
			return
		}
	}
}
