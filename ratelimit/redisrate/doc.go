// Package redisrate is a rate limiter whose state lives in Redis, so that
// every replica of a service shares one limit.
package redisrate
