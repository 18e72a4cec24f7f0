package pool

// Stats is a snapshot of a Pool's counts, taken under its lock so that they
// add up: Submitted = Queued + Running + Completed + Failed + Panicked +
// Canceled. Rejected counts the tasks that were never accepted (ErrFull,
// ErrClosed, or the submitter's ctx ending while Submit blocked).
type Stats struct {
	Limit   int // the current limit
	Workers int // worker goroutines alive, at most Limit once a shrink settles

	Submitted int // tasks accepted
	Queued    int // accepted, waiting for a worker
	Running   int // started and not finished; includes tasks run inline
	Completed int // returned nil
	Failed    int // returned an error, or called runtime.Goexit
	Panicked  int // panicked
	Canceled  int // never started: their ctx was done first, or Shutdown dropped them
	Rejected  int // never accepted
}

// Stats returns the current counts.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{
		Limit:     p.limit,
		Workers:   p.workers,
		Submitted: p.submitted,
		Queued:    p.queue.n,
		Running:   p.running,
		Completed: p.completed,
		Failed:    p.failed,
		Panicked:  p.panicked,
		Canceled:  p.canceled,
		Rejected:  p.rejected,
	}
}
