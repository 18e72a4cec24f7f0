package catch

import (
	"sync"

	"github.com/tandem-go/tandem"
)

// Panics collects the panics recovered from the tasks of one construct, in
// the order they were recovered, so that the waiter can raise them all. The
// zero value is ready to use; it is safe for concurrent use and must not be
// copied after first use.
type Panics struct {
	mu   sync.Mutex
	list []*tandem.PanicError
}

// Add records p. A nil p is ignored, so Add(Call(...)) reads naturally.
// It reports whether p was recorded.
func (ps *Panics) Add(p *tandem.PanicError) bool {
	if p == nil {
		return false
	}
	ps.mu.Lock()
	ps.list = append(ps.list, p)
	ps.mu.Unlock()
	return true
}

// Len reports how many panics have been recorded.
func (ps *Panics) Len() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return len(ps.list)
}

// Err returns nil when no panic was recorded, and otherwise the first panic
// with every later one in its Others. The recorded panics are not changed.
func (ps *Panics) Err() *tandem.PanicError {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return Join(ps.list...)
}

// Raise panics with Err() in the calling goroutine, the waiter, when any
// panic was recorded, and returns otherwise.
func (ps *Panics) Raise() {
	if p := ps.Err(); p != nil {
		panic(p)
	}
}

// Join returns nil for no panics, and otherwise a copy of the first with the
// rest, flattened, in its Others.
func Join(list ...*tandem.PanicError) *tandem.PanicError {
	var first *tandem.PanicError
	var others []*tandem.PanicError
	for _, p := range list {
		if p == nil {
			continue
		}
		if first == nil {
			first = &tandem.PanicError{Value: p.Value, Stack: p.Stack}
			others = append(others, p.Others...)
			continue
		}
		others = append(others, &tandem.PanicError{Value: p.Value, Stack: p.Stack})
		others = append(others, p.Others...)
	}
	if first != nil && len(others) > 0 {
		first.Others = others
	}
	return first
}
