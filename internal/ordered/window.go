package ordered

import (
	"context"
	"sync"
)

// Window orders the results of concurrent workers by the order in which
// they took their inputs. Create it with NewWindow; it must not be copied.
type Window[T any] struct {
	turn chan struct{} // holds the right to take the next input
	room chan struct{} // a taker waits here while the window is full

	mu          sync.Mutex
	slots       []slot[T]
	next        uint64 // the ticket of the next input taken
	head        uint64 // the oldest ticket not passed on yet
	emitting    bool   // an emitter is passing results on
	waitingRoom bool   // a taker waits for room
}

type slot[T any] struct {
	ready bool
	vals  []T
}

// NewWindow returns a window that lets workers run up to size tickets ahead
// of the oldest result not passed on yet. It panics if size < 1.
func NewWindow[T any](size int) *Window[T] {
	if size < 1 {
		panic("ordered: window size must be at least 1")
	}
	w := &Window[T]{
		turn:  make(chan struct{}, 1),
		room:  make(chan struct{}, 1),
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
	for {
		w.mu.Lock()
		if w.next-w.head < uint64(len(w.slots)) {
			w.mu.Unlock()
			break
		}
		w.waitingRoom = true
		w.mu.Unlock()
		select {
		case <-w.room:
		case <-ctx.Done():
			return 0, false
		}
	}
	if !take() {
		return 0, false
	}
	w.mu.Lock()
	ticket = w.next
	w.next++
	w.mu.Unlock()
	return ticket, true
}

// Done deposits the results of ticket (copied; vals may be reused at once).
// If they are the oldest results missing and no other worker is passing
// results on, the calling worker becomes the emitter: it calls emit for each
// ticket's results, in ticket order, for as long as consecutive results are
// ready, and then calls idle with whether no ticket is in flight any more
// (every input taken so far has been passed on), before it stops being the
// emitter. emit and idle run outside
// the window's lock, in one goroutine at a time, and in happens-before
// order from one emitter to the next, so they may share unsynchronised
// state. Done returns false if emit did (the consumer stopped); the window
// is then unusable.
func (w *Window[T]) Done(ticket uint64, vals []T, emit func([]T) bool, idle func(drained bool) bool) bool {
	w.mu.Lock()
	s := &w.slots[ticket%uint64(len(w.slots))]
	s.vals = append(s.vals[:0], vals...)
	s.ready = true
	if w.emitting || ticket != w.head {
		w.mu.Unlock()
		return true
	}
	w.emitting = true
	for {
		// Results [head, end) are ready. Their slots cannot be reused
		// before head passes them, so they are read without the lock.
		end := w.head
		for end-w.head < uint64(len(w.slots)) && w.slots[end%uint64(len(w.slots))].ready {
			end++
		}
		if end == w.head {
			// Still the emitter, so idle cannot race with another one.
			drained := w.next == w.head
			w.mu.Unlock()
			if !idle(drained) {
				return false
			}
			w.mu.Lock()
			if w.slots[w.head%uint64(len(w.slots))].ready {
				continue // deposited while idle ran: pass it on too
			}
			w.emitting = false
			w.mu.Unlock()
			return true
		}
		start := w.head
		w.mu.Unlock()
		for t := start; t < end; t++ {
			s := &w.slots[t%uint64(len(w.slots))]
			if !emit(s.vals) {
				return false
			}
			clear(s.vals)
		}
		w.mu.Lock()
		for t := start; t < end; t++ {
			w.slots[t%uint64(len(w.slots))].ready = false
		}
		w.head = end
		if w.waitingRoom {
			w.waitingRoom = false
			select {
			case w.room <- struct{}{}:
			default:
			}
		}
	}
}
