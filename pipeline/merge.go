package pipeline

import "github.com/tandem-go/tandem/internal/misuse"

// Merge declares a stage that passes on the items of every stage in
// stages, in the order they arrive (fan-in). The stages must belong to the
// same pipeline. Options: Name, Buffer. Merge panics with no stages, a nil
// stage, a stage of another pipeline, or an option that does not apply.
func Merge[T any](stages []*Stage[T], opts ...Option) *Stage[T] {
	const where = "pipeline: Merge"
	if len(stages) == 0 {
		misuse.Panicf(where, "no stages")
	}
	p := pipelineOf(where, stages[0])
	for _, s := range stages {
		if pipelineOf(where, s) != p {
			misuse.Panicf(where, "stage %q belongs to another pipeline", s.name)
		}
	}
	o := buildOptions(where, opts)
	o.check(where, false, false, false, false, false)
	c := p.declare(where, "Merge", o.name, len(stages))
	c.outSucceeded = true
	m := &merger[T]{c: c}
	for _, s := range stages {
		m.ins = append(m.ins, s.take(where, c, 1))
	}
	out := newStage[T](p, c, len(stages), o.buffer)
	m.out = out.out
	p.nodes = append(p.nodes, m)
	return out
}

type merger[T any] struct {
	c   *stageCounters
	ins []*edge[T]
	out *edge[T]
}

func (mg *merger[T]) start(r *run) {
	for _, e := range mg.ins {
		r.spawn(mg.c, false, func(m *meter) { forward(r, m, e, mg.out) })
	}
}

// forward copies one input to one output.
func forward[T any](r *run, m *meter, from, to *edge[T]) {
	in := from.reader(r, m)
	defer in.close()
	out := to.writer(r, m, perResult)
	defer out.close()
	for {
		v, ok := in.next(out)
		if !ok || !out.put(v) {
			return
		}
	}
}

// Broadcast declares n stages that each receive every item of s (fan-out
// by copy: a pointer item is shared, not copied deeply). Each branch has its
// own buffer (the Buffer option, per branch), so a branch that is slower for
// a while does not hold back the others until its buffer is full.
//
// Slow-branch policy: a branch whose buffer is full blocks the broadcast,
// and so every branch, until it has room again. Nothing is dropped: over
// time all branches go at the pace of the slowest one, and its Stats show
// the broadcast waiting on output. To decouple a branch further, give it a
// larger Buffer, or more Workers to its consuming stage. Every branch must
// be consumed. In Stats, Out counts the copies handed on, and an item
// succeeds once every branch has it. Options: Name, Buffer. Broadcast
// panics if s is nil, if n < 1, or on an option that does not apply.
func Broadcast[T any](s *Stage[T], n int, opts ...Option) []*Stage[T] {
	const where = "pipeline: Broadcast"
	if n < 1 {
		misuse.Panicf(where, "n must be at least 1, got %d", n)
	}
	p := pipelineOf(where, s)
	o := buildOptions(where, opts)
	o.check(where, false, false, false, false, false)
	c := p.declare(where, "Broadcast", o.name, 1)
	b := &broadcaster[T]{c: c, in: s.take(where, c, 1)}
	outs := make([]*Stage[T], n)
	for i := range outs {
		outs[i] = newStage[T](p, c, 1, o.buffer)
		b.outs = append(b.outs, outs[i].out)
	}
	p.nodes = append(p.nodes, b)
	return outs
}

type broadcaster[T any] struct {
	c    *stageCounters
	in   *edge[T]
	outs []*edge[T]
}

// writers flushes every branch before the broadcaster waits for input.
type writers[T any] []*writer[T]

func (ws writers[T]) flush() bool {
	for _, w := range ws {
		if !w.flush() {
			return false
		}
	}
	// Every item taken so far is now in every branch.
	ws[0].m.c.succeeded.Store(ws.handed())
	return true
}

// handed returns how many items every branch has handed over: each
// branch gets the items in the same order, so it is the least total.
func (ws writers[T]) handed() int64 {
	least := ws[0].total + ws[0].sent
	for _, w := range ws[1:] {
		least = min(least, w.total+w.sent)
	}
	return least
}

func (b *broadcaster[T]) start(r *run) {
	r.spawn(b.c, false, func(m *meter) { b.work(r, m) })
}

func (b *broadcaster[T]) work(r *run, m *meter) {
	in := b.in.reader(r, m)
	outs := make(writers[T], len(b.outs))
	for i, e := range b.outs {
		outs[i] = e.writer(r, m, flowOnly)
	}
	defer func() {
		for _, w := range outs {
			w.close()
		}
		in.close()
		// The broadcaster is its stage's one worker, so In is its own:
		// what did not reach every branch was canceled.
		handed := outs.handed()
		m.c.succeeded.Store(handed)
		m.c.canceled.Store(m.c.in.Load() - handed)
	}()
	for {
		v, ok := in.next(outs)
		if !ok {
			return
		}
		for _, w := range outs {
			if !w.put(v) {
				return
			}
		}
	}
}
