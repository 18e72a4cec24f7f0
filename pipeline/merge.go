package pipeline

import "fmt"

// Merge declares a stage that passes on the items of every stage in
// stages, in the order they arrive (fan-in). The stages must belong to the
// same pipeline. Options: Name, Buffer. Merge panics with no stages.
func Merge[T any](stages []*Stage[T], opts ...Option) *Stage[T] {
	if len(stages) == 0 {
		panic("pipeline: Merge of no stages")
	}
	p := pipelineOf("Merge", stages[0])
	o := buildOptions(opts)
	o.check("Merge", false, false, false, false, false)
	c := p.declare("Merge", o.name, len(stages))
	m := &merger[T]{c: c}
	for _, s := range stages {
		if pipelineOf("Merge", s) != p {
			panic(fmt.Sprintf("pipeline: Merge of stage %q from another pipeline", s.name))
		}
		m.ins = append(m.ins, s.take(c, 1))
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
		r.spawn(mg.c, func(m *meter) { forward(r, m, e, mg.out) })
	}
}

// forward copies one input to one output.
func forward[T any](r *run, m *meter, from, to *edge[T]) {
	in := from.reader(r, m)
	defer in.close()
	out := to.writer(r, m)
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
// be consumed. Options: Name, Buffer. Broadcast panics if n < 1.
func Broadcast[T any](s *Stage[T], n int, opts ...Option) []*Stage[T] {
	if n < 1 {
		panic(fmt.Sprintf("pipeline: Broadcast to %d branches: need at least 1", n))
	}
	p := pipelineOf("Broadcast", s)
	o := buildOptions(opts)
	o.check("Broadcast", false, false, false, false, false)
	c := p.declare("Broadcast", o.name, 1)
	b := &broadcaster[T]{c: c, in: s.take(c, 1)}
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
	return true
}

func (b *broadcaster[T]) start(r *run) {
	r.spawn(b.c, func(m *meter) { b.work(r, m) })
}

func (b *broadcaster[T]) work(r *run, m *meter) {
	in := b.in.reader(r, m)
	defer in.close()
	outs := make(writers[T], len(b.outs))
	for i, e := range b.outs {
		outs[i] = e.writer(r, m)
		defer outs[i].close()
	}
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
