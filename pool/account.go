package pool

import "github.com/tandem-go/tandem"

type outcome uint8

const (
	succeeded outcome = iota
	failed            // returned an error of its own, or called runtime.Goexit
	canceled          // returned an error while its ctx was done
	panicked
	notStarted // its ctx was done before it started, or it was dropped
)

type result struct {
	out   outcome
	err   error
	panic *tandem.PanicError
}

var goexited = result{out: failed, err: tandem.ErrGoexit}

// mode says what the goroutine that ended a task may do next.
type mode uint8

const (
	onWorker mode = iota // a worker's loop: the next task, or park, or exit
	inline               // a task run inline: only its group's next task
	dying                // a worker unwinding from runtime.Goexit: a replacement takes the next task
)

// step is what end tells the goroutine to do.
type step uint8

const (
	runNext step = iota // run the job returned
	park                // w is on the idle stack: call await
	leave               // w has been counted out: return
)

// end accounts for j, which ended as r on w (countLocked), and hands off
// (handOffLocked): it returns what w's goroutine does next. Both happen in
// one critical section, so that Stats never see the group's next task
// between the two, but for the rare race with Shutdown's deadline.
func (p *Pool) end(w *worker, j *job, r result, m mode) (job, step) {
	g := j.group
	var next job
	var more bool
	dropped := 0 // tasks the group dropped without handing them over
	if g != nil {
		// The group's lock comes before the pool's.
		next, more, dropped = g.record(j, r, p.stopping.Load())
	}
	p.mu.Lock()
	if w.newMark {
		w.newMark = false
		p.mark = w.mark
	}
	p.countLocked(r.out)
	p.countDroppedLocked(dropped)
	if more && p.stopping.Load() {
		// Shutdown passed its deadline after the group looked: next must
		// not start. The group drops it and everything it still holds.
		p.mu.Unlock()
		n := g.drop(next, ErrClosed)
		p.mu.Lock()
		p.countDroppedLocked(n)
		dropped += n
		more = false
	}
	if more {
		p.n.submitted++
		p.n.running++
	}
	nj, st := p.handOffLocked(w, next, more, m)
	p.mu.Unlock()
	if g != nil {
		g.done(1 + dropped) // only now: a group's Wait sees its tasks counted
	}
	if j.call != nil {
		p.finish(j.call, r) // only now: Call returns with the task counted
	}
	return nj, st
}

// countLocked accounts for the end of a running task.
func (p *Pool) countLocked(out outcome) {
	p.n.running--
	switch out {
	case succeeded:
		p.n.succeeded++
	case failed:
		p.n.failed++
	case canceled:
		p.n.canceled++
	case panicked:
		p.n.panicked++
	case notStarted:
		p.n.notStarted++
	}
}

// countDroppedLocked accounts for n tasks that a group dropped before
// handing them over: the pool takes them as submitted and never started.
func (p *Pool) countDroppedLocked(n int) {
	p.n.submitted += n
	p.n.notStarted += n
}

// handOffLocked decides what w's goroutine does once its task has been
// counted: next is the task's group's next task, if more, already counted
// as submitted and running.
func (p *Pool) handOffLocked(w *worker, next job, more bool, m mode) (job, step) {
	if m == inline {
		if more {
			return next, runNext
		}
		return job{}, leave
	}
	if m == dying && w.id != 0 {
		// A replacement, if any, takes the place under its own id.
		delete(p.ids, w.id)
		w.id = 0
	}
	if more {
		switch {
		case next.group.nested:
			// Nested: the group's tasks never wait in the queue (see
			// group.nested), so this worker runs it.
			return next, runNext
		case p.goroutines > p.workers:
			// The pool shrank: this worker leaves, the task waits.
			p.n.running--
			p.queue.push(next) // accepted work: may exceed the queue size
		case p.queue.n > 0:
			// Others were queued first: the group's task goes behind them,
			// so that a big group cannot keep the workers it has to itself.
			// One in, one out: the queue does not grow.
			p.queue.push(next)
			next, _ = p.queue.pop()
			return next, runNext
		default:
			return next, runNext
		}
	}
	if m == onWorker && p.queue.n == 0 && p.waiters.empty() && p.goroutines <= p.workers && !p.closed {
		p.parkLocked(w)
		return job{}, park
	}
	return p.nextLocked(w)
}

// nextLocked pops the head of the queue for a worker, or counts the worker
// out when the queue is empty or the pool has shrunk below the workers.
func (p *Pool) nextLocked(w *worker) (job, step) {
	if p.goroutines <= p.workers {
		if next, ok := p.queue.pop(); ok {
			p.n.running++
			if p.queue.n <= p.queueSize/2 {
				// Wake blocked submitters only once the queue is half
				// empty: then a producer refills it in one go instead of
				// sleeping and waking for every task, and the half still
				// queued keeps the workers busy meanwhile.
				w.wokeSubmitter = p.admitWaitersLocked()
			}
			return next, runNext
		}
		if next, ok := p.takeWaiterLocked(); ok {
			return next, runNext
		}
	}
	p.leaveLocked(w)
	return job{}, leave
}

// leaveLocked counts w out of the pool's workers.
func (p *Pool) leaveLocked(w *worker) {
	p.goroutines--
	if w.id != 0 {
		delete(p.ids, w.id)
		w.id = 0
	}
	p.closeDrainedLocked()
}

// dropped records a group job that the pool dropped, and has counted as
// NotStarted, in its group, which drops the tasks it still holds too.
func (p *Pool) dropped(j *job) {
	g := j.group
	_, _, n := g.record(j, result{out: notStarted, err: ErrClosed}, true)
	p.mu.Lock()
	p.countDroppedLocked(n)
	p.mu.Unlock()
	g.done(1 + n)
}

// requeue gives another goroutine a task already counted as running: a
// parked worker, a new one when there is room, or else the queue, which
// the busy workers drain. It is for a task handed to a goroutine that
// cannot run it (one unwinding from Goexit or a handler's panic).
func (p *Pool) requeue(j job) {
	p.mu.Lock()
	if p.stopping.Load() {
		p.n.running--
		p.n.notStarted++
		p.mu.Unlock()
		if j.group != nil {
			p.dropped(&j)
		}
		return
	}
	defer p.mu.Unlock()
	if len(p.idle) > 0 {
		p.n.running-- // handLocked counts it again
		p.handLocked(j)
		return
	}
	if p.goroutines < p.workers {
		p.goroutines++
		go p.work(j, p.mark)
		return
	}
	p.n.running--
	p.queue.push(j) // accepted work: may exceed the queue size
}

// reject counts a task refused at the door by a group on p.
func (p *Pool) reject() {
	p.mu.Lock()
	p.n.rejected++
	p.mu.Unlock()
}

// countDropped counts n tasks a group dropped before handing them over.
func (p *Pool) countDropped(n int) {
	if n == 0 {
		return
	}
	p.mu.Lock()
	p.countDroppedLocked(n)
	p.mu.Unlock()
}
