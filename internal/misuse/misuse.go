// Package misuse raises the panics that report a programmer error, in the
// one message format every package of tandem uses:
//
//	pkg: Name: what is wrong[, got value]
//
// where Name is the function, Type.Method or option that was misused, so that
// a message says where to look even when an option was built far from the
// call that applied it ("pool: QueueSize: n must not be negative, got -1",
// "fanout: Pace: nil Waiter", "pipeline: Map: nil function").
package misuse

import (
	"context"
	"fmt"
	"reflect"
)

// Panicf panics with where + ": " + the formatted problem. where is
// "pkg: Name".
func Panicf(where, format string, args ...any) {
	panic(where + ": " + fmt.Sprintf(format, args...))
}

// Ctx panics with "where: nil context" when ctx is nil. A nil ctx would
// otherwise surface later as a nil-pointer panic far from its cause.
func Ctx(where string, ctx context.Context) {
	if ctx == nil {
		panic(where + ": nil context")
	}
}

// Nil panics with "where: nil what" when v is nil, including a typed nil
// (a nil *T, map, chan, func or slice stored in an interface), which
// passes a plain v == nil check and fails only when it is used.
func Nil(where, what string, v any) {
	if IsNil(v) {
		panic(where + ": nil " + what)
	}
}

// IsNil reports whether v is nil or holds a nil pointer, map, channel,
// function, slice or interface. It is for checks at construction time, not
// for hot paths: a typed nil goes through reflection.
func IsNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.Slice, reflect.Interface, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}

// NotApplicable panics with "where: option does not apply here, it is an
// option of of": the one message for an option given to a function that
// takes the package's Option type but not that option ("pool: New:
// CollectAll does not apply here, it is an option of groups").
func NotApplicable(where, option, of string) {
	panic(where + ": " + option + " does not apply here, it is an option of " + of)
}
