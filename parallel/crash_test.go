package parallel

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/internal/crashtest"
)

//go:noinline
func crashingChunk(lo int) {
	if lo > 0 {
		panic("deliberate crash in a chunk")
	}
}

// TestAnUnrecoveredPanicInABodyCrashesWithTheBodysStack runs in a
// subprocess where a body panics on a helper and nothing recovers the
// raised panic: the program must die and name the body's frame.
func TestAnUnrecoveredPanicInABodyCrashesWithTheBodysStack(t *testing.T) {
	if crashtest.InChild(t) {
		_ = For(bg, 1000, loop(func(lo, hi int) { crashingChunk(lo) }), forced(8, Chunk(1))...)
		return
	}
	out := crashtest.Panicked(t)
	assert.Contains(t, out, "deliberate crash in a chunk")
	assert.Contains(t, out, "parallel.crashingChunk")
}
