package pipeline

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem/internal/clock"
)

// StageStats is a snapshot of one stage's counters.
//
// Counts. In counts the items a stage took to handle; each of them ends in
// exactly one of Succeeded (its function returned nil and its results, if
// any, were handed on), Failed (its function returned an error of its own,
// panicked or called runtime.Goexit, or its Pace wait failed with the
// Waiter's own error; an item that OnError skipped counts here too, and
// one whose OnError panicked) or Canceled (it was handled, or being
// handled, when the run stopped: its function returned an error after the
// stop, or its results never left the stage). So once the run returned,
// for every stage:
//
//	In == Succeeded + Failed + Canceled
//
// and while it runs the difference is the work in progress. Items that
// reached a stage but that it never began when the run stopped (waiting in
// its input buffer, or behind its Pace wait) are NotStarted, outside In:
// what a stage hands on reaches its consumer, so the consumer's In +
// NotStarted is the sum of its feeders' Out (the Out of a Broadcast counts
// every copy, so it is the sum over its branches' consumers).
//
// Out counts what a stage handed on, in its own units: results for Map,
// Filter (kept items) and Merge, elements for FlatMap and Unbatch, batches
// for Batch, copies for Broadcast, and for a sink (Sink, RunCollect,
// RunReduce, RunAll) the items it consumed. Succeeded counts input items:
// for Filter it includes the items filtered out, for FlatMap an item whose
// every element was handed on, for Batch an item whose batch was, for
// Broadcast an item handed to every branch. A source's In counts the items
// it took from its input. A graceful Stop that finishes in time cancels
// nothing: every stage ends with Canceled and NotStarted at zero.
//
// Times. Every worker of a stage is at each moment either busy (running
// the stage function, or the stage's own code), paced (waiting for its Pace
// limiter), waiting for input (the stage before it is slower), or waiting
// to hand over output (the stage after it is slower, its buffer is full).
// So, for a stage with w workers that ran for a time T,
// Busy+Paced+WaitingInput+WaitingOutput is about w*T. In a pipeline limited
// by one stage, that stage is busy or paced most of the time, the stages
// before it wait on output and the stages after it wait on input:
// Stats.Bottleneck names it, the stage with the highest Load. More workers
// help a busy stage whose function waits on I/O; a paced stage is as fast
// as its limiter allows. A source's busy time includes the time its input
// took to deliver (a Generate function waiting on a queue), so a slow queue
// shows as a busy source.
type StageStats struct {
	Name    string // the Name option, or the kind and position ("Map#2")
	Workers int    // goroutines of the stage

	In         int64 // items taken to handle
	Out        int64 // results handed on (or items consumed, for a sink)
	Succeeded  int64 // items handled: the function returned nil and the results were handed on
	Failed     int64 // items whose function failed (an error, OnError included, a panic, a Goexit)
	Canceled   int64 // items taken but not finished because the run stopped
	NotStarted int64 // items that reached the stage but were never begun when the run stopped

	Busy          time.Duration // worker time spent handling items
	Paced         time.Duration // worker time spent waiting for the Pace limiter
	WaitingInput  time.Duration // worker time spent waiting for an item
	WaitingOutput time.Duration // worker time spent waiting for room downstream

	// Load is the share of the run's elapsed time that the stage's workers
	// spent busy or paced, (Busy+Paced) / (Workers*Elapsed), from 0 to 1.
	// A stage near 1 is saturated: it sets the pace of the pipeline.
	Load float64
}

// Stats is a snapshot of a pipeline's stages, in the order they were
// declared.
type Stats struct {
	Stages  []StageStats
	Elapsed time.Duration // since Run started, or its whole duration once it returned
}

// Bottleneck returns the stage that limits the pipeline's throughput: the
// one with the highest Load (whose workers were busy or paced for the
// largest share of the run). ok is false when no stage has run yet.
func (s Stats) Bottleneck() (stage StageStats, ok bool) {
	for _, st := range s.Stages {
		if st.Load > 0 && (!ok || st.Load > stage.Load) {
			stage, ok = st, true
		}
	}
	return stage, ok
}

// String formats the snapshot as a table, one stage per line.
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-14s %3s %9s %9s %9s %6s %8s %10s %6s %6s %7s %7s %8s\n",
		"stage", "wrk", "in", "out", "succeeded", "failed", "canceled", "notstarted",
		"load", "busy", "paced", "wait-in", "wait-out")
	for _, st := range s.Stages {
		total := float64(st.Busy + st.Paced + st.WaitingInput + st.WaitingOutput)
		pct := func(d time.Duration) float64 {
			if total == 0 {
				return 0
			}
			return 100 * float64(d) / total
		}
		fmt.Fprintf(&b, "%-14s %3d %9d %9d %9d %6d %8d %10d %5.1f%% %5.1f%% %6.1f%% %6.1f%% %7.1f%%\n",
			st.Name, st.Workers, st.In, st.Out, st.Succeeded, st.Failed, st.Canceled, st.NotStarted,
			100*st.Load, pct(st.Busy), pct(st.Paced), pct(st.WaitingInput), pct(st.WaitingOutput))
	}
	return b.String()
}

// stageCounters are one stage's live counters. Workers update them per
// hand-off slice and per wait, never per item on the fast path.
type stageCounters struct {
	_       cacheLinePad // keep apart from other stages' counters
	name    string
	workers int
	// outSucceeded: each result handed on (Out) is one item Succeeded, as
	// for Map, Filter, Merge, the sources and the sinks; succeeded then
	// counts only the items that succeeded with nothing to hand on (an
	// item filtered out). Otherwise succeeded counts them all.
	outSucceeded bool

	in, out, succeeded, failed, canceled, notStarted atomic.Int64

	// Times in nanoseconds since the run started. A worker's life is
	// counted when it ends (doneLife) or, while it runs, from start to now;
	// a wait in progress likewise, from waitStartSum.
	alive, doneLife               atomic.Int64
	paced, waitIn, waitOut        atomic.Int64
	waitingIn, waitInStartSum     atomic.Int64
	waitingOut, waitOutStartSum   atomic.Int64
	waitingPace, waitPaceStartSum atomic.Int64
	_                             cacheLinePad
}

// snapshot reads the counters at now (nanoseconds since the run started).
func (c *stageCounters) snapshot(now int64) StageStats {
	life := c.doneLife.Load() + c.alive.Load()*now
	waitIn := c.waitIn.Load() + c.waitingIn.Load()*now - c.waitInStartSum.Load()
	waitOut := c.waitOut.Load() + c.waitingOut.Load()*now - c.waitOutStartSum.Load()
	paced := c.paced.Load() + c.waitingPace.Load()*now - c.waitPaceStartSum.Load()
	busy := max(life-waitIn-waitOut-paced, 0)
	var load float64
	if now > 0 && c.workers > 0 {
		load = float64(busy+paced) / float64(int64(c.workers)*now)
	}
	out := c.out.Load()
	succeeded := c.succeeded.Load()
	if c.outSucceeded {
		succeeded += out
	}
	return StageStats{
		Load: load,
		Name: c.name, Workers: c.workers,
		In: c.in.Load(), Out: out, Succeeded: succeeded, Failed: c.failed.Load(),
		Canceled: c.canceled.Load(), NotStarted: c.notStarted.Load(),
		Busy: time.Duration(busy), Paced: time.Duration(paced),
		WaitingInput: time.Duration(waitIn), WaitingOutput: time.Duration(waitOut),
	}
}

// offset is the time since the run started, in nanoseconds.
func offset(base clock.Base) int64 { return int64(base.Since()) }

// wait kinds, for workerTimer.
const (
	waitInput = iota
	waitOutput
	waitPace
)

// meter is one worker's view of its stage's counters: it times the waits
// (only on the slow path, where the worker is about to block anyway) and
// the worker's life.
type meter struct {
	c      *stageCounters
	clock  clock.Base
	start  int64
	waited int64 // this worker's waits of every kind, for busy
}

// busy returns the worker's time spent not waiting, up to now.
func (m *meter) busy() int64 { return offset(m.clock) - m.start - m.waited }

func newMeter(c *stageCounters, cl clock.Base) *meter {
	m := &meter{c: c, clock: cl, start: offset(cl)}
	// alive*now - start is the life so far; keep the identity by
	// subtracting the start from doneLife.
	c.doneLife.Add(-m.start)
	c.alive.Add(1)
	return m
}

// finish counts the worker's life when it exits.
func (m *meter) finish() {
	m.c.doneLife.Add(offset(m.clock))
	m.c.alive.Add(-1)
}

// beginWait marks the start of a wait of the given kind and returns its start.
func (m *meter) beginWait(kind int) int64 {
	t := offset(m.clock)
	switch kind {
	case waitInput:
		m.c.waitingIn.Add(1)
		m.c.waitInStartSum.Add(t)
	case waitOutput:
		m.c.waitingOut.Add(1)
		m.c.waitOutStartSum.Add(t)
	case waitPace:
		m.c.waitingPace.Add(1)
		m.c.waitPaceStartSum.Add(t)
	}
	return t
}

// endWait counts a wait that began at start.
func (m *meter) endWait(kind int, start int64) {
	d := offset(m.clock) - start
	m.waited += d
	switch kind {
	case waitInput:
		m.c.waitIn.Add(d)
		m.c.waitInStartSum.Add(-start)
		m.c.waitingIn.Add(-1)
	case waitOutput:
		m.c.waitOut.Add(d)
		m.c.waitOutStartSum.Add(-start)
		m.c.waitingOut.Add(-1)
	case waitPace:
		m.c.paced.Add(d)
		m.c.waitPaceStartSum.Add(-start)
		m.c.waitingPace.Add(-1)
	}
}
