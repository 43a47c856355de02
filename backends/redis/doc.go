// Package redis is the Redis storage of limitgen: a single server, a Redis
// Cluster or a Sentinel-managed master, on github.com/redis/go-redis/v9.
//
// Import it for its side effect to register the URI schemes with
// [backends.Open]:
//
//	import _ "github.com/limitgen/limitgen/backends/redis"
//
//	store, err := backends.Open("redis://127.0.0.1:6379/0")
//
// or wrap a client you configured yourself with [New].
//
// Every request is decided in one round trip: one Lua script call (EVALSHA,
// falling back to EVAL when the server does not know the script) reads and
// charges every limit of the request atomically, all-or-nothing. Keys built
// with [backends.Key] carry the client in a hash tag, so all counters of one
// client live in one cluster slot and the script runs unchanged on a
// cluster.
//
// By default the script reads the Redis server's clock (TIME), so application
// servers whose clocks disagree still share one limit exactly; set
// Options.ClientClock (URI parameter clock=client) to decide with
// Request.Now instead. Instants are kept to the nanosecond (the server's
// clock reads microseconds); windows longer than 2^52ns (52 days) are
// aligned and weighted in microseconds by the sliding-window counter.
package redis
