package pool

// waiter is a submitter blocked in Submit on a full pool. It queues its
// task here, and a worker that frees a slot moves the task into the pool
// itself (Go channels hand values to blocked senders the same way): the
// submitter wakes only to return, and the slot is never left empty while
// the submitter is being scheduled. Without it a fast producer and a
// blocked submit made workers drain the queue, exit and be started again
// for every batch.
type waiter struct {
	j          job
	err        error // valid once settled: nil when accepted, or ErrClosed
	settled    bool
	ready      chan struct{} // capacity 1: signalled once when settled
	prev, next *waiter
}

// waiterList is a FIFO of waiters that also removes from the middle, when
// a waiter's ctx ends.
type waiterList struct {
	head, tail *waiter
	// free recycles waiters, so a blocking Submit does not allocate. It is
	// per Pool, not a sync.Pool: a channel must not cross synctest bubbles.
	free []*waiter
}

func (l *waiterList) get() *waiter {
	if n := len(l.free); n > 0 {
		w := l.free[n-1]
		l.free = l.free[:n-1]
		return w
	}
	return &waiter{ready: make(chan struct{}, 1)}
}

func (l *waiterList) put(w *waiter) {
	w.j, w.err, w.settled = job{}, nil, false
	l.free = append(l.free, w)
}

func (l *waiterList) empty() bool { return l.head == nil }

func (l *waiterList) pushBack(w *waiter) {
	w.prev, w.next = l.tail, nil
	if l.tail == nil {
		l.head = w
	} else {
		l.tail.next = w
	}
	l.tail = w
}

func (l *waiterList) remove(w *waiter) {
	if w.prev == nil {
		l.head = w.next
	} else {
		w.prev.next = w.next
	}
	if w.next == nil {
		l.tail = w.prev
	} else {
		w.next.prev = w.prev
	}
	w.prev, w.next = nil, nil
}

func (l *waiterList) popFront() *waiter {
	w := l.head
	if w != nil {
		l.remove(w)
	}
	return w
}

// settle tells w's submitter how its submission ended.
func (w *waiter) settle(err error) {
	w.err, w.settled = err, true
	w.ready <- struct{}{}
}
