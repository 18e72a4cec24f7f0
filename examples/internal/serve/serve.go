// Package serve runs the examples' own services (the gateway, the report
// server) the way a production service runs: an http.Server with timeouts,
// on a listener, shut down gracefully.
package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Server is a running HTTP server.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string

	srv  *http.Server
	done chan error
}

// Loopback starts h on a free port of 127.0.0.1.
func Loopback(h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL: "http://" + ln.Addr().String(),
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 5 * time.Second,
		},
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }() // owned by Shutdown, which waits for it
	return s, nil
}

// Shutdown stops accepting connections, waits for the requests in progress
// (until ctx is done, then closes what is left) and for the serving
// goroutine to exit.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// Close shuts the server down gracefully, giving requests in progress up to
// 5 seconds to finish.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Shutdown(ctx)
}
