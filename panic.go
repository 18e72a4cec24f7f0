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
	// Value is the value passed to panic; a panic(nil) arrives here as a
	// *runtime.PanicNilError. It is never itself a *PanicError: a task that
	// re-raises the PanicError of a construct it waited for passes it on as
	// it is, so the stack shown is the one of the task that really panicked.
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

// Error returns a message whose first line is short enough for a log line:
// the first panic's value (its first line, at most 200 bytes; the whole
// value follows further down when it is longer), its type when the value
// is an error, and how many other panics ride along. The stack of the first panic follows after
// a blank line, then each other panic with its own stack.
//
//	panic: boom (and 2 more panics)
//
//	goroutine 7 [running]:
//	...
//
//	[panic 2 of 3] panic: second
//	...
func (p *PanicError) Error() string {
	var b strings.Builder
	rest := writeValue(&b, p.Value)
	if n := len(p.Others); n == 1 {
		b.WriteString(" (and 1 more panic)")
	} else if n > 1 {
		fmt.Fprintf(&b, " (and %d more panics)", n)
	}
	writeStack(&b, rest, p.Stack)
	for i, o := range p.Others {
		fmt.Fprintf(&b, "\n\n[panic %d of %d] ", i+2, len(p.Others)+1)
		writeStack(&b, writeValue(&b, o.Value), o.Stack)
	}
	return b.String()
}

// firstLineMax is how much of a panic value the first line of Error shows;
// a longer or multi-line value is printed whole after it.
const firstLineMax = 200

func writeValue(b *strings.Builder, v any) (rest string) {
	text := fmt.Sprint(v)
	short, cut := text, false
	if i := strings.IndexByte(short, '\n'); i >= 0 {
		short, cut = short[:i], true
	}
	if len(short) > firstLineMax {
		short, cut = short[:firstLineMax], true
	}
	b.WriteString("panic: ")
	b.WriteString(short)
	if cut {
		b.WriteString(" ...")
	}
	if err, ok := v.(error); ok {
		// The type helps read a crash report.
		fmt.Fprintf(b, " [%T]", err)
	}
	if cut {
		return text
	}
	return ""
}

func writeStack(b *strings.Builder, rest, stack string) {
	if rest != "" {
		b.WriteString("\n\n")
		b.WriteString(strings.TrimRight(rest, "\n"))
	}
	if stack != "" {
		b.WriteString("\n\n")
		b.WriteString(strings.TrimRight(stack, "\n"))
	}
}

// Unwrap returns the value of every panic, the first and its Others in
// order, that is an error, so errors.Is and errors.As see through a
// PanicError to any of them. It returns nil when none is an error.
func (p *PanicError) Unwrap() []error {
	var errs []error
	if err, ok := p.Value.(error); ok {
		errs = append(errs, err)
	}
	for _, o := range p.Others {
		if err, ok := o.Value.(error); ok {
			errs = append(errs, err)
		}
	}
	return errs
}
