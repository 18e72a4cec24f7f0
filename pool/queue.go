package pool

import "context"

// job is one task on its way to a worker. It is a value, stored in the
// queue's ring, so submitting allocates nothing.
type job struct {
	// ctx is handed to the task; when it is done before the task starts,
	// the task never starts and counts as NotStarted. Never nil: a job with
	// a nil ctx tells a parked worker to exit (see idler).
	ctx context.Context
	// task is a func(context.Context) error for a Pool task, and the typed
	// task of its group otherwise. A func in an interface is pointer-shaped,
	// so storing it here does not allocate.
	task  any
	group *group  // nil for a task submitted to the Pool directly
	call  *caller // the waiter of a Call or TryCall; nil otherwise
	index int     // position of the task in its group
}

// plain reports whether j has no waiter (Submit, TrySubmit): its failures
// go to the Pool's handlers.
func (j *job) plain() bool { return j.group == nil && j.call == nil }

// mayQueue reports whether j may wait in the queue before anyone has
// checked where it comes from: not a Call's, nor a nested group's, whose
// submitter may be a worker that the queue would make wait for itself.
func (j *job) mayQueue() bool {
	if j.group != nil {
		return !j.group.nested
	}
	return j.call == nil
}

// ring is a FIFO of jobs in a circular buffer. It starts empty and grows by
// doubling as jobs arrive, so that its memory follows what is queued, not
// the queue's bound: a Pool of a million workers costs nothing up front.
// Once grown it stays, so a steady load queues without allocating, until
// the queue is empty while a worker parks: a buffer bigger than ringKeep
// is dropped then (see Pool.parkLocked).
type ring struct {
	buf  []job
	head int
	n    int
}

// ringKeep is the most jobs a drained ring keeps room for.
const ringKeep = 256

func (r *ring) push(j job) {
	if r.n == len(r.buf) {
		r.grow()
	}
	i := r.head + r.n
	if i >= len(r.buf) { // no modulo: a division costs more than the rest of push
		i -= len(r.buf)
	}
	r.buf[i] = j
	r.n++
}

func (r *ring) pop() (job, bool) {
	if r.n == 0 {
		return job{}, false
	}
	j := r.buf[r.head]
	r.buf[r.head] = job{} // let the task and its ctx be collected
	if r.head++; r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return j, true
}

func (r *ring) grow() {
	buf := make([]job, max(2*len(r.buf), 4))
	for i := range r.n {
		buf[i] = r.buf[(r.head+i)%len(r.buf)]
	}
	r.buf, r.head = buf, 0
}

// trim drops the buffer of an empty ring that grew beyond ringKeep.
func (r *ring) trim() {
	if r.n == 0 && len(r.buf) > ringKeep {
		r.buf, r.head = nil, 0
	}
}
