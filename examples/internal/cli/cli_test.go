package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOutcomeTellsAFailureFromACleanStop(t *testing.T) {
	boom := errors.New("boom")
	canceled := fmt.Errorf("loading users: %w", context.Canceled)
	for _, tc := range []struct {
		name     string
		err      error
		signaled bool
		wantMsg  string
		wantCode int
	}{
		{"finished", nil, false, "", 0},
		{"finished after a signal", nil, true, "", 0},
		{"failed", boom, false, "demo: boom", 1},
		{"failed while stopping", boom, true, "demo: boom", 1},
		{"canceled by the signal", canceled, true, "demo: interrupted, stopped cleanly", 0},
		{"canceled without a signal", canceled, false, "demo: loading users: context canceled", 1},
	} {
		msg, code := outcome("demo", tc.err, tc.signaled)
		assert.Equal(t, tc.wantMsg, msg, tc.name)
		assert.Equal(t, tc.wantCode, code, tc.name)
	}
}
