package ratelimit

import (
	"context"
	"errors"
	"fmt"
)

// ErrExceedsBurst is returned at once by calls asking for more events at a
// time than the burst allows: they could never be admitted, so waiting for
// them would wait forever.
var ErrExceedsBurst = errors.New("ratelimit: n exceeds the burst")

// ErrWouldExceedDeadline is returned at once, without sleeping, by waits
// that could not end before their context's deadline. It matches
// context.DeadlineExceeded with errors.Is, as the deadline is as good as
// passed.
var ErrWouldExceedDeadline = fmt.Errorf("ratelimit: wait would exceed the context deadline: %w", context.DeadlineExceeded)

// ErrZeroLimit is returned at once by waits under a limit <= 0 when the
// bucket holds fewer tokens than asked for: nothing refills it, so the wait
// would never end.
var ErrZeroLimit = errors.New("ratelimit: the limit is zero and the bucket holds too few tokens")
