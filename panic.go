package tandem

import (
	"errors"
	"fmt"
	"strings"
)

// PanicError is a panic recovered from a task, carried to the goroutine that
// waits for the task and re-raised there with panic(*PanicError).
//
// The stack is captured as text inside the recovering deferred call, so it
// shows the frames of the task that panicked, not those of the waiter: crash
// reports and net/http's per-request recovery see where the task failed.
//
// When several tasks of one construct panic, the first recovered is the
// PanicError that is raised and the later ones are listed in Others, so no
// panic is lost.
type PanicError struct {
	// Value is the value passed to panic. Since Go 1.21 a panic(nil) arrives
	// here as a *runtime.PanicNilError.
	Value any
	// Stack is the panicking goroutine's stack as text, from runtime/debug.Stack.
	Stack string
	// Others holds the panics recovered after this one in the same construct,
	// in the order they were recovered. Their own Others are empty.
	Others []*PanicError
}

// ErrGoexit is the error a construct reports for a task that called
// runtime.Goexit (for example through t.FailNow in a test) instead of
// returning. Goexit cannot be stopped or re-raised in another goroutine; the
// task is counted as failed with this error so that its waiter never hangs.
var ErrGoexit = errors.New("tandem: task called runtime.Goexit")

// Error returns the panic value, the stack where it happened and, when
// several tasks panicked, the same for each of the others.
func (p *PanicError) Error() string {
	var b strings.Builder
	p.write(&b)
	for i, o := range p.Others {
		fmt.Fprintf(&b, "\n\n[and panic %d of %d]\n", i+2, len(p.Others)+1)
		o.write(&b)
	}
	return b.String()
}

func (p *PanicError) write(b *strings.Builder) {
	fmt.Fprintf(b, "panic: %v", p.Value)
	if err, ok := p.Value.(error); ok {
		// fmt already printed err.Error(); the type helps read a crash report.
		fmt.Fprintf(b, " [%T]", err)
	}
	if p.Stack != "" {
		b.WriteString("\n\n")
		b.WriteString(strings.TrimRight(p.Stack, "\n"))
	}
}

// Unwrap returns the panic value when it is an error, so errors.Is and
// errors.As see through the panic, and nil otherwise.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}
