package tandem_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/tandem-go/tandem"
	"github.com/tandem-go/tandem/pool"
)

// A task's panic reaches the handler that waits for it, as a
// *tandem.PanicError with the task's own stack, so the handler can answer
// 500 and log where the task failed, as net/http would for a panic in the
// handler itself. Panics that are not a task's go on as they were.
func ExamplePanicError() {
	prices := []int{120, 80, 95}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			var pe *tandem.PanicError
			if err, ok := v.(error); !ok || !errors.As(err, &pe) {
				panic(v) // not from a task: net/http's own recovery takes it
			}
			// pe.Error() holds the task's stack after its first line: log
			// it all; answer with nothing of it.
			first, _, _ := strings.Cut(pe.Error(), "\n")
			fmt.Println("logged:", first)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}()

		g := pool.NewGroup(r.Context(), 4)
		for i := range 4 { // one task too many: a bug
			g.Go(func(ctx context.Context) error {
				_ = prices[i]
				return nil
			})
		}
		if err := g.Wait(); err != nil { // Wait re-raises the task's panic here
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	})

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/quote", nil))
	fmt.Println("status:", rec.Code)
	// Output:
	// logged: panic: runtime error: index out of range [3] with length 3 [runtime.boundsError]
	// status: 500
}
