// Package pool bounds the concurrency of I/O tasks: a long-lived Pool that
// a whole service shares, and scoped groups (Group, ResultGroup) for one
// piece of work, running on their own limit or on a shared Pool.
package pool
