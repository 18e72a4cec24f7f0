package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/catch"
	"github.com/tandem-go/tandem/internal/clock"
	"github.com/tandem-go/tandem/internal/misuse"
)

// ErrStopTimeout is the error Run returns when a graceful Stop did not
// finish within its grace period, so the pipeline was cancelled.
var ErrStopTimeout = errors.New("pipeline: graceful stop timed out")

// errAborted cancels a run in which a worker panicked or called
// runtime.Goexit; the panic itself is raised by the waiter.
var errAborted = errors.New("pipeline: a stage panicked or called runtime.Goexit")

// errConsumerStopped cancels a run whose pull consumer (RunAll) stopped early.
var errConsumerStopped = errors.New("pipeline: the consumer stopped")

// Pipeline is a graph of stages, declared with the constructors of this
// package (FromSlice, Map, Batch, Sink, ...) and run once, by Run or by one
// of RunCollect, RunReduce and RunAll, which also declare its last stage.
//
// Create one with New; a Pipeline must not be copied. Declaring stages is
// not safe for concurrent use; Stats and Stop may be called from any
// goroutine at any time. It runs once: running it again panics.
type Pipeline struct {
	mu       sync.Mutex
	state    int // building, running, finished
	nodes    []node
	edges    []edgeStarter
	outputs  []output
	counters []*stageCounters
	run      *run
	elapsed  time.Duration

	stopping bool          // Stop was called
	grace    time.Duration // its grace period
}

const (
	building = iota
	running
	finished
)

// node is a declared stage: start launches its workers.
type node interface{ start(r *run) }

type edgeStarter interface {
	start()
	countNotStarted()
}

// output is a stage's output, which exactly one consumer must take.
type output interface{ consumed() (name string, ok bool) }

// New returns an empty pipeline.
func New() *Pipeline { return &Pipeline{} }

// Run runs every stage of the pipeline and waits for all of them.
//
// On success, after every source ended or a graceful Stop, returns nil. The
// first error returned by a stage function cancels every stage and is what
// Run returns; so does ctx's cancellation (Run returns context.Cause(ctx)),
// and a Stop whose grace ran out (ErrStopTimeout). A stage that calls
// runtime.Goexit fails the run with tandem.ErrGoexit. A panic in a stage
// cancels every stage too and is raised again in Run's caller as a
// *tandem.PanicError, with every other panic of the run in its Others. Run
// returns only after every goroutine of the pipeline has exited, and does
// not read the rest of the input.
//
// Run panics if ctx is nil, if the pipeline has no stage, if the output of a
// stage has no consumer (checked here, since only Run knows that the
// declaring is over), and if the pipeline already ran.
func (p *Pipeline) Run(ctx context.Context) error {
	r := p.start("pipeline: Run", ctx)
	return p.wait(r)
}

// Stop asks the running pipeline to stop gracefully: sources stop taking
// new input (the context given to a Generate function is cancelled, and
// FromSlice, FromSeq and FromChan take no further item), while every item
// already taken flows through to the sinks. Run then returns nil once the
// pipeline is empty. If that takes longer than grace, the pipeline is
// cancelled as by a failed stage, and Run returns ErrStopTimeout.
//
// Stop may be called from any goroutine, before or during Run; only the
// first call counts. A grace <= 0 cancels at once whatever is still running.
// A common use: context.AfterFunc(shutdown, func() { p.Stop(30 *
// time.Second) }).
func (p *Pipeline) Stop(grace time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return
	}
	p.stopping, p.grace = true, grace
	if p.state == running {
		p.run.stop(grace)
	}
}

// Stats returns a snapshot of every stage's counters, in declaration order.
// It may be called while the pipeline runs and after.
func (p *Pipeline) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	var now int64
	switch p.state {
	case running:
		now = offset(p.run.clock)
	case finished:
		now = int64(p.elapsed)
	}
	s := Stats{Stages: make([]StageStats, len(p.counters)), Elapsed: time.Duration(now)}
	for i, c := range p.counters {
		s.Stages[i] = c.snapshot(now)
	}
	return s
}

// declare registers a stage; it panics once the pipeline has started.
// where is "pipeline: Kind", for the message.
func (p *Pipeline) declare(where, kind, name string, workers int) *stageCounters {
	if p.state != building {
		misuse.Panicf(where, "the pipeline already started; declare every stage before it runs")
	}
	if name == "" {
		name = fmt.Sprintf("%s#%d", kind, len(p.counters)+1)
	}
	c := &stageCounters{name: name, workers: workers}
	p.counters = append(p.counters, c)
	return c
}

// run is the state of one run.
type run struct {
	// ctx is cancelled on the first error or panic, by the parent, by the
	// pull consumer stopping, or when a graceful stop times out. Stages
	// run under it.
	ctx    context.Context
	cancel context.CancelCauseFunc
	// intake is ctx, also cancelled by Stop: sources take input under it.
	intake     context.Context
	stopIntake context.CancelFunc

	wg     sync.WaitGroup
	panics catch.Panics
	clock  clock.Base

	mu         sync.Mutex
	done       bool
	graceTimer *time.Timer
}

// start checks the graph and launches every stage; where is "pipeline:
// Run" or the Run* function that called it, for misuse messages.
func (p *Pipeline) start(where string, ctx context.Context) *run {
	misuse.Ctx(where, ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != building {
		misuse.Panicf(where, "the pipeline already ran; declare a new one")
	}
	if len(p.nodes) == 0 {
		misuse.Panicf(where, "the pipeline has no stage")
	}
	for _, o := range p.outputs {
		if name, ok := o.consumed(); !ok {
			misuse.Panicf(where, "the output of stage %q has no consumer", name)
		}
	}
	r := &run{clock: clock.Start()}
	r.ctx, r.cancel = context.WithCancelCause(ctx)
	r.intake, r.stopIntake = context.WithCancel(r.ctx)
	p.run, p.state = r, running
	for _, e := range p.edges {
		e.start()
	}
	if p.stopping {
		r.stop(p.grace)
	}
	for _, n := range p.nodes {
		n.start(r)
	}
	return r
}

// stop begins a graceful stop; p.mu is held.
func (r *run) stop(grace time.Duration) {
	r.stopIntake()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return
	}
	r.graceTimer = time.AfterFunc(grace, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if !r.done {
			r.cancel(ErrStopTimeout)
		}
	})
}

// stopped reports whether the run was cancelled: work not started yet must
// not start.
func (r *run) stopped() bool { return r.ctx.Err() != nil }

// intakeClosed reports whether sources must take no more input: the run
// was cancelled or Stop was called.
func (r *run) intakeClosed() bool { return r.intake.Err() != nil }

// fail cancels the run with err as its cause, unless it already stopped.
func (r *run) fail(err error) { r.cancel(err) }

// spawn runs body in a new worker goroutine of the stage counted by c. A
// panic in body cancels the run at once, while it unwinds (before its stack
// is captured), and is kept for the waiter; runtime.Goexit fails the run.
//
// perItem says that body calls user code only with an item in hand that it
// has not counted yet (a stage function, OnError, a Pace wait): when the
// body unwinds, that item is counted as Failed here, after the body's own
// deferred counting. A source's user code (its sequence, its generator)
// holds no item: emit settles each before it returns.
func (r *run) spawn(c *stageCounters, perItem bool, body func(*meter)) {
	r.wg.Go(func() {
		m := newMeter(c, r.clock)
		defer m.finish()
		r.panics.Add(catch.Call(func() {
			returned := false
			defer func() {
				if !returned {
					if perItem {
						c.failed.Add(1)
					}
					r.fail(errAborted)
				}
			}()
			body(m)
			returned = true
		}, nil))
	})
}

// wait waits for every worker of r, then raises the panics of the run or
// returns its error.
func (p *Pipeline) wait(r *run) error {
	r.wg.Wait()
	err := p.settle(r)
	r.panics.Raise()
	return err
}

// settle records the end of a run whose goroutines have all exited and
// returns the run's error.
func (p *Pipeline) settle(r *run) error {
	r.mu.Lock()
	r.done = true
	if r.graceTimer != nil {
		r.graceTimer.Stop()
	}
	r.mu.Unlock()
	var err error
	if r.ctx.Err() != nil {
		switch err = context.Cause(r.ctx); {
		case errors.Is(err, errConsumerStopped):
			err = nil
		case errors.Is(err, errAborted):
			err = nil // the panic is raised by the caller
			if r.panics.Len() == 0 {
				err = tandem.ErrGoexit
			}
		}
	}
	r.stopIntake()
	r.cancel(nil)
	p.mu.Lock()
	for _, e := range p.edges {
		e.countNotStarted()
	}
	p.state, p.elapsed = finished, r.clock.Since()
	p.mu.Unlock()
	return err
}
