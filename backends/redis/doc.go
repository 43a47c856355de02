// Package redis is the Redis storage of limitgen: a single server, a Redis
// Cluster or a Sentinel-managed master, on github.com/redis/go-redis/v9.
//
// Import it for its side effect to register the URI schemes with
// [backends.Open] (see [Open] for the forms and parameters):
//
//	import _ "github.com/limitgen/limitgen/backends/redis"
//
//	store, err := backends.Open("redis://127.0.0.1:6379/0")
//
// or wrap a go-redis client you configured yourself with [New].
//
// # One round trip, all-or-nothing
//
// Every request is decided by one Lua script call (EVALSHA; after a SCRIPT
// FLUSH or on a new server, one extra EVAL), which reads and charges every
// limit of the request atomically: if any limit lacks room, none is
// charged. Keys built with [backends.Key] carry the client in a hash tag, so
// all counters of one client live in one cluster slot and the same single
// call works on a cluster. A request whose limits belong to several clients
// (several slots) is decided slot by slot, in order; when a later slot
// refuses, the earlier ones are refunded, so nothing stays charged, but
// between the charge and the refund other requests can see those counters
// raised (they may be refused spuriously; they are never admitted beyond a
// limit).
//
// # Whose clock
//
// By default the server's clock decides, so application servers whose
// clocks disagree still share one limit exactly: fixed windows are kept by
// Redis key expiry (whole milliseconds), moving and sliding windows read
// TIME (microseconds) inside the script. Results' Reset is then placed
// relative to Request.Now, so Reset minus Now is the true wait whoever's
// clock is right. With Options.ClientClock (URI clock=client) Request.Now
// decides, to the nanosecond, exactly as the window model of package
// backends: use it when callers' clocks agree or tests pass instants.
//
// # Data and its lifetime
//
// Each limit is one key: a counter (fixed window, server clock), a hash
// (fixed window on the client clock; sliding window counter with the
// current bucket's start and both buckets' counts), or a list of hit
// instants, newest first (moving window: at most Amount hits in the window,
// plus up to 3 that have left it, which are trimmed lazily). Every key
// expires once it can no longer matter (one window, two for the sliding
// window counter; one second more in client-clock mode, for lagging
// clocks). Instants in keys are 20-digit decimal strings of Unix
// nanoseconds, since Lua numbers are exact only below 2^53. Windows longer
// than 2^52 ns (52 days) are weighted by the sliding window counter in
// microseconds.
//
// # Cost
//
// Each redis.call inside a script costs the server about as much as a
// whole INCR, and so does converting a table reply, so the scripts keep
// the steady state short: a hit on one fixed-window limit (server clock)
// is INCRBY + PTTL and answers one packed integer; the moving window reads
// the list's tail with one LRANGE, pushes and renews the expiry; the
// sliding window counter reads TIME and one hash (HMGET) and increments it.
// On a 2-core machine that also runs the client, a fixed-window decision
// costs the server about 5 µs against 3 µs for a script doing a bare INCR
// and 1.5 µs for INCR itself (INFO commandstats).
//
// # Failover
//
// Redis replicates asynchronously: hits charged on a master in the instant
// before a failover may be lost with it, which can admit that many extra
// requests once. Counters replicated before the switch are kept.
package redis
