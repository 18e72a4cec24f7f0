package fanout

import (
	"context"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/internal/catch"
	"github.com/tandem-go/tandem/pool"
)

// onPool runs w's call (w.task, for w.in) as a task of the pool and
// returns its error, or why it never ran. A fan-out's own goroutine waits
// for room in the pool, first come first served with everyone else's
// tasks, until the fan-out stops. A lending fan-out (see serve) never
// waits in the pool: its call takes a free worker or waits for the
// goroutine of the task that made the fan-out, which is sure to come, and
// which the pool lets run calls while it drains after Close.
func (r *run[In, Out]) onPool(w *worker[In, Out]) error {
	p := r.o.pool
	var err error
	if r.lent == nil {
		err = p.Call(r.ctx, w.task)
	} else if err = p.TryCall(r.ctx, w.task); err == pool.ErrFull || err == pool.ErrClosed {
		// The caller's task may still submit while its pool drains after
		// Close, so that the work it fans out drains too: so may its
		// fan-out, on its worker.
		err = r.lend(w)
	}
	if err == pool.ErrClosed && !w.ran {
		r.closePool(pool.ErrClosed) // nothing else starts; the calls in flight go on
	}
	return err
}

// lend hands w's call to the goroutine that serves the fan-out, and waits
// for it to run. A panic of the call is raised again here, where run
// records it for the input; a Goexit, which ended another goroutine, is
// reported as callGoexited (see attempt).
func (r *run[In, Out]) lend(w *worker[In, Out]) error {
	select {
	case r.lent <- w:
	case <-r.start.Done():
		return context.Cause(r.start)
	}
	<-w.lentDone
	err, pe := w.lentErr, w.lentPanic
	w.lentErr, w.lentPanic = nil, nil
	if pe != nil {
		panic(pe)
	}
	return err // after a Goexit, w.ran without w.returned says so
}

// serve runs, on the goroutine that called Map or ranges over Stream, the
// calls its workers lend it, until done is closed. That goroutine is a
// worker of the fan-out's pool whose task waits for the fan-out: running
// the calls on it, when the pool has no free worker, keeps every fan-out
// of that kind going even when all the pool's workers wait for one, as
// the pool's nested groups do, and within the pool's bound, since the
// task's own worker runs them.
func (r *run[In, Out]) serve(done <-chan struct{}) {
	for {
		select {
		case w := <-r.lent:
			r.runLent(w)
		case <-done:
			return
		}
	}
}

// runLent runs w's call on this goroutine. runtime.Goexit in the call ends
// this goroutine, the caller's, as it would in a call the caller made
// itself: w learns it first, and the fan-out stops, so that nothing waits
// for this goroutine any more; the caller's deferred cleanup then waits
// for the fan-out's goroutines (see mapInputs and stream).
func (r *run[In, Out]) runLent(w *worker[In, Out]) {
	pe := catch.Call(func() { w.lentErr = w.task(r.ctx) }, func() {
		w.lentDone <- struct{}{}
		r.cancel(tandem.ErrGoexit)
	})
	w.lentPanic = pe
	w.lentDone <- struct{}{}
}
