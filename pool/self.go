package pool

import (
	"context"
	"runtime"
	"sync"

	"github.com/tandem-go/tandem/internal/misuse"
)

// A Pool tells its own workers from every other goroutine by goroutine id,
// so that the privileges of a task of the pool (to run a submission inline
// rather than block on a full pool, to submit while Close drains) are
// scoped to the goroutine that runs it while it runs. A ctx value alone
// cannot scope them: a task's ctx outlives the task and is handed to other
// goroutines, and those must neither run tasks beyond the pool's bound nor
// submit after Close.
//
// The id is read once per worker, when it starts, and once per check, which
// happens only where Submit would otherwise block or refuse (and in Close
// and Shutdown): never on the path of a task that is simply accepted. The
// ctx value workers put in their tasks' contexts (insidePool) filters those
// checks, so that an ordinary producer blocked on a full pool never pays
// for one. Go has no API for a goroutine's id; it is read from the first
// line of runtime.Stack, "goroutine 123 [running]:", a format the runtime
// has kept since Go 1 (golang.org/x/net/http2 reads it for its own check
// that code runs on the goroutine it must). Should it ever fail to parse,
// the id is 0, no goroutine counts as a worker, and the pool only loses the
// inline path and the misuse checks of Close and Shutdown.

// insidePool is the key of the ctx value by which a pool's workers mark
// their tasks' contexts. A struct with the pool in it, so that tasks of one
// pool submitting into another are told apart too.
type insidePool struct{ p *Pool }

// stackBufs recycles the buffers goroutineID reads into: runtime.Stack
// keeps its argument on the heap, which would cost every worker start an
// allocation.
var stackBufs = sync.Pool{New: func() any { return new([64]byte) }}

// goroutineID returns the calling goroutine's id, or 0. It costs a walk of
// the caller's stack: keep it off hot paths.
func goroutineID() int64 {
	buf := stackBufs.Get().(*[64]byte)
	defer stackBufs.Put(buf)
	n := runtime.Stack(buf[:], false)
	const prefix = "goroutine "
	if n <= len(prefix) || string(buf[:len(prefix)]) != prefix {
		return 0
	}
	var id int64
	for _, c := range buf[len(prefix):n] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + int64(c-'0')
	}
	return id
}

// enter registers w's goroutine as a worker of p, before it runs a task.
// A group's own pool needs no ids: nothing but the group submits to it,
// and it never blocks.
func (p *Pool) enter(w *worker) {
	if p.ids == nil {
		return
	}
	w.id = goroutineID()
	if w.id == 0 {
		return
	}
	p.mu.Lock()
	p.ids[w.id] = struct{}{}
	p.mu.Unlock()
}

// onWorker reports whether the calling goroutine is a worker of p, so
// inside one of its tasks or handlers.
func (p *Pool) onWorker() bool {
	p.mu.Lock()
	none := len(p.ids) == 0
	p.mu.Unlock()
	if none {
		return false
	}
	id := goroutineID()
	p.mu.Lock()
	_, ok := p.ids[id]
	p.mu.Unlock()
	return ok && id != 0
}

// insideTask reports whether a submission with ctx comes from a task (or
// handler) of p running on its worker. It calls ctx.Value, user code, so it
// must be called with no lock held.
func (p *Pool) insideTask(ctx context.Context) bool {
	return ctx.Value(insidePool{p}) != nil && p.onWorker()
}

// notFromWorker panics when called from a task or handler of p: where (Close,
// Shutdown) would wait for that task, which waits for it.
func (p *Pool) notFromWorker(where string) {
	if p.onWorker() {
		misuse.Panicf(where, "called from a task of the pool, which it would wait for")
	}
}
