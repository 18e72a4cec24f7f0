package tandem_test

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem"
)

func TestPanicErrorPrintsValueAndStack(t *testing.T) {
	p := &tandem.PanicError{Value: "boom", Stack: "goroutine 7 [running]:\nmain.task()\n"}
	got := p.Error()
	assert.True(t, strings.HasPrefix(got, "panic: boom\n\n"), "got %q", got)
	assert.Contains(t, got, "main.task()")
	assert.False(t, strings.HasSuffix(got, "\n"), "trailing newline in %q", got)
}

func TestPanicErrorUnwrapsAnErrorValue(t *testing.T) {
	p := &tandem.PanicError{Value: io.ErrUnexpectedEOF}
	assert.ErrorIs(t, p, io.ErrUnexpectedEOF)
	assert.Equal(t, []error{io.ErrUnexpectedEOF}, p.Unwrap())
	assert.Contains(t, p.Error(), "unexpected EOF [*errors.errorString]")
}

func TestPanicErrorDoesNotUnwrapANonError(t *testing.T) {
	p := &tandem.PanicError{Value: 42}
	assert.Nil(t, p.Unwrap())
	assert.Equal(t, "panic: 42", p.Error())
}

func TestPanicErrorIsFoundByErrorsAsThroughWrapping(t *testing.T) {
	err := errors.Join(errors.New("other"), &tandem.PanicError{Value: "x"})
	var p *tandem.PanicError
	require.ErrorAs(t, err, &p)
	assert.Equal(t, "x", p.Value)
}

func TestPanicErrorListsEveryOtherPanic(t *testing.T) {
	p := &tandem.PanicError{
		Value: "first", Stack: "stack one",
		Others: []*tandem.PanicError{
			{Value: "second", Stack: "stack two"},
			{Value: "third", Stack: "stack three"},
		},
	}
	got := p.Error()
	first, _, _ := strings.Cut(got, "\n")
	assert.Equal(t, "panic: first (and 2 more panics)", first)
	for _, want := range []string{"stack one", "[panic 2 of 3] panic: second", "stack two", "[panic 3 of 3] panic: third", "stack three"} {
		assert.Contains(t, got, want)
	}
	assert.Less(t, strings.Index(got, "second"), strings.Index(got, "third"), "others out of order in %q", got)
}

func TestPanicErrorUnwrapsEveryPanicThatIsAnError(t *testing.T) {
	errFirst, errThird := errors.New("first"), errors.New("third")
	p := &tandem.PanicError{
		Value: errFirst,
		Others: []*tandem.PanicError{
			{Value: "second, not an error"},
			{Value: errThird},
			{Value: tandem.ErrGoexit},
		},
	}
	assert.Equal(t, []error{errFirst, errThird, tandem.ErrGoexit}, p.Unwrap())
	assert.ErrorIs(t, p, errFirst)
	assert.ErrorIs(t, p, errThird, "a later panic must match errors.Is too")
	assert.ErrorIs(t, p, tandem.ErrGoexit)
	assert.NotErrorIs(t, p, io.EOF)
}

func TestPanicErrorWithOneOtherSaysSoOnItsFirstLine(t *testing.T) {
	p := &tandem.PanicError{Value: "a", Others: []*tandem.PanicError{{Value: "b"}}}
	first, _, _ := strings.Cut(p.Error(), "\n")
	assert.Equal(t, "panic: a (and 1 more panic)", first)
}

func TestPanicErrorAsFindsAnErrorTypeInALaterPanic(t *testing.T) {
	p := &tandem.PanicError{Value: 1, Others: []*tandem.PanicError{{Value: &os.PathError{Op: "open", Path: "x", Err: io.EOF}}}}
	var pe *os.PathError
	require.ErrorAs(t, p, &pe)
	assert.Equal(t, "x", pe.Path)
	assert.ErrorIs(t, p, io.EOF)
}

func TestPanicErrorFirstLineIsShortForALongOrMultiLineValue(t *testing.T) {
	long := strings.Repeat("x", 500)
	p := &tandem.PanicError{Value: long + "\nsecond line", Stack: "the stack"}
	got := p.Error()
	first, rest, _ := strings.Cut(got, "\n")
	assert.Equal(t, "panic: "+strings.Repeat("x", 200)+" ...", first)
	assert.Contains(t, rest, long+"\nsecond line", "the whole value follows")
	assert.Less(t, strings.Index(got, "second line"), strings.Index(got, "the stack"), "the value comes before the stack")

	short := &tandem.PanicError{Value: "boom", Stack: "s"}
	assert.Equal(t, "panic: boom\n\ns", short.Error(), "a short value is printed once")
}
