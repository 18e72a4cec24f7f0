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
		{"Pace(nil *Limiter)", `^fanout: Pace: nil Waiter$`, func() { fanout.Pace((*ratelimit.Limiter)(nil)) }},
		{"Pace(nil waiterFunc)", `^fanout: Pace: nil Waiter$`, func() { fanout.Pace(waiterFunc(nil)) }},
		{"PacePerKey(nil *Keyed)", `^fanout: PacePerKey: nil KeyedWaiter$`, func() { fanout.PacePerKey((*ratelimit.Keyed[string])(nil), key) }},
		{"PacePerKey(nil keyedWaiterFunc)", `^fanout: PacePerKey: nil KeyedWaiter$`, func() { fanout.PacePerKey[int](keyedWaiterFunc(nil), func(x int) int { return x }) }},
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
