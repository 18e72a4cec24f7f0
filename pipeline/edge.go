package pipeline

import (
	"sync/atomic"
	"time"
)

// maxSlice is the most items one hand-off carries. Slices amortise the cost
// of a channel operation, and above all of waking the goroutine at the
// other end, over the items that were ready together. 128 with the default
// buffer of 256 measured about twice as fast as 32 with 64 for trivial
// stages, for a read-ahead that stays small.
const maxSlice = 128

// edge connects a stage to the next one. Items travel in small slices: a
// writer appends to its own slice and hands it over when the slice is full,
// when the reader waits for input (hungry), or before the writer itself
// waits for input. It never waits to fill a slice. Slices come back to the
// writers through free, so a steady stream allocates nothing.
type edge[T any] struct {
	buffer  int // items that may wait in ch, from the producer's Buffer option
	writers int // goroutines that write to the edge
	readers int // goroutines that read from it

	slice  int             // items per hand-off, set by start
	items  chan stamped[T] // the hand-off when slice is 1: no slices at all
	ch     chan []T        // the hand-off of slices otherwise
	free   chan []T
	_      cacheLinePad
	hungry atomic.Bool  // a reader has waited a while: writers hand over what they have
	open   atomic.Int32 // writers that have not closed yet
	_      cacheLinePad

	from *stageCounters // the producer (nil for none)
	to   *stageCounters // the consumer, for NotStarted
}

func newEdge[T any](buffer, writers int, from *stageCounters) *edge[T] {
	return &edge[T]{buffer: buffer, writers: writers, from: from}
}

// start makes the channels once the consumer is known. A consumer with
// several workers gets items one by one, so that a slow item never holds
// back others that an idle worker could take.
func (e *edge[T]) start() {
	e.slice = max(min(maxSlice, e.buffer), 1)
	if e.readers > 1 {
		e.slice = 1
	}
	e.open.Store(int32(e.writers))
	if e.slice == 1 {
		e.items = make(chan stamped[T], e.buffer)
		return
	}
	capacity := e.buffer / e.slice
	e.ch = make(chan []T, capacity)
	e.free = make(chan []T, capacity+e.writers+e.readers+1)
}

// countNotStarted counts, once every goroutine has exited, the items still
// waiting in the edge as NotStarted by its consumer.
func (e *edge[T]) countNotStarted() {
	if e.items != nil {
		if e.to != nil {
			e.to.notStarted.Add(int64(len(e.items)))
		}
		return
	}
	for {
		select {
		case s, ok := <-e.ch:
			if !ok {
				return
			}
			if e.to != nil {
				e.to.notStarted.Add(int64(len(s)))
			}
		default:
			return
		}
	}
}

func (e *edge[T]) newSlice() []T {
	select {
	case s := <-e.free:
		return s
	default:
		return make([]T, 0, e.slice)
	}
}

// stamped is an item handed over on its own, numbered by its writer. With
// one writer the numbers follow the order of the stream, so an ordered
// consumer can order its results by them without taking turns to read.
type stamped[T any] struct {
	seq uint64
	v   T
}

// cacheLinePad keeps what is written often by one goroutine off the cache
// lines that other goroutines use (false sharing costs more than the work
// of a trivial stage).
type cacheLinePad [64]byte

// flusher is a writer (or several) that a reader flushes before it waits.
type flusher interface{ flush() bool }

// countEvery is how many items a worker counts locally before it adds them
// to the shared counters, so that counting costs no atomic per item.
const countEvery = 64

// tally is how a writer counts, besides Out, the input items of its stage
// whose results it hands on: an item is Succeeded once its last result is
// handed over, and Canceled if the run stops while a result of it still
// waits in the writer.
type tally uint8

const (
	// perResult: each result is one input item (Map, Filter, Merge, the
	// sources), so the results in the writer's slice are the items
	// waiting, and Out counts Succeeded too (stageCounters.outSucceeded).
	// A result the writer cannot hand over is Canceled by the writer.
	perResult tally = iota
	// perHold: an item has any number of results (FlatMap, Unbatch) or
	// several items make one result (Batch). The stage calls hold for
	// the items whose results it has put; a result that cannot be handed
	// over is the caller's to count, with the rest of its item.
	perHold
	// flowOnly: the writer counts Out and its own total only, and the
	// stage settles its items itself (Broadcast: an item succeeds once
	// every branch handed it over).
	flowOnly
)

// writer is one goroutine's end of an edge. Its slice holds the items put
// but not handed over yet.
type writer[T any] struct {
	_      cacheLinePad // a writer changes with every item: keep it off
	e      *edge[T]     // the cache lines of other goroutines' state
	m      *meter
	done   <-chan struct{}
	buf    []T
	limit  int    // items per hand-off now: e.slice, or 1 while items are slow
	fast   int    // consecutive quick items seen while limit is 1
	slow   int    // consecutive slow slices seen while limit is above 1
	mark   int64  // the worker's busy time at the last hand-off
	sent   int64  // items handed over one by one and not counted yet
	seq    uint64 // the number of the next item handed over on its own
	tally  tally
	held   int64 // perHold: items whose results wait in buf
	ready  int64 // perHold: items whose results were all handed over, not counted yet
	total  int64 // results this writer handed over (for flowOnly's stage)
	source bool  // count handed-over items as the stage's In too
	shared bool  // used by several workers in turn: keep the slice limit
	_      cacheLinePad
}

func (e *edge[T]) writer(r *run, m *meter, t tally) *writer[T] {
	return &writer[T]{e: e, m: m, done: r.ctx.Done(), limit: e.slice, tally: t}
}

// hold marks n items (perHold) whose results have all been put: they
// succeed when the results waiting in the writer are handed over, and are
// canceled if they never are.
func (w *writer[T]) hold(n int64) {
	if len(w.buf) == 0 {
		w.ready += n
	} else {
		w.held += n
	}
}

// slowItem is the busy time per item above which (over two slices in a
// row, or one beyond verySlowItem) a writer hands each item over at once instead of collecting a
// slice: holding a result while the worker spends long on the next item
// would delay it, and could leave the next stage idle although there is
// work for it. A writer goes back to slices after a slice's worth of items
// quicker than this.
const slowItem = 2 * time.Microsecond

// verySlowItem is the busy time per item over which one slice is enough to
// hand items over one by one: no scheduling hiccup spread over a slice
// looks like that.
const verySlowItem = 100 * time.Microsecond

// pace adapts the writer's slice limit to how long its worker takes per
// item (busy time only, not waits), measured at each hand-off of n items:
// one clock reading per slice while items are quick.
func (w *writer[T]) pace(n int) {
	busy := w.m.busy()
	per := (busy - w.mark) / int64(n)
	w.mark = busy
	switch {
	case w.limit > 1 && per > int64(slowItem):
		// One slice may look slow because the worker's thread lost its
		// CPU for a while (busy time is wall time): unless it is very
		// slow, wait for a second one in a row.
		if w.slow++; w.slow >= 2 || per > int64(verySlowItem) {
			w.limit, w.fast, w.slow = 1, 0, 0
		}
	case w.limit > 1:
		w.slow = 0
	case w.limit == 1 && per <= int64(slowItem):
		if w.fast++; w.fast >= w.e.slice {
			w.limit = w.e.slice
		}
	case w.limit == 1:
		w.fast = 0
	}
}

// put adds v to the writer's slice and hands the slice over when it is full
// or a reader has been waiting. It reports false when the pipeline stopped
// while it waited for room; with perResult, v is then counted as Canceled
// (at once, or by close).
func (w *writer[T]) put(v T) bool {
	if w.e.items != nil {
		if !w.putItem(v) {
			if w.tally == perResult {
				w.m.c.canceled.Add(1)
				if w.source {
					w.m.c.in.Add(1)
				}
			}
			return false
		}
		return true
	}
	if w.buf == nil {
		w.buf = w.e.newSlice()
	}
	w.buf = append(w.buf, v)
	if len(w.buf) >= w.limit || w.e.hungry.Load() {
		return w.flush()
	}
	return true
}

// offer hands v over at once, for a source that may block between items.
// It reports false when the pipeline stopped first, and then has not taken
// v: the caller settles it.
func (w *writer[T]) offer(v T) bool {
	if w.e.items != nil {
		return w.putItem(v)
	}
	if w.buf == nil {
		w.buf = w.e.newSlice()
	}
	w.buf = append(w.buf, v)
	if w.flush() {
		return true
	}
	var zero T
	w.buf[len(w.buf)-1] = zero
	w.buf = w.buf[:len(w.buf)-1]
	return false
}

// putItem hands v over on its own. It reports false, without counting v,
// when the pipeline stopped first.
func (w *writer[T]) putItem(v T) bool {
	item := stamped[T]{w.seq, v}
	select {
	case w.e.items <- item:
	default:
		start := w.m.beginWait(waitOutput)
		select {
		case w.e.items <- item:
			w.m.endWait(waitOutput, start)
		case <-w.done:
			w.m.endWait(waitOutput, start)
			return false
		}
	}
	w.seq++
	if w.sent++; w.sent == countEvery {
		w.count()
	}
	return true
}

// count adds the items handed over one by one to the shared counters.
func (w *writer[T]) count() {
	w.m.c.out.Add(w.sent)
	if w.source {
		w.m.c.in.Add(w.sent)
	}
	w.total += w.sent
	w.sent = 0
	if w.ready > 0 {
		w.m.c.succeeded.Add(w.ready)
		w.ready = 0
	}
}

// flush hands the writer's items over, waiting for room in the buffer. It
// reports false when the pipeline stopped first.
func (w *writer[T]) flush() bool {
	n := len(w.buf)
	if n == 0 {
		return true
	}
	select {
	case w.e.ch <- w.buf:
	default:
		start := w.m.beginWait(waitOutput)
		select {
		case w.e.ch <- w.buf:
			w.m.endWait(waitOutput, start)
		case <-w.done:
			w.m.endWait(waitOutput, start)
			return false
		}
	}
	w.buf = nil
	w.m.c.out.Add(int64(n))
	if w.source {
		w.m.c.in.Add(int64(n))
	}
	w.total += int64(n)
	if w.ready += w.held; w.ready > 0 {
		w.m.c.succeeded.Add(w.ready)
		w.held, w.ready = 0, 0
	}
	if w.e.slice > 1 && !w.shared {
		w.pace(n)
	}
	return true
}

// close counts the items whose results were never handed over as Canceled
// and, for the last writer, closes the edge so the reader sees the end of
// the stream.
func (w *writer[T]) close() {
	w.count()
	switch n := int64(len(w.buf)); {
	case w.tally == perResult && n > 0:
		w.m.c.canceled.Add(n)
		if w.source {
			w.m.c.in.Add(n)
		}
	case w.tally == perHold && w.held > 0:
		w.m.c.canceled.Add(w.held)
	}
	w.buf, w.held = nil, 0
	if w.e.open.Add(-1) == 0 {
		if w.e.items != nil {
			close(w.e.items)
		} else {
			close(w.e.ch)
		}
	}
}

// hungryAfter is how long a reader waits before it asks the writers to hand
// over partial slices. A writer that is quick fills its slice sooner (128
// trivial items take a few microseconds) and one that is slow hands over
// what it has at its next item or before it waits for input itself, so an
// item waits in a slice at most this long or the time its worker takes for
// one more item.
const hungryAfter = 20 * time.Microsecond

// reader is one goroutine's end of an edge: the slice it is reading.
type reader[T any] struct {
	_     cacheLinePad // a reader changes with every item, see writer
	e     *edge[T]
	m     *meter
	done  <-chan struct{}
	buf   []T
	i     int
	rest  int    // items take returned (or given back) that the worker has not begun
	taken int64  // items received one by one and not counted yet
	seq   uint64 // the writer's number of the last item received on its own
	one   [1]T   // the item received on its own, for take
	timer *time.Timer
	_     cacheLinePad
}

func (e *edge[T]) reader(r *run, m *meter) *reader[T] {
	return &reader[T]{e: e, m: m, done: r.ctx.Done()}
}

// readState is what a reader found.
type readState int

const (
	readItem    readState = iota
	readEnd               // the input is closed and empty
	readStopped           // the pipeline stopped
	readAlarm             // the alarm channel fired first
)

// next returns the next item. Before it waits for input it flushes f (the
// worker's own writers), so an item never waits in a hand-off slice while
// its worker is idle.
func (r *reader[T]) next(f flusher) (v T, ok bool) {
	v, st := r.nextOr(f, nil)
	return v, st == readItem
}

// take returns every item ready in the reader's current slice (or the
// next slice, or the next item on its own). The caller decrements rest as
// it begins each: the items it never begins are NotStarted, counted by
// close even when the worker unwinds from a panic or a Goexit. Before it
// waits for input it flushes f, like next.
func (r *reader[T]) take(f flusher) ([]T, bool) {
	if r.e.items != nil {
		v, st := r.nextItem(f, nil)
		if st != readItem {
			return nil, false
		}
		r.one[0], r.rest = v, 1
		return r.one[:], true
	}
	if r.i >= len(r.buf) {
		if r.refill(f, nil) != readItem {
			return nil, false
		}
	}
	items := r.buf[r.i:]
	r.i, r.rest = len(r.buf), len(items)
	return items, true
}

// giveBack marks the item just taken as never begun (NotStarted): the run
// stopped before its function was called.
func (r *reader[T]) giveBack() { r.rest++ }

// nextOr is next with an alarm: it returns readAlarm when alarm fires while
// the reader waits for input.
func (r *reader[T]) nextOr(f flusher, alarm <-chan time.Time) (v T, st readState) {
	if r.e.items != nil {
		return r.nextItem(f, alarm)
	}
	if r.i < len(r.buf) {
		v = r.buf[r.i]
		r.i++
		return v, readItem
	}
	if st = r.refill(f, alarm); st != readItem {
		return v, st
	}
	r.i = 1
	return r.buf[0], readItem
}

func (r *reader[T]) nextItem(f flusher, alarm <-chan time.Time) (v T, st readState) {
	var item stamped[T]
	var ok bool
	select {
	case item, ok = <-r.e.items:
		r.seq = item.seq
		return item.v, r.gotItem(ok, f)
	default:
	}
	if f != nil && !f.flush() {
		return v, readStopped
	}
	start := r.m.beginWait(waitInput)
	select {
	case item, ok = <-r.e.items:
		r.seq, v = item.seq, item.v
		st = r.gotItem(ok, f)
	case <-alarm:
		st = readAlarm
	case <-r.done:
		st = readStopped
	}
	r.m.endWait(waitInput, start)
	return v, st
}

func (r *reader[T]) gotItem(ok bool, f flusher) readState {
	if !ok {
		return r.ended(readEnd, f)
	}
	if r.taken++; r.taken == countEvery {
		r.m.c.in.Add(r.taken)
		r.taken = 0
	}
	return readItem
}

func (r *reader[T]) refill(f flusher, alarm <-chan time.Time) readState {
	if r.buf != nil {
		clear(r.buf) // let the items be collected
		select {
		case r.e.free <- r.buf[:0]:
		default:
		}
		r.buf, r.i = nil, 0
	}
	select {
	case s, ok := <-r.e.ch:
		return r.ended(r.got(s, ok), f)
	default:
	}
	if f != nil && !f.flush() {
		return readStopped
	}
	start := r.m.beginWait(waitInput)
	if r.timer == nil {
		r.timer = time.NewTimer(hungryAfter)
	} else {
		r.timer.Reset(hungryAfter)
	}
	hungry := r.timer.C
	var st readState
wait:
	for {
		select {
		case s, ok := <-r.e.ch:
			st = r.got(s, ok)
			break wait
		case <-hungry:
			r.e.hungry.Store(true)
			hungry = nil
		case <-alarm:
			st = readAlarm
			break wait
		case <-r.done:
			st = readStopped
			break wait
		}
	}
	if hungry == nil {
		r.e.hungry.Store(false)
	} else {
		// The tick was not received. The timer is reset for the next
		// wait: a stale tick would only mark this reader hungry at once
		// (writers would hand over partial slices early, a cost and never
		// a wrong result), but it is drained all the same.
		stopTimer(r.timer)
	}
	r.m.endWait(waitInput, start)
	return r.ended(st, f)
}

// ended flushes f at the end of the input, so the worker's last items are
// handed over before it exits.
func (r *reader[T]) ended(st readState, f flusher) readState {
	if st == readEnd && f != nil && !f.flush() {
		return readStopped
	}
	return st
}

func (r *reader[T]) got(s []T, ok bool) readState {
	if !ok {
		return readEnd
	}
	r.buf = s
	r.m.c.in.Add(int64(len(s)))
	return readItem
}

// close counts the items received but never begun as NotStarted rather
// than In.
func (r *reader[T]) close() {
	notStarted := int64(r.rest + len(r.buf) - r.i)
	if in := r.taken - notStarted; in != 0 {
		r.m.c.in.Add(in)
	}
	if notStarted > 0 {
		r.m.c.notStarted.Add(notStarted)
	}
	r.buf, r.i, r.rest, r.taken = nil, 0, 0, 0
	if r.timer != nil {
		r.timer.Stop()
	}
}
