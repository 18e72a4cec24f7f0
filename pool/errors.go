package pool

import "errors"

// ErrClosed is returned by Submit and TrySubmit once Close or Shutdown has
// begun (but see Submit for tasks of the pool), and is the error of a group
// task that a closed pool refused or that Shutdown dropped. The task never
// runs.
var ErrClosed = errors.New("pool: closed")

// ErrFull is returned by TrySubmit when every worker is busy and the queue
// is full (see QueueSize). The task never runs.
var ErrFull = errors.New("pool: queue full")
