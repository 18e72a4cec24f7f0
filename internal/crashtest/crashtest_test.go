package crashtest_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/internal/crashtest"
)

//go:noinline
func panickingFunction() { panic("deliberate crash in the child") }

func TestPanicsReturnsTheOutputOfAChildThatPanicked(t *testing.T) {
	out := crashtest.Panics(t, panickingFunction)
	assert.Contains(t, out, "deliberate crash in the child")
	assert.Contains(t, out, "crashtest_test.panickingFunction", "output lacks the panicking frame")
}

func TestRunReportsTheExitStatusOfTheChild(t *testing.T) {
	for _, want := range []int{0, 3} {
		t.Run(fmt.Sprintf("status %d", want), func(t *testing.T) {
			out, got := crashtest.Run(t, func() {
				fmt.Println("child ran", t.Name())
				os.Exit(want)
			})
			assert.Equal(t, want, got, "exit status; output:\n%s", out)
			assert.Contains(t, out, "child ran "+t.Name(), "the child ran another test")
		})
	}
}

func TestRunReportsStatusZeroWhenTheCodeDoesNotCrash(t *testing.T) {
	out, got := crashtest.Run(t, func() {})
	assert.Equal(t, 0, got, "exit status; output:\n%s", out)
}
