// Package cli runs an example program the way a service runs: until its work
// is done or SIGINT/SIGTERM asks it to stop, with the exit status a shell or
// an orchestrator expects.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Run calls run with a context that is canceled on SIGINT or SIGTERM, then
// exits the program: status 1 with the error printed when run failed, status 0
// when it finished or stopped cleanly because it was asked to.
func Run(name string, run func(ctx context.Context) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	signaled := ctx.Err() != nil
	stop()
	msg, code := outcome(name, err, signaled)
	if msg != "" {
		fmt.Fprintln(os.Stderr, msg)
	}
	os.Exit(code)
}

// outcome decides what Run prints and its exit status. A run that returns
// context.Canceled after a signal did what a signal asks: it is a clean stop.
func outcome(name string, err error, signaled bool) (msg string, code int) {
	switch {
	case err == nil:
		return "", 0
	case signaled && errors.Is(err, context.Canceled):
		return name + ": interrupted, stopped cleanly", 0
	default:
		return name + ": " + err.Error(), 1
	}
}
