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
	// job, which tells the worker it has been counted out and must exit.
	// Its one slot means a sender never blocks: a parked worker is taken
	// off the Pool's idle stack, under the lock, by exactly one sender.
	wake  chan job
	timer *time.Timer
}

// Parked workers are woken one at a time. Submit hands its task to a
// parked worker only when no other is waking (Pool.waking), and queues it
// otherwise; the woken worker, once it runs, wakes the next one if tasks
// are queued. So a burst of submissions after a lull wakes workers only as
// fast as they get a CPU: tasks stay on the few warm workers that keep up,
// instead of being spread over every parked one, each with a cold stack.

// parkLocked puts w on the Pool's stack of idle workers, called with p.mu
// held when the queue is empty. The stack is a LIFO, so the next task goes
// to the worker that ran last, whose stack and caches are the warmest, and
// the coldest workers are the ones that time out.
func (p *Pool) parkLocked(w *worker) {
	if w.idle.wake == nil {
		w.idle.wake = make(chan job, 1)
	}
	p.idle = append(p.idle, &w.idle)
}

// handLocked gives j, counted as submitted, to the most recently parked
// worker.
func (p *Pool) handLocked(j job) {
	in := p.popIdleLocked()
	p.running++
	p.waking = true
	in.wake <- j
}

// await blocks a parked worker until it is handed a task or told to exit,
// or until idleLinger has passed; then it takes itself off the idle stack
// and exits, unless a task or the word to exit reached it meanwhile.
func (p *Pool) await(w *worker) (job, bool) {
	in := &w.idle
	if in.timer == nil {
		in.timer = time.NewTimer(idleLinger)
	} else {
		in.timer.Reset(idleLinger)
	}
	var j job
	select {
	case j = <-in.wake:
		in.timer.Stop()
	case <-in.timer.C:
		p.mu.Lock()
		for i, other := range p.idle {
			if other == in {
				p.idle = append(p.idle[:i], p.idle[i+1:]...)
				p.idle[len(p.idle):cap(p.idle)][0] = nil
				p.workers--
				p.closeDrainedLocked()
				p.mu.Unlock()
				return job{}, false
			}
		}
		p.mu.Unlock()
		j = <-in.wake // taken off the stack by a sender just in time
	}
	if j.ctx == nil {
		return job{}, false // dismissed, and already counted out
	}
	p.mu.Lock()
	p.waking = false
	if p.queue.n > 0 && len(p.idle) > 0 {
		next, _ := p.queue.pop()
		p.handLocked(next)
		p.admitLocked()
	}
	p.mu.Unlock()
	return j, true
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
// workers are left (or none is parked), counting them out at once so that
// the Pool's count of workers is right when the lock is released: Close
// waits for it to reach zero, and a busy worker compares it with the limit.
func (p *Pool) dismissIdleLocked(keep int) {
	for p.workers > keep {
		in := p.popIdleLocked()
		if in == nil {
			break
		}
		p.workers--
		in.wake <- job{}
	}
	p.closeDrainedLocked()
}
