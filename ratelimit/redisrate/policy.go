package redisrate

// Policy is what a limiter does when Redis cannot decide: unreachable, an
// error reply, or no answer within the client's timeouts and retries or
// Timeout's deadline. Whatever the policy, a call whose own ctx is done
// returns ctx's error, and no call panics because of a network error or
// waits past those bounds (see Timeout). The zero Policy is FailClosed.
//
// A key that holds something other than the limiter's state (another type,
// a string that is not a time, or a time that no call could have written:
// see Reset) is a misconfiguration, not an outage: calls return an error
// for it under every policy, which does not wrap ErrUnavailable.
//
// No policy can recover a lost key. When Redis loses it (a restart without
// persistence, a failover before the write reached the replica, FLUSHALL,
// DEL, eviction under maxmemory), the bucket starts full, on top of the
// events admitted and reserved just before: in the windows around the loss
// the limit may admit up to one more burst than its bound. Reset does the
// same on purpose. A Redis that keeps its data (AOF, replicas in sync,
// maxmemory-policy noeviction or volatile-* with room to spare) loses keys
// only when told to.
type Policy struct {
	kind  policyKind
	share float64
}

type policyKind int

const (
	failClosed policyKind = iota
	failOpen
	failLocal
)

// FailClosed denies while Redis is unavailable: calls return an error that
// wraps ErrUnavailable and the cause. Choose it when exceeding the limit costs
// more than refusing work (a paid quota, a fragile downstream). The default.
func FailClosed() Policy { return Policy{kind: failClosed} }

// FailOpen admits everything while Redis is unavailable, with
// Result.Degraded set. Choose it when the limit is a courtesy and the
// service's availability matters more.
func FailOpen() Policy { return Policy{kind: failOpen} }

// FailLocal decides with an in-process limiter while Redis is unavailable:
// a ratelimit.Limiter per key at share of the rate and of the burst (at
// least 1). With N replicas, share 1/N keeps the aggregate near the limit.
// Results have Degraded set; a reservation it made is canceled by the core
// limiter's rule (see Reservation.Cancel). ReserveN and WaitN for more
// events than the local burst (but not the burst) book them further ahead,
// as Redis would; AllowN refuses them, as they never fit the local bucket
// at once.
//
// The local limiter keeps its own state: what was admitted through Redis
// before the failure is not counted again, so right after a failure each
// replica may admit up to its local burst at once.
//
// FailLocal panics with "redisrate: FailLocal: share must be in (0, 1]"
// otherwise; New and NewKeyed panic if share of their limit is too small
// for a ratelimit.Limiter (one event in over 2^61ns, about 73 years).
func FailLocal(share float64) Policy {
	if !(share > 0 && share <= 1) { // NaN too
		panicf("FailLocal", "share must be in (0, 1], got %v", share)
	}
	return Policy{kind: failLocal, share: share}
}
