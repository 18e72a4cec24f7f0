package pool

import "time"

// idleLinger is how long a worker with nothing to do waits for a task
// before it exits. Long enough to ride out a producer being descheduled
// for a few milliseconds, which would otherwise cost a goroutine start and
// a stack regrown from scratch per worker; short enough that an idle Pool
// soon has no goroutine.
const idleLinger = 100 * time.Millisecond

// idler is the parking spot of one worker goroutine, set up the first time
// it runs out of work and reused for every later wait.
type idler struct {
	// wake brings the next task, already counted as running, or the zero
	// job, which tells the worker it has been dismissed and must exit.
	// Its one slot means a sender never blocks: a parked worker is taken
	// off the Pool's idle stack, under the lock, by exactly one sender.
	wake  chan job
	timer *time.Timer
}

// Parked workers are woken one at a time. Submit hands its task to a
// parked worker unless another is waking (Pool.waking) and the queue has
// room, and queues it then; the woken worker, once it runs, wakes the next
// one if tasks are queued. So a burst of submissions after a lull wakes
// workers only as fast as they get a CPU: tasks stay on the few warm
// workers that keep up, instead of being spread over every parked one,
// each with a cold stack. The heuristic only decides where an accepted
// task waits: a parked worker is room, so Submit never blocks and
// TrySubmit never fails while one is parked.

// parkLocked puts w on the Pool's stack of idle workers, called with p.mu
// held when the queue is empty. The stack is a LIFO, so the next task goes
// to the worker that ran last, whose stack and caches are the warmest, and
// the coldest workers are the ones that time out.
func (p *Pool) parkLocked(w *worker) {
	if w.idle.wake == nil {
		w.idle.wake = make(chan job, 1)
	}
	p.queue.trim() // the queue is empty: a burst's buffer goes
	p.idle = append(p.idle, &w.idle)
}

// handLocked gives j, counted as submitted, to the most recently parked
// worker.
func (p *Pool) handLocked(j job) {
	in := p.popIdleLocked()
	p.n.running++
	p.waking = true
	in.wake <- j
}

// await blocks a parked worker until it is handed a task or dismissed, or
// until idleLinger has passed; then it takes itself off the idle stack
// and exits, unless a task or its dismissal reached it meanwhile.
func (p *Pool) await(w *worker) (job, bool) {
	in := &w.idle
	j, ok := in.park(idleLinger)
	if !ok {
		p.mu.Lock()
		if p.unparkLocked(in) {
			p.leaveLocked(w)
			p.mu.Unlock()
			return job{}, false
		}
		p.mu.Unlock()
		j = <-in.wake // taken off the stack by a sender just in time
	}
	p.mu.Lock()
	if j.ctx == nil { // dismissed, and already counted out
		p.exiting--
		if w.id != 0 {
			delete(p.ids, w.id)
		}
		p.closeDrainedLocked()
		p.mu.Unlock()
		return job{}, false
	}
	p.waking = false
	if p.queue.n > 0 && len(p.idle) > 0 {
		next, _ := p.queue.pop()
		p.handLocked(next)
		p.admitWaitersLocked()
	}
	p.mu.Unlock()
	return j, true
}

// park waits up to d for a job on wake, and reports whether one came.
func (in *idler) park(d time.Duration) (job, bool) {
	if in.timer == nil {
		in.timer = time.NewTimer(d)
	} else {
		// No stale tick can be in the channel: every wait either receives
		// the tick or stops the timer and drains what it left (below).
		in.timer.Reset(d)
	}
	select {
	case j := <-in.wake:
		if !in.timer.Stop() {
			// Only with GODEBUG=asynctimerchan=1 (pre-Go 1.23 timers, still
			// honoured) can a tick that fired meanwhile wait here, to end
			// the next wait at once; the drain never blocks, and with
			// today's timers finds nothing.
			select {
			case <-in.timer.C:
			default:
			}
		}
		return j, true
	case <-in.timer.C:
		return job{}, false
	}
}

// unparkLocked takes in off the idle stack, reporting false when a sender
// took it off first.
func (p *Pool) unparkLocked(in *idler) bool {
	for i, other := range p.idle {
		if other == in {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.idle[len(p.idle):cap(p.idle)][0] = nil
			return true
		}
	}
	return false
}

// popIdleLocked takes the most recently parked worker off the idle stack,
// or returns nil.
func (p *Pool) popIdleLocked() *idler {
	n := len(p.idle)
	if n == 0 {
		return nil
	}
	in := p.idle[n-1]
	p.idle[n-1] = nil
	p.idle = p.idle[:n-1]
	return in
}

// dismissIdleLocked tells parked workers to exit until no more than keep
// workers are counted (or none is parked). It counts them out at once, so
// that the count a busy worker compares with the bound is right when the
// lock is released, and as exiting until they are gone, which Close waits
// for.
func (p *Pool) dismissIdleLocked(keep int) {
	for p.goroutines > keep {
		in := p.popIdleLocked()
		if in == nil {
			break
		}
		p.goroutines--
		p.exiting++
		in.wake <- job{}
	}
	p.closeDrainedLocked()
}
