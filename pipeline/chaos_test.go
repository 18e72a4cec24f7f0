package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/pipeline"
)

// The chaos test builds random pipelines (sources, Map, Filter, FlatMap,
// Batch+Unbatch, Merge, Broadcast with a side sink; random Workers, Ordered,
// Buffer, Pace, Timeout, OnError), stops each run in one random way (an
// error, a panic or a Goexit in a random stage at a random call, a Pace
// error, ctx cancelled, Stop with or without grace, a break or a panic in
// the RunAll loop body, or not at all), and checks that the counts of every
// stage add up exactly once the run returned: In = Succeeded + Failed +
// Canceled for each, what the feeders handed on = In + NotStarted of their
// consumers, and every count the test can observe from the outside (calls,
// items emitted, items consumed) matches.

type faultKind int

const (
	noFault      faultKind = iota
	failError              // the stage function returns errFault
	failPanic              // it panics
	failGoexit             // it calls runtime.Goexit
	failPace               // the stage's Pace waiter returns errPace
	cancelCtx              // it cancels the run's ctx
	stopGraceful           // it calls Stop with a grace long enough
	stopHard               // it calls Stop(0)
	breakLoop              // the RunAll loop body breaks
	bodyPanic              // the RunAll loop body panics
	faultKinds
)

func (k faultKind) String() string {
	return [...]string{"none", "error", "panic", "goexit", "pace error", "cancel", "graceful stop",
		"hard stop", "break", "body panic"}[k]
}

var (
	errFault = errors.New("chaos: injected failure")
	errPace  = errors.New("chaos: pacer failure")
	errSkip  = errors.New("chaos: skipped by OnError")
)

// probe counts what the test sees of one stage from the outside.
type probe struct {
	kind      string
	function  bool // the stage runs a function of the test (In = its calls)
	calls     atomic.Int64
	nils      atomic.Int64 // calls that returned nil
	filtered  atomic.Int64 // Filter: calls that returned false, nil
	errs      atomic.Int64 // calls that returned an error
	panics    atomic.Int64
	goexits   atomic.Int64
	onErrors  atomic.Int64 // OnError calls
	paceErrs  atomic.Int64 // own errors its waiter returned
	taken     atomic.Int64 // a source: items taken, as the test sees them
	exactTake bool         // taken is exact
	paced     bool         // the stage has a chaosWaiter
	expect    int          // a sink: the items it consumes when nothing stops the run (-1: unknown)
}

// flow is a group of stages whose outputs feed a group of consumers: the
// feeders' Out sums to the consumers' In + NotStarted.
type flow struct{ feeders, consumers []int }

type chaos struct {
	t      *testing.T
	rng    *rand.Rand
	desc   []string // the shape, for failure messages
	p      *pipeline.Pipeline
	ctx    context.Context
	cancel context.CancelFunc

	fault      faultKind
	faultStage int   // the probe index where the fault fires
	faultAt    int64 // at that stage's call number
	fired      atomic.Bool

	probes   []*probe
	flows    []*flow
	pending  *flow    // the flow waiting for the consumer of the current stage
	afterRun []func() // settle what the test can only see once the run returned

	ordered bool  // the output order is the model's (one source, no reordering)
	model   []int // what the current stage emits when nothing stops the run

	collected []int // what RunCollect returned, or the RunAll loop received
	reduced   int   // what RunReduce returned
}

func newChaos(t *testing.T, seed uint64) *chaos {
	c := &chaos{t: t, rng: rand.New(rand.NewPCG(seed, 0x9e3779b9)), p: pipeline.New(), ordered: true}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// declare records a new stage; a stage other than a source consumes the
// current flow.
func (c *chaos) declare(kind string, function bool) *probe {
	pr := &probe{kind: kind, function: function, expect: -1}
	c.probes = append(c.probes, pr)
	if c.pending != nil && !strings.HasPrefix(kind, "From") && kind != "Generate" {
		c.pending.consumers = append(c.pending.consumers, len(c.probes)-1)
		c.pending = nil
	}
	return pr
}

// feeds starts the flow of the stage just declared to its consumer.
func (c *chaos) feeds() {
	c.pending = &flow{feeders: []int{len(c.probes) - 1}}
	c.flows = append(c.flows, c.pending)
}

// trigger reports whether the fault fires at this call of the stage pr.
func (c *chaos) trigger(pr *probe, call int64, kinds ...faultKind) (faultKind, bool) {
	if c.probes[c.faultStage] != pr || call != c.faultAt || !slices.Contains(kinds, c.fault) {
		return noFault, false
	}
	c.fired.Store(true)
	return c.fault, true
}

// call runs the fault of a stage function at its faultAt-th call, if any,
// and reports whether the function must fail with errFault.
func (c *chaos) call(pr *probe) (fail bool) {
	n := pr.calls.Add(1)
	k, ok := c.trigger(pr, n, failError, failPanic, failGoexit, cancelCtx, stopGraceful, stopHard)
	if !ok {
		return false
	}
	switch k {
	case failPanic:
		pr.panics.Add(1)
		panic("chaos panic")
	case failGoexit:
		pr.goexits.Add(1)
		runtime.Goexit()
	case cancelCtx:
		c.cancel()
	case stopGraceful:
		c.p.Stop(time.Hour)
	case stopHard:
		c.p.Stop(0)
	}
	return k == failError
}

// result counts what a stage function returns.
func (pr *probe) result(err error) error {
	if err != nil {
		pr.errs.Add(1)
	} else {
		pr.nils.Add(1)
	}
	return err
}

// chaosWaiter is a Pace waiter that yields and fails on its own once, if
// the fault says so.
type chaosWaiter struct {
	c     *chaos
	pr    *probe
	calls atomic.Int64
}

func (c *chaos) waiter(pr *probe) pipeline.Option {
	pr.paced = true
	return pipeline.Pace(&chaosWaiter{c: c, pr: pr})
}

func (w *chaosWaiter) WaitN(ctx context.Context, _ int) error {
	runtime.Gosched()
	if _, ok := w.c.trigger(w.pr, w.calls.Add(1), failPace); ok {
		w.pr.paceErrs.Add(1)
		return errPace
	}
	return ctx.Err()
}

// options draws a stage's options (a sink's have no Buffer and no
// Ordered); skip reports whether it has an OnError
// that skips errSkip (and the items v%7 == 3 then fail with it).
func (c *chaos) options(pr *probe, sink bool) (opts []pipeline.Option, skip bool) {
	workers := []int{1, 1, 2, 4}[c.rng.IntN(4)]
	opts = append(opts, pipeline.Workers(workers))
	ordered := !sink && c.rng.IntN(2) == 0
	if !sink {
		opts = append(opts, pipeline.Buffer([]int{0, 1, 4, pipeline.DefaultBuffer}[c.rng.IntN(4)]))
	}
	if ordered {
		opts = append(opts, pipeline.Ordered())
	}
	if workers > 1 && !ordered && !sink {
		c.ordered = false
	}
	if c.rng.IntN(4) == 0 {
		opts = append(opts, c.waiter(pr))
	}
	if c.rng.IntN(5) == 0 {
		opts = append(opts, pipeline.Timeout(time.Hour))
	}
	if skip = c.rng.IntN(3) == 0; skip {
		opts = append(opts, pipeline.OnError(func(_ context.Context, _ int, err error) error {
			pr.onErrors.Add(1)
			if errors.Is(err, errSkip) {
				return nil
			}
			return err
		}))
	}
	c.desc = append(c.desc, fmt.Sprintf("%s(workers=%d ordered=%v skip=%v)", pr.kind, workers, ordered, skip))
	return opts, skip
}

// source declares a random source of n items starting at base.
func (c *chaos) source(base, n int) *pipeline.Stage[int] {
	items := make([]int, n)
	for i := range items {
		items[i] = base + i
	}
	var opts []pipeline.Option
	opts = append(opts, pipeline.Buffer([]int{0, 1, 4, pipeline.DefaultBuffer}[c.rng.IntN(4)]))
	kind := []string{"FromSlice", "FromSeq", "FromChan", "Generate"}[c.rng.IntN(4)]
	pr := c.declare(kind, false)
	if c.rng.IntN(5) == 0 {
		opts = append(opts, c.waiter(pr))
	}
	c.desc = append(c.desc, fmt.Sprintf("%s(%d)", kind, n))
	var s *pipeline.Stage[int]
	switch kind {
	case "FromSlice":
		s = pipeline.FromSlice(c.p, items, opts...)
	case "FromSeq":
		pr.exactTake = true
		s = pipeline.FromSeq(c.p, func(yield func(int) bool) {
			for _, v := range items {
				pr.taken.Add(1) // every value yielded is taken, or counted lost
				if !yield(v) {
					return
				}
			}
		}, opts...)
	case "FromChan":
		pr.exactTake = true
		ch := make(chan int, n)
		for _, v := range items {
			ch <- v
		}
		close(ch)
		s = pipeline.FromChan(c.p, ch, opts...)
		// Received values are the items taken: settled after the run.
		c.afterRun = append(c.afterRun, func() { pr.taken.Store(int64(n - len(ch))) })
	case "Generate":
		pr.exactTake = true
		s = pipeline.Generate(c.p, func(ctx context.Context, emit func(int) bool) error {
			for _, v := range items {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if !emit(v) {
					return nil // not taken: the generator keeps it
				}
				pr.taken.Add(1)
			}
			return nil
		}, opts...)
	}
	c.feeds()
	return s
}

// skipped reports whether a stage with OnError fails v with errSkip.
func skipped(skip bool, v int) bool { return skip && v%7 == 3 }

func (c *chaos) mapStage(s *pipeline.Stage[int]) *pipeline.Stage[int] {
	pr := c.declare("Map", true)
	opts, skip := c.options(pr, false)
	out := pipeline.Map(s, func(_ context.Context, v int) (int, error) {
		if c.call(pr) {
			return 0, pr.result(errFault)
		}
		if skipped(skip, v) {
			return 0, pr.result(errSkip)
		}
		return v*2 + 1, pr.result(nil)
	}, opts...)
	c.feeds()
	var model []int
	for _, v := range c.model {
		if !skipped(skip, v) {
			model = append(model, v*2+1)
		}
	}
	c.model = model
	return out
}

func (c *chaos) filterStage(s *pipeline.Stage[int]) *pipeline.Stage[int] {
	pr := c.declare("Filter", true)
	opts, skip := c.options(pr, false)
	out := pipeline.Filter(s, func(_ context.Context, v int) (bool, error) {
		if c.call(pr) {
			return false, pr.result(errFault)
		}
		if skipped(skip, v) {
			return false, pr.result(errSkip)
		}
		if v%3 == 0 {
			pr.filtered.Add(1)
		}
		return v%3 != 0, pr.result(nil)
	}, opts...)
	c.feeds()
	var model []int
	for _, v := range c.model {
		if !skipped(skip, v) && v%3 != 0 {
			model = append(model, v)
		}
	}
	c.model = model
	return out
}

func (c *chaos) flatMapStage(s *pipeline.Stage[int]) *pipeline.Stage[int] {
	pr := c.declare("FlatMap", true)
	opts, skip := c.options(pr, false)
	children := func(v int) []int { return slices.Repeat([]int{v}, v%3) } // 0, 1 or 2
	out := pipeline.FlatMap(s, func(_ context.Context, v int) ([]int, error) {
		if c.call(pr) {
			return nil, pr.result(errFault)
		}
		if skipped(skip, v) {
			return nil, pr.result(errSkip)
		}
		return children(v), pr.result(nil)
	}, opts...)
	c.feeds()
	var model []int
	for _, v := range c.model {
		if !skipped(skip, v) {
			model = append(model, children(v)...)
		}
	}
	c.model = model
	return out
}

func (c *chaos) batchStages(s *pipeline.Stage[int]) *pipeline.Stage[int] {
	size := 1 + c.rng.IntN(5)
	maxWait := []time.Duration{0, time.Hour}[c.rng.IntN(2)] // time.Hour: the timer's paths, never its tick
	buf := pipeline.Buffer([]int{0, 1, 4, pipeline.DefaultBuffer}[c.rng.IntN(4)])
	c.declare("Batch", false)
	c.desc = append(c.desc, fmt.Sprintf("Batch(%d, %v)+Unbatch", size, maxWait))
	b := pipeline.Batch(s, size, maxWait, buf)
	c.feeds()
	c.declare("Unbatch", false)
	out := pipeline.Unbatch(b, buf)
	c.feeds()
	return out
}

// broadcastStages sends s to a side Sink and on.
func (c *chaos) broadcastStages(s *pipeline.Stage[int]) *pipeline.Stage[int] {
	c.declare("Broadcast", false)
	c.desc = append(c.desc, "Broadcast(2)")
	branches := pipeline.Broadcast(s, 2, pipeline.Buffer([]int{0, 1, 4, pipeline.DefaultBuffer}[c.rng.IntN(4)]))
	c.feeds()
	f := c.pending
	c.sinkStage(branches[1])
	c.pending = f // the next stage consumes the other branch
	return branches[0]
}

// mergeStages merges s with a second source.
func (c *chaos) mergeStages(s *pipeline.Stage[int]) *pipeline.Stage[int] {
	first := c.pending
	n := c.rng.IntN(200)
	second := c.source(1000, n)
	first.feeders = append(first.feeders, c.pending.feeders...)
	c.flows = slices.DeleteFunc(c.flows, func(f *flow) bool { return f == c.pending })
	c.pending = first
	c.declare("Merge", false)
	c.desc = append(c.desc, "Merge")
	out := pipeline.Merge([]*pipeline.Stage[int]{s, second}, pipeline.Buffer([]int{0, 1, 4, pipeline.DefaultBuffer}[c.rng.IntN(4)]))
	c.feeds()
	for i := range n {
		c.model = append(c.model, 1000+i)
	}
	c.ordered = false
	return out
}

// sinkStage declares a Sink that counts what it consumes.
func (c *chaos) sinkStage(s *pipeline.Stage[int]) *probe {
	pr := c.declare("Sink", true)
	opts, skip := c.options(pr, true)
	pipeline.Sink(s, func(_ context.Context, v int) error {
		if c.call(pr) {
			return pr.result(errFault)
		}
		if skipped(skip, v) {
			return pr.result(errSkip)
		}
		return pr.result(nil)
	}, opts...)
	pr.expect = 0
	for _, v := range c.model {
		if !skipped(skip, v) {
			pr.expect++
		}
	}
	return pr
}

type ending int

const (
	endSink ending = iota
	endCollect
	endReduce
	endAll
)

// build declares a random pipeline up to its last stage, and draws the
// fault; it returns the stage the ending consumes.
func (c *chaos) build() (*pipeline.Stage[int], ending) {
	n := c.rng.IntN(300)
	for i := range n {
		c.model = append(c.model, i)
	}
	s := c.source(0, n)
	for range c.rng.IntN(5) {
		switch c.rng.IntN(7) {
		case 0, 1:
			s = c.mapStage(s)
		case 2:
			s = c.filterStage(s)
		case 3:
			s = c.flatMapStage(s)
		case 4:
			s = c.batchStages(s)
		case 5:
			s = c.broadcastStages(s)
		case 6:
			s = c.mergeStages(s)
		}
	}
	end := ending(c.rng.IntN(4))
	c.fault = faultKind(c.rng.IntN(int(faultKinds)))
	if c.fault >= breakLoop && end != endAll {
		c.fault = noFault
	}
	return s, end
}

// run declares the ending, runs the pipeline and returns what it returned:
// the value it panicked with, or an error. The ending's probe is the last.
func (c *chaos) run(s *pipeline.Stage[int], end ending) (panicked any, err error) {
	defer func() { panicked = recover() }()
	var pr *probe
	switch end {
	case endSink:
		pr = c.sinkStage(s)
	case endCollect:
		pr = c.declare("RunCollect", false)
	case endReduce:
		pr = c.declare("RunReduce", true)
	case endAll:
		pr = c.declare("RunAll", false)
	}
	if end != endSink {
		pr.expect = len(c.model)
	}
	// The fault fires in a stage that can have it, at a call that may
	// come (or not, past the items: then nothing stops the run).
	var candidates []int
	for i, pr := range c.probes {
		switch {
		case c.fault == failPace && pr.paced,
			c.fault >= breakLoop && i == len(c.probes)-1,
			c.fault != failPace && c.fault < breakLoop && pr.function:
			candidates = append(candidates, i)
		}
	}
	if len(candidates) == 0 {
		c.fault, candidates = noFault, []int{0}
	}
	c.faultStage = candidates[c.rng.IntN(len(candidates))]
	c.faultAt = 1 + c.rng.Int64N(int64(len(c.model))+20)
	c.desc = append(c.desc, fmt.Sprintf("%s; fault %v in stage %d (%s) at call %d",
		pr.kind, c.fault, c.faultStage, c.probes[c.faultStage].kind, c.faultAt))
	switch end {
	case endSink:
		return nil, c.p.Run(c.ctx)
	case endCollect:
		got, err := pipeline.RunCollect(c.ctx, s)
		c.collected = got
		return nil, err
	case endReduce:
		sum, err := pipeline.RunReduce(c.ctx, s, 0, func(_ context.Context, acc, v int) (int, error) {
			if c.call(pr) {
				return 0, pr.result(errFault)
			}
			return acc + v, pr.result(nil)
		})
		c.reduced = sum
		return nil, err
	default:
		for v, err := range pipeline.RunAll(c.ctx, s) {
			if err != nil {
				return nil, err
			}
			n := pr.calls.Add(1)
			switch k, _ := c.trigger(pr, n, breakLoop, bodyPanic); k {
			case breakLoop:
				pr.nils.Add(1)
				return nil, nil
			case bodyPanic:
				pr.panics.Add(1)
				panic("body panic")
			}
			c.collected = append(c.collected, v)
			pr.nils.Add(1)
		}
		return nil, nil
	}
}

// check asserts what the run returned and that every count adds up.
func (c *chaos) check(panicked any, err error) {
	t := c.t
	for _, f := range c.afterRun {
		f()
	}
	shape := strings.Join(c.desc, " -> ")
	fired := c.fired.Load()
	fault := c.fault
	if !fired {
		fault = noFault
	}
	switch fault {
	case failPanic, bodyPanic:
		want := map[faultKind]string{failPanic: "chaos panic", bodyPanic: "body panic"}[fault]
		if pe, ok := panicked.(*tandem.PanicError); ok {
			panicked = pe.Value
		}
		assert.Equal(t, want, panicked, "the panic raised: %s", shape)
	default:
		assert.Nil(t, panicked, "%s", shape)
	}
	switch fault {
	case failError:
		assert.ErrorIs(t, err, errFault, "%s", shape)
	case failGoexit:
		assert.ErrorIs(t, err, tandem.ErrGoexit, "%s", shape)
	case failPace:
		assert.ErrorIs(t, err, errPace, "%s", shape)
	case cancelCtx:
		assert.ErrorIs(t, err, context.Canceled, "%s", shape)
	case stopHard:
		if err != nil {
			assert.ErrorIs(t, err, pipeline.ErrStopTimeout, "%s", shape)
		}
	case noFault, stopGraceful, breakLoop:
		assert.NoError(t, err, "%s", shape)
	}

	st := c.p.Stats()
	require.Len(t, st.Stages, len(c.probes), "%s", shape)
	for i, s := range st.Stages {
		pr := c.probes[i]
		where := fmt.Sprintf("stage %d %s: %+v\nshape: %s", i, pr.kind, s, shape)
		assert.Equal(t, s.In, s.Succeeded+s.Failed+s.Canceled, "In = Succeeded + Failed + Canceled: %s", where)
		for _, n := range []int64{s.In, s.Out, s.Succeeded, s.Failed, s.Canceled, s.NotStarted} {
			assert.GreaterOrEqual(t, n, int64(0), "a negative count: %s", where)
		}
		if pr.function {
			calls := pr.calls.Load()
			assert.Equal(t, calls, pr.nils.Load()+pr.errs.Load()+pr.panics.Load()+pr.goexits.Load(), "test's own count: %s", where)
			assert.GreaterOrEqual(t, s.In, calls, "every call is of an item taken: %s", where)
			assert.LessOrEqual(t, s.In, calls+pr.paceErrs.Load(), "an item taken is called, or failed its Pace: %s", where)
			assert.GreaterOrEqual(t, s.Failed, pr.panics.Load()+pr.goexits.Load()+pr.onErrors.Load(), "failures seen: %s", where)
			assert.LessOrEqual(t, s.Failed, pr.panics.Load()+pr.goexits.Load()+pr.errs.Load()+pr.paceErrs.Load(), "failures seen: %s", where)
		}
		switch pr.kind {
		case "Map", "Merge", "FromSlice", "FromSeq", "FromChan", "Generate", "RunCollect":
			assert.Equal(t, s.Out, s.Succeeded, "one result per item: %s", where)
		case "Filter":
			assert.Equal(t, s.Out+pr.filtered.Load(), s.Succeeded, "kept and filtered out: %s", where)
		case "Sink", "RunReduce", "RunAll":
			assert.Equal(t, pr.nils.Load(), s.Succeeded, "items consumed: %s", where)
			assert.Equal(t, s.Out, s.Succeeded, "a sink's Out: %s", where)
		}
		if pr.exactTake {
			assert.Equal(t, pr.taken.Load(), s.In, "items the source took: %s", where)
		}
		if fault == noFault || fault == stopGraceful {
			assert.Zero(t, s.Canceled, "nothing canceled: %s", where)
			assert.Zero(t, s.NotStarted, "nothing left: %s", where)
		}
		if fault == noFault && pr.expect >= 0 {
			assert.EqualValues(t, pr.expect, s.Succeeded, "every item consumed: %s", where)
		}
	}
	for _, f := range c.flows {
		var out, in int64
		for _, i := range f.feeders {
			out += st.Stages[i].Out
		}
		for _, i := range f.consumers {
			in += st.Stages[i].In + st.Stages[i].NotStarted
		}
		assert.Equal(t, out, in, "handed on = taken + not started, from %v to %v: %s\n%v", f.feeders, f.consumers, shape, st)
	}
	last := st.Stages[len(st.Stages)-1]
	switch kind := c.probes[len(c.probes)-1].kind; {
	case kind == "RunCollect" && panicked == nil, kind == "RunAll":
		assert.EqualValues(t, last.Succeeded, len(c.collected)+map[bool]int{true: 1}[fault == breakLoop], "items received: %s", shape)
	case kind == "RunReduce":
		if err != nil {
			assert.Zero(t, c.reduced, "RunReduce returns the zero value on failure: %s", shape)
		}
	}
	if fault != noFault {
		return
	}
	switch c.probes[len(c.probes)-1].kind {
	case "RunCollect", "RunAll":
		want := c.model
		if !c.ordered {
			want, c.collected = slices.Sorted(slices.Values(want)), slices.Sorted(slices.Values(c.collected))
		}
		assert.Equal(t, want, c.collected, "the output: %s", shape)
	case "RunReduce":
		want := 0
		for _, v := range c.model {
			want += v
		}
		assert.Equal(t, want, c.reduced, "the sum: %s", shape)
	}
}

// chaosRun builds, runs and checks the pipeline of one seed.
func chaosRun(t *testing.T, seed uint64) {
	c := newChaos(t, seed)
	defer c.cancel()
	s, end := c.build()
	panicked, err := c.run(s, end)
	c.check(panicked, err)
}

func TestStageCountsAddUpExactlyOnEveryStopPathOfRandomPipelines(t *testing.T) {
	runs := 400
	if testing.Short() {
		runs = 60
	}
	for seed := range uint64(runs) {
		chaosRun(t, seed)
		if t.Failed() {
			t.Fatalf("seed %d failed", seed)
		}
	}
}

func FuzzStageCountsAddUp(f *testing.F) {
	for seed := range uint64(8) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) { chaosRun(t, seed) })
}
