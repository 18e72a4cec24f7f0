package redisrate

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Scripter is the part of a Redis client that a Limiter uses: running a Lua
// script by its SHA1, and by its source when the server does not know it yet.
// go-redis's UniversalClient (Client, ClusterClient, Ring) satisfies it; other
// clients need a two-method shim.
type Scripter interface {
	Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd
	EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd
}

// gcraScript is the whole limiter on the server: GCRA on the server's clock.
//
// The key holds the theoretical arrival time (TAT): the instant at which the
// bucket is full again, as whole seconds of the server's clock (TIME), a
// colon, and the nanoseconds into that second: "1795653589:23227000". A
// missing key means a full bucket, so the key expires (PX) at its TAT and an
// idle limiter costs Redis nothing. Lua numbers are doubles, exact up to 2^53:
// nanoseconds since 1970 do not fit, so all arithmetic is done in integer
// nanoseconds relative to now (small numbers, exact), and only the stored
// stamp is absolute, in two parts that each print exactly with Lua's plain
// number-to-string conversion, which is cheaper on the server than
// string.format of one 16-digit number (bench/README.md).
//
// A stored value is the limiter's state only if it is plausible: digits, a
// colon, digits; under a second of nanoseconds; at most maxTAT (2^53ns,
// about 104 days) ahead of now, since no call books further (a reservation
// that would is refused, a deferral is cut); and not ahead of the key's own
// expiry, which every write sets to the TAT (PX rounds up to the
// millisecond; a second of slack covers that and clocks). Anything else,
// like a key of another type, is reported as a WRONGTYPE error and left as
// it is: a corrupt limit must not pass for a full or an empty bucket.
//
// ARGV: 1 interval (ns per event), 2 tolerance (burst*interval, ns), 3 n,
// 4 mode, 5 max wait (ns, < 0: none), or for a deferral the ns from now
// before which nothing is admitted, or for a refund the reservation's stamp
// as two numbers (5 seconds, 6 nanoseconds).
//
// Modes:
//   - 0, all or nothing: admit n if they fit within max wait, else nothing.
//     Admitting moves the TAT even when the events must wait (a reservation).
//   - 1, at most: admit as many of n as fit now.
//   - 2, refund: give back a canceled reservation of n events whose new TAT
//     was the stamp, minus whatever was reserved after it.
//   - 3, defer: admit nothing before ARGV[5] ns from now, and then the
//     first event exactly then (DeferUntil); never brings the TAT forward.
//   - 4, reset: delete the key, whatever it holds (Reset).
//
// Reply: {admitted, TAT - now in ns after the decision, stamp seconds, stamp
// nanoseconds}; the stamp only when a new TAT was stored (events admitted,
// refunded or deferred).
const gcraScript = `
if redis.replicate_commands then redis.replicate_commands() end
local key = KEYS[1]
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local mode = tonumber(ARGV[4])
local max_tat = 9007199254740992 -- maxTAT, 2^53 ns

if mode == 4 then
  redis.call('DEL', key)
  return {0, 0}
end

local t = redis.call('TIME')
local sec = tonumber(t[1])
local off = tonumber(t[2]) * 1000 -- ns into the second

local tat = 0
local v = redis.call('GET', key)
if v then
  local s, ns = string.match(v, '^(%d+):(%d+)$')
  s, ns = tonumber(s), tonumber(ns)
  if s and ns < 1000000000 then
    tat = (s - sec) * 1000000000 + ns - off
  end
  if not s or ns >= 1000000000 or tat > max_tat or
      (tat > 0 and tat > redis.call('PTTL', key) * 1000000 + 1000000000) then
    return redis.error_reply('WRONGTYPE the value is not a redisrate TAT: corrupt, or written by something else')
  end
  if tat < 0 then tat = 0 end
end

if mode == 2 then
  local mine = (ARGV[5] - sec) * 1000000000 + ARGV[6] - off
  -- Its time to act has come: the events count as spent.
  if mine <= tolerance then return {0, tat} end
  -- Reserved after it: those slots are promised to others.
  local later = tat - mine
  if later < 0 then return {0, tat} end
  local refund = n * interval - later
  if refund <= 0 then return {0, tat} end
  tat = tat - refund
  n = refund
elseif mode == 3 then
  local target = math.min(tonumber(ARGV[5]) + tolerance - interval, max_tat)
  if tat >= target then return {0, tat} end
  tat = target
  n = 0
elseif mode == 1 then
  local fit = math.floor((tolerance - tat) / interval)
  if fit < n then n = fit end
  if n <= 0 then return {0, tat} end
  tat = tat + n * interval
else
  local max_wait = tonumber(ARGV[5])
  if (max_wait >= 0 and tat + n * interval - tolerance > max_wait) or
      tat + n * interval > max_tat then
    return {0, tat}
  end
  tat = tat + n * interval
end

-- Store the new TAT, which lies tat > 0 ns from now.
local abs = off + tat
local ns = abs % 1000000000
local s = sec + (abs - ns) / 1000000000
redis.call('SET', key, s .. ':' .. ns, 'PX', math.ceil(tat / 1000000))
return {n, tat, s, ns}
`

var gcraSHA = func() string {
	sum := sha1.Sum([]byte(gcraScript))
	return hex.EncodeToString(sum[:])
}()

const (
	modeAllOrNothing = 0
	modeAtMost       = 1
	modeRefund       = 2
	modeDefer        = 3
	modeReset        = 4
)

// stamp is a TAT as the server wrote it: the identity of a reservation,
// needed to refund it.
type stamp struct {
	sec, ns int64
}

// reply is the script's answer.
type reply struct {
	admitted int64 // events admitted, or ns refunded
	tat      int64 // ns from the server's now to the TAT, after the decision
	stamp    stamp
}

// wrongKey reports an error reply that says the key holds something else
// (another type, or a string that is not a TAT): a misconfiguration, not an
// outage, so no failure policy should hide it.
func wrongKey(err error) bool {
	return strings.HasPrefix(err.Error(), "WRONGTYPE")
}

// eval runs the script: EVALSHA first, and EVAL (which also caches the
// script on that server) when the server answers NOSCRIPT, as after a
// restart or a failover.
func eval(ctx context.Context, c Scripter, keys []string, args ...any) (reply, error) {
	cmd := c.EvalSha(ctx, gcraSHA, keys, args...)
	if err := cmd.Err(); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
		cmd = c.Eval(ctx, gcraScript, keys, args...)
	}
	vals, err := cmd.Slice()
	if err != nil {
		return reply{}, err
	}
	var r reply
	if len(vals) < 2 {
		return reply{}, fmt.Errorf("redisrate: unexpected script reply %v", vals)
	}
	nums := [4]int64{}
	for i, v := range vals[:min(len(vals), 4)] {
		x, ok := v.(int64)
		if !ok {
			return reply{}, fmt.Errorf("redisrate: unexpected script reply %v", vals)
		}
		nums[i] = x
	}
	r.admitted, r.tat, r.stamp = nums[0], nums[1], stamp{nums[2], nums[3]}
	return r, nil
}
