package catch

import (
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
// Call allocates nothing when f returns normally, and the closure a caller
// passes as f stays on the caller's stack because Call does not keep it.
func Call(f func(), onGoexit func()) (p *tandem.PanicError) {
	returned := false
	defer func() {
		if returned {
			return
		}
		if r := recover(); r != nil {
			p = &tandem.PanicError{Value: r, Stack: string(debug.Stack())}
			return
		}
		// f neither returned nor panicked (since Go 1.21 even panic(nil)
		// recovers a non-nil value): runtime.Goexit is unwinding us.
		if onGoexit != nil {
			onGoexit()
		}
	}()
	f()
	returned = true
	return nil
}
