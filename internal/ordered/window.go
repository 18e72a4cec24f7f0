package ordered

import (
	"context"
	"sync"
	"sync/atomic"
)

// Window orders the results of concurrent workers by ticket: the order in
// which they took their inputs. Tickets come either from Take, which hands
// them out in the order inputs are taken, or from the producer of the
// inputs, which numbers them 0, 1, 2... as it sends them (then workers
// call Arrived and WaitRoom). Create it with NewWindow; it must not be
// copied.
type Window[T any] struct {
	turn chan struct{} // holds the right to take the next input (Take)
	wake chan struct{} // the taker's wake-up while it waits for room (Take)

	// next is one past the newest ticket handed out; head is the oldest
	// ticket not passed on yet, written under mu and read without it
	// where a stale value only means taking the lock.
	next atomic.Uint64
	head atomic.Uint64

	mu       sync.Mutex
	slots    []slot[T]
	emitting bool            // an emitter is passing results on
	waiters  []chan struct{} // wake-ups of the workers waiting for room
}

type slot[T any] struct {
	ready bool
	vals  []T
}

// NewWindow returns a window that holds results for up to size tickets
// from the oldest one not passed on yet. It panics if size < 1.
func NewWindow[T any](size int) *Window[T] {
	if size < 1 {
		panic("ordered: window size must be at least 1")
	}
	w := &Window[T]{
		turn:  make(chan struct{}, 1),
		wake:  make(chan struct{}, 1),
		slots: make([]slot[T], size),
	}
	w.turn <- struct{}{}
	return w
}

// Take waits for the turn and for room in the window, then calls take,
// which takes the next input (it may block). When take reports true, the
// input gets the next ticket, which Take returns; results must then be
// deposited with Done under that ticket, even when there are none. Take
// reports false when take does, or when ctx is done while it waits.
func (w *Window[T]) Take(ctx context.Context, take func() bool) (ticket uint64, ok bool) {
	select {
	case <-w.turn:
	case <-ctx.Done():
		return 0, false
	}
	defer func() { w.turn <- struct{}{} }()
	// Only the holder of the turn moves next.
	if ticket = w.next.Load(); !w.WaitRoom(ctx, ticket, w.wake) || !take() {
		return 0, false
	}
	w.next.Store(ticket + 1)
	return ticket, true
}

// Arrived records a ticket numbered by the producer, when a worker
// receives its input. Every ticket from 0 on must arrive, once.
func (w *Window[T]) Arrived(ticket uint64) {
	for {
		next := w.next.Load()
		if next > ticket || w.next.CompareAndSwap(next, ticket+1) {
			return
		}
	}
}

// WaitRoom blocks until ticket fits in the window, and reports false if ctx
// is done first. wake is the calling worker's own channel, of capacity 1,
// that the emitter signals when the window moves on.
func (w *Window[T]) WaitRoom(ctx context.Context, ticket uint64, wake chan struct{}) bool {
	size := uint64(len(w.slots))
	if ticket-w.head.Load() < size { // head only grows: no lock needed to see room
		return true
	}
	w.mu.Lock()
	for ticket-w.head.Load() >= size {
		w.waiters = append(w.waiters, wake)
		w.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return false
		}
		w.mu.Lock()
	}
	w.mu.Unlock()
	return true
}

// Done deposits the results of ticket (copied; vals may be reused at once);
// the ticket must fit in the window (see WaitRoom). If they are the oldest
// results missing and no other worker is passing results on, the calling
// worker becomes the emitter: it calls emit for each ticket's results, in
// ticket order, for as long as consecutive results are ready, and then
// calls idle with whether no ticket is in flight any more (every input
// taken so far has been passed on), before it stops being the emitter. emit
// and idle run outside the window's lock, in one goroutine at a time, and in
// happens-before order from one emitter to the next, so they may share
// unsynchronised state. Done returns false if emit or idle did (the
// consumer stopped); the window is then unusable, except for Pending.
func (w *Window[T]) Done(ticket uint64, vals []T, emit func([]T) bool, idle func(drained bool) bool) bool {
	size := uint64(len(w.slots))
	w.mu.Lock()
	s := &w.slots[ticket%size]
	s.vals = append(s.vals[:0], vals...)
	s.ready = true
	if w.emitting || ticket != w.head.Load() {
		w.mu.Unlock()
		return true
	}
	w.emitting = true
	for {
		// Results [head, end) are ready. Their slots cannot be reused
		// before head passes them, so they are read without the lock.
		head := w.head.Load()
		end := head
		for end-head < size && w.slots[end%size].ready {
			end++
		}
		if end == head {
			// Still the emitter, so idle cannot race with another one.
			drained := w.next.Load() == head
			w.mu.Unlock()
			if !idle(drained) {
				return false
			}
			w.mu.Lock()
			if w.slots[w.head.Load()%size].ready {
				continue // deposited while idle ran: pass it on too
			}
			w.emitting = false
			w.mu.Unlock()
			return true
		}
		start := head
		w.mu.Unlock()
		for t := start; t < end; t++ {
			s := &w.slots[t%size]
			if !emit(s.vals) {
				// The results up to t's are passed on or, t's, accounted
				// for by emit: only the later ones stay Pending.
				w.mu.Lock()
				for u := start; u <= t; u++ {
					w.slots[u%size].ready = false
				}
				w.mu.Unlock()
				clear(s.vals)
				return false
			}
			clear(s.vals)
		}
		w.mu.Lock()
		for t := start; t < end; t++ {
			w.slots[t%size].ready = false
		}
		w.head.Store(end)
		for _, wake := range w.waiters {
			select {
			case wake <- struct{}{}:
			default: // already signalled
			}
		}
		clear(w.waiters)
		w.waiters = w.waiters[:0]
	}
}

// Pending returns how many tickets have results deposited (one or more) that
// were not passed on. Once the workers have stopped, these are the inputs
// the run dropped: their results waited for an older ticket that never came,
// or behind a failed emit. A ticket whose emit failed is not counted: emit
// accounts for it.
func (w *Window[T]) Pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for i := range w.slots {
		if s := &w.slots[i]; s.ready && len(s.vals) > 0 {
			n++
		}
	}
	return n
}
