// Package standin starts the services the examples talk to, as real HTTP
// servers on 127.0.0.1, so every example runs with nothing but Go installed:
//
//   - [DB], a "database" whose queries take 20-50 ms, with a write endpoint
//     that notices a row written twice;
//   - [Provider], a third-party API with a quota that answers
//     429 Too Many Requests with a Retry-After header beyond it;
//   - [Backend], a service with latency, slow-tail and failure knobs (a slow
//     replica is a Backend with a fat tail).
//
// Each example has a flag that points it at a real endpoint instead; the
// routes each stand-in serves are documented on its type, so a real service
// can be put behind the same paths.
//
// The stand-ins use plain goroutines and net/http, never tandem: they play
// the outside world, not the code under demonstration.
package standin
