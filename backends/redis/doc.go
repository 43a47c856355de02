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
// # Concurrent decisions share round trips
//
// Decisions that arrive while a pipeline is in flight wait and go out
// together in the next one, up to 128 per pipeline: one write and one
// read, for the client and for the server, each decision still its own
// script call. At most [Options.Pipelines] pipelines (URI pipelines=N,
// default [DefaultPipelines]) are in flight at once. A decision that finds
// a slot free sends its pipeline itself, so a lone request costs what a
// direct call costs; a sender goroutine takes over only while decisions
// wait. The timeout runs from the moment a decision queues, and one whose
// caller gave up or whose time ran out in the queue is never sent.
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
// instants, newest first (moving window: the hits in the window, plus up
// to 3 that have left it, which are trimmed lazily). Every key expires once
// it can no longer matter: one window after its last hit (fixed window),
// two from its bucket's start (sliding window counter), one to two after
// its last hit (moving window), one second more in client-clock mode, for
// lagging clocks. Instants in keys are 20-digit decimal strings of Unix
// nanoseconds, since Lua numbers are exact only below 2^53. Windows longer
// than 2^52 ns (52 days) are weighted by the sliding window counter in
// microseconds.
//
// # Cost
//
// Inside a script every redis.call costs the server a good part of a
// whole INCR (a write about twice a read), and so do a table reply, a
// string.format of a float and each number converted to a command
// argument. A hit on one limit on the server's clock, the common request,
// therefore takes a short path of each script, which keeps the data of the
// general path (and falls through to it on a state it does not cover) and
// answers one packed integer instead of a table:
//
//   - fixed window: INCRBY + PTTL (plus PEXPIRE when the window opens,
//     DECRBY when refused), arguments passed as the strings they came as;
//   - moving window: TIME, LRANGE of the 4 oldest entries, LPUSH (popped
//     again if refused) and PTTL; LTRIM once 2 expired hits gather, PEXPIRE
//     when less than a window of life is left;
//   - sliding window counter: TIME, HMGET, HINCRBY (HSET + PEXPIRE when a
//     new bucket starts), in microseconds, exact in doubles.
//
// A hit on several limits whose costs lie between 1 and their amounts
// (exactly 1 for the moving window) takes each script's short path for
// many limits, which does the same per limit, reads everything before it
// writes anything, and answers one packed integer per limit (fixed window)
// or the general path's table.
//
// The client side matters as much, since client and server share the
// machine's cores in a benchmark: the URI openers let the go-redis client
// enforce the timeout (Options.ClientTimeouts) instead of deriving a
// context with a timer per call (coalesced decisions derive one per
// pipeline).
//
// # Failover
//
// Redis replicates asynchronously: hits charged on a master in the instant
// before a failover may be lost with it, which can admit that many extra
// requests once. Counters replicated before the switch are kept.
package redis
