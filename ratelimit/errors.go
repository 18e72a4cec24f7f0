package ratelimit

import "errors"

// ErrExceedsBurst is returned at once by calls asking for more events at a
// time than the burst allows: they could never be admitted, so waiting for
// them would wait forever.
var ErrExceedsBurst = errors.New("ratelimit: n exceeds the burst")
