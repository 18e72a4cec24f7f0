package redisrate

import (
	"context"
	"fmt"
	"reflect"
)

// This module may use only the core's exported API (a release of it must
// build against any core release it allows), so it has its own copy of the
// one misuse format that every tandem package uses:
//
//	redisrate: Name: what is wrong[, got value]
//
// where Name is the function, method or option that was misused.

// panicf panics with "redisrate: name: " and the formatted problem.
func panicf(name, format string, args ...any) {
	panic("redisrate: " + name + ": " + fmt.Sprintf(format, args...))
}

// checkCtx panics when ctx is nil, which would otherwise surface as a nil
// pointer panic deep inside the client.
func checkCtx(name string, ctx context.Context) {
	if ctx == nil {
		panicf(name, "nil context")
	}
}

// checkCall panics on the misuse that every decision checks first, in the
// core limiter's order: n < 1, then a nil ctx.
func checkCall(name string, ctx context.Context, n int) {
	if n < 1 {
		panicf(name, "n must be at least 1, got %d", n)
	}
	checkCtx(name, ctx)
}

// isNil reports whether v is nil or holds a nil pointer, map, channel,
// function, slice or interface: a typed nil, such as a nil *redis.Client
// stored in a Scripter, passes v == nil and fails only when used. It is for
// constructors, not hot paths: a typed nil goes through reflection.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.Slice, reflect.Interface, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}
