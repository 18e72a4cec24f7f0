package pool

// Stats is a snapshot of a Pool's counts, taken under its lock so that
// they add up:
//
//	Submitted = Queued + Running + Succeeded + Failed + Canceled + Panicked + NotStarted
//
// Every task handed to the pool, by Submit, TrySubmit, Do, Call, TryCall or
// a group on it, is counted once: Rejected if the pool never accepted it, else Submitted
// and then in exactly one of the other fields. A group's task that waits
// for the group's own bound is not yet the pool's: it is counted when the
// group hands it over, or as NotStarted when the group drops it (its ctx
// ended, or Shutdown). When a group's Wait returns, its tasks are counted.
type Stats struct {
	Workers    int // the bound: the most tasks running at once
	Goroutines int // worker goroutines alive, at most Workers once a shrink settles

	Submitted  int // tasks accepted
	Queued     int // accepted, waiting for a worker
	Running    int // started and not finished; includes tasks run inline
	Succeeded  int // returned nil
	Failed     int // returned an error of their own, or called runtime.Goexit
	Canceled   int // returned an error while the ctx they were given was done
	Panicked   int // panicked
	NotStarted int // accepted, never started: their ctx ended first, or Shutdown dropped them
	Rejected   int // never accepted: ErrFull, ErrClosed, or the ctx ended before the pool took it
}

// counts are the Pool's running totals behind Stats.
type counts struct {
	submitted, running, succeeded, failed, canceled, panicked, notStarted, rejected int
}

// Stats returns the current counts.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{
		Workers:    p.workers,
		Goroutines: p.goroutines + p.exiting,
		Submitted:  p.n.submitted,
		Queued:     p.queue.n,
		Running:    p.n.running,
		Succeeded:  p.n.succeeded,
		Failed:     p.n.failed,
		Canceled:   p.n.canceled,
		Panicked:   p.n.panicked,
		NotStarted: p.n.notStarted,
		Rejected:   p.n.rejected,
	}
}
