package pipeline

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// StageStats is a snapshot of one stage's counters.
//
// How to read them. Every worker of a stage is at each moment either busy
// (running the stage function, or the stage's own code), paced (waiting for
// its Pace limiter), waiting for input (the stage before it is slower), or
// waiting to hand over output (the stage after it is slower, its buffer is
// full). So, for a stage with w workers that ran for a time T,
// Busy+Paced+WaitingInput+WaitingOutput is about w*T. In a pipeline limited
// by one stage, that stage is busy or paced most of the time, the stages
// before it wait on output and the stages after it wait on input:
// Stats.Bottleneck names it: the stage with the highest Load. More workers help a busy stage whose function
// waits on I/O; a paced stage is as fast as its limiter allows. A source's
// busy time includes the time its input took to deliver (a Generate
// function waiting on a queue), so a slow queue shows as a busy source.
//
// Counts add up: for a Map stage, In = Out + Failed + Dropped; for Filter
// the difference In-Out-Failed-Dropped is the number of items filtered out;
// for FlatMap and Unbatch, Out counts emitted items. Items handed to a stage
// that it never took, because the pipeline stopped, are Unread: for a stage
// fed by one other, its In+Unread is the feeder's Out.
type StageStats struct {
	Name    string // the Name option, or the kind and position ("Map#2")
	Workers int    // goroutines of the stage

	In      int64 // items taken from the input
	Out     int64 // items handed to the next stage (or consumed, for a sink)
	Failed  int64 // items whose function returned an error (OnError included)
	Dropped int64 // items taken but not finished because the pipeline stopped
	Unread  int64 // items left in the stage's input when the pipeline stopped

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
	fmt.Fprintf(&b, "%-14s %3s %9s %9s %6s %7s %6s %6s %6s %7s %7s %8s\n",
		"stage", "wrk", "in", "out", "failed", "dropped", "unread", "load", "busy", "paced", "wait-in", "wait-out")
	for _, st := range s.Stages {
		total := float64(st.Busy + st.Paced + st.WaitingInput + st.WaitingOutput)
		pct := func(d time.Duration) float64 {
			if total == 0 {
				return 0
			}
			return 100 * float64(d) / total
		}
		fmt.Fprintf(&b, "%-14s %3d %9d %9d %6d %7d %6d %5.1f%% %5.1f%% %6.1f%% %6.1f%% %7.1f%%\n",
			st.Name, st.Workers, st.In, st.Out, st.Failed, st.Dropped, st.Unread,
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

	in, out, failed, dropped, unread atomic.Int64

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
	return StageStats{
		Load: load,
		Name: c.name, Workers: c.workers,
		In: c.in.Load(), Out: c.out.Load(), Failed: c.failed.Load(),
		Dropped: c.dropped.Load(), Unread: c.unread.Load(),
		Busy: time.Duration(busy), Paced: time.Duration(paced),
		WaitingInput: time.Duration(waitIn), WaitingOutput: time.Duration(waitOut),
	}
}

// clock measures time since a run started, monotonic and synctest-friendly.
type clock struct{ start time.Time }

func (c clock) now() int64 { return int64(time.Since(c.start)) }

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
	clock  clock
	start  int64
	waited int64 // this worker's waits of every kind, for busy
}

// busy returns the worker's time spent not waiting, up to now.
func (m *meter) busy() int64 { return m.clock.now() - m.start - m.waited }

func newMeter(c *stageCounters, cl clock) *meter {
	m := &meter{c: c, clock: cl, start: cl.now()}
	// alive*now - start is the life so far; keep the identity by
	// subtracting the start from doneLife.
	c.doneLife.Add(-m.start)
	c.alive.Add(1)
	return m
}

// finish counts the worker's life when it exits.
func (m *meter) finish() {
	m.c.doneLife.Add(m.clock.now())
	m.c.alive.Add(-1)
}

// beginWait marks the start of a wait of the given kind and returns its start.
func (m *meter) beginWait(kind int) int64 {
	t := m.clock.now()
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
	d := m.clock.now() - start
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
