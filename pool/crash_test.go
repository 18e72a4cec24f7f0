package pool_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/internal/crashtest"
	"github.com/tandem-go/tandem/pool"
)

//go:noinline
func crashingPoolTask(context.Context) error { panic("deliberate crash in a pool task") }

// TestPoolTaskPanicWithoutAHandlerCrashesTheProgram checks in a subprocess
// that a panic in a fire-and-forget task, with no panic handler, crashes
// the program like a panic in a go statement, with the task's frame in the
// output, and is never swallowed (pond #129, ants #35).
func TestPoolTaskPanicWithoutAHandlerCrashesTheProgram(t *testing.T) {
	if crashtest.InChild(t) {
		p := pool.New(2)
		_ = p.Submit(context.Background(), crashingPoolTask)
		p.Close()
		return
	}
	out := crashtest.Panicked(t)
	assert.Contains(t, out, "deliberate crash in a pool task")
	assert.Contains(t, out, "pool_test.crashingPoolTask", "crash output lacks the task's frame")
}
