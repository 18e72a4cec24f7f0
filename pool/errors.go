package pool

import "errors"

// ErrClosed is returned by Submit and TrySubmit on a Pool after Close or
// Shutdown began, and is the error of a Group task handed to such a pool.
// The task never runs.
var ErrClosed = errors.New("pool: closed")

// ErrFull is returned by TrySubmit when every worker is busy and the queue
// holds QueueSize tasks. The task never runs.
var ErrFull = errors.New("pool: queue full")
