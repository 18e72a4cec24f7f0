// Package crashtest checks that code crashes the program, which a test
// cannot observe in its own process: it runs the code in a child process,
// a copy of the test binary that runs only the calling test, and hands
// back the child's output and exit status.
//
// A crash test is a few lines:
//
//	func TestPanicInATaskCrashesTheProgram(t *testing.T) {
//		out := crashtest.Panics(t, func() { runATaskThatPanics() })
//		assert.Contains(t, out, "the task's panic value")
//		assert.Contains(t, out, "pkg_test.theTasksFunction")
//	}
//
// The child is told apart by an environment variable naming the test, so
// the same test body runs the code in the child and checks it in the parent.
package crashtest
