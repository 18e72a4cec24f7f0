// Package ratelimit paces events to a rate with a burst: the Waiter
// interface that tandem's pacing consumers accept.
package ratelimit
