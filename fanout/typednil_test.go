package fanout_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/fanout"
	"github.com/tandem-go/tandem/ratelimit"
)

// A nil held in an interface (a typed nil) passes a plain == nil check
// and would fail only at run time, as a panic in a call: each option
// rejects it where it is made.
func TestAnOptionRejectsATypedNilWhereItIsMade(t *testing.T) {
	key := func(s string) string { return s }
	for _, tc := range []struct {
		name, want string
		make       func()
	}{
		{"Rate(nil *Limiter)", `^fanout: Rate: nil Waiter$`, func() { fanout.Rate((*ratelimit.Limiter)(nil)) }},
		{"Rate(nil waiterFunc)", `^fanout: Rate: nil Waiter$`, func() { fanout.Rate(waiterFunc(nil)) }},
		{"PerKey(nil *Keyed)", `^fanout: PerKey: nil KeyedWaiter$`, func() { fanout.PerKey((*ratelimit.Keyed[string])(nil), key) }},
		{"PerKey(nil keyedWaiterFunc)", `^fanout: PerKey: nil KeyedWaiter$`, func() { fanout.PerKey[int](keyedWaiterFunc(nil), func(x int) int { return x }) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				assert.Regexp(t, tc.want, msg, "panic message")
			}()
			tc.make()
			t.Error("no panic where the option was made")
		})
	}
}
