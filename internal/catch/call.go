package catch

import (
	"runtime"
	"runtime/debug"

	"github.com/tandem-go/tandem"
)

// Call runs f. A panic in f is recovered and returned as a *tandem.PanicError
// whose Stack is that of the panicking goroutine, taken before it unwinds.
//
// runtime.Goexit cannot be recovered: when f calls it, Call runs onGoexit (if
// not nil) while the goroutine unwinds and never returns. The owner uses
// onGoexit to account for the task (as failed with tandem.ErrGoexit) and to
// replace the goroutine, so that a waiter never hangs.
//
// A panic whose value is already a *tandem.PanicError (a nested construct
// re-raising its task's panic) is returned as it is, not wrapped again.
// A panic(nil) is a panic, never a Goexit, also under GODEBUG=panicnil=1,
// where recover returns nil for it: the Value is then a
// *runtime.PanicNilError, as it is by default since Go 1.21.
//
// Call allocates nothing when f returns normally, and the closure a caller
// passes as f stays on the caller's stack because Call does not keep it.
func Call(f func(), onGoexit func()) (p *tandem.PanicError) {
	// Goexit and a recovered panic(nil) under panicnil=1 look the same to
	// a deferred recover (it returns nil); they differ in what follows: a
	// recovered panic returns from the frame that recovered it, a Goexit
	// goes on unwinding. So the recover is in callRecovering and the
	// Goexit test here, one frame up.
	settled := false
	defer func() {
		if !settled && onGoexit != nil {
			onGoexit()
		}
	}()
	p = callRecovering(f)
	settled = true
	return p
}

func callRecovering(f func()) (p *tandem.PanicError) {
	returned := false
	defer func() {
		if returned {
			return
		}
		// A panic, or a Goexit unwinding through: for a Goexit nothing
		// that is built here is ever seen, and it is the rare path.
		r := recover()
		if r == nil {
			r = new(runtime.PanicNilError)
		}
		if inner, ok := r.(*tandem.PanicError); ok {
			// A construct this task waited for re-raised its task's panic:
			// pass it on as it is, with the stack of the goroutine that
			// really panicked, instead of wrapping it once per level.
			p = inner
			return
		}
		p = &tandem.PanicError{Value: r, Stack: string(debug.Stack())}
	}()
	f()
	returned = true
	return nil
}
