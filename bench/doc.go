// Package bench holds side-by-side benchmarks of tandem and its peers
// (errgroup, conc, pond, ants, workerpool, rill, x/time/rate, uber's
// ratelimit, lo). It is a module of its own so that the peers never become
// dependencies of the library. See README.md for how to run and read it.
package bench
