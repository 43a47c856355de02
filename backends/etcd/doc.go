// Package etcd is the etcd storage of limitgen, on the official v3 client
// go.etcd.io/etcd/client/v3 (gRPC).
//
// Import it for its side effect to register the URI schemes etcd:// and
// etcds:// with [backends.Open] (see [Open] for the forms and parameters):
//
//	import _ "github.com/limitgen/limitgen/backends/etcd"
//
//	store, err := backends.Open("etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379?prefix=limits/")
//
// or wrap a client you configured yourself with [New].
//
// # Data
//
// Each limit is one etcd key, Options.Prefix followed by the limit's key
// (backends.Key: "prefix/{client}/scope/limit"), whose value is the limit's
// window state in the binary encoding of package backends (AppendBinary):
// a fixed window's start and count, a sliding window counter's bucket start
// and two counts, or a moving window's log of hit instants (one entry per
// distinct instant, at most Amount entries). A key holds one strategy's
// state; a request of another strategy reads it as empty and overwrites it
// when it charges.
//
// # One decision: a read, the window model, one guarded Txn
//
// etcd runs no scripts, so a request is decided on the client, exactly as
// the window model of package backends (the memory backend's code) decides
// it, from the states read in one linearizable read at one revision (a Get,
// or a Txn of Gets for several limits). A refused request, and every Test,
// ends there: one round trip, nothing written. An admitted request writes
// the charged states in one Txn whose condition is that every key it
// writes still has the ModRevision it was read at (0 for a key that did
// not exist); limits of cost 0 are neither written nor guarded. If another
// writer came first the condition fails, nothing is written, and the Txn's
// else branch returns the keys' current values, from which the decision is
// made again: a retry costs one round trip. Retries end with the call's
// context or the timeout. So a request's limits are charged all or none,
// across processes and across clients (a Txn spans any keys), and no hit is
// lost or counted twice. An admitted request costs two round trips: the
// read (a linearizable read: the leader confirms its leadership) and the
// Txn (one entry in etcd's raft log, fsynced). An error from Hit leaves the
// outcome unknown, as with any store: a Txn whose reply was lost may have
// been applied.
//
// A per-process cache of the states this process wrote last could skip the
// read when the same process charged the key before, but when application
// servers take turns (the reason to share limits in etcd at all) every
// stale guess costs a failed Txn, a raft write, where the read costs less;
// so every decision reads first.
//
// Within one process, Hits that touch one client's keys queue behind a
// lock (one of 256, by the client's hash), so goroutines of one process do
// not make each other's Txns fail; processes still race, and the guards
// keep them exact. At most 256 Hits of one process are thus in flight at
// once, fewer when clients share a lock.
//
// # Whose clock
//
// Request.Now decides, to the nanosecond: the storage never reads a clock
// for a decision (it does not implement backends.ServerClock). When
// application servers' clocks differ, each decides with its own, on the
// shared states, and the states never go backwards: a moving window's log
// takes a now before its latest instant as that instant, a sliding window
// counter counts a now before its bucket in that bucket, and a fixed window
// opened by a server whose clock runs ahead lasts until its end on that
// clock. A server whose clock runs behind thus counts every hit already
// charged; one whose clock runs ahead sees windows end early by the
// difference. Keep clocks synchronised (NTP) to within a small part of the
// shortest window.
//
// # Expiry
//
// Every written key carries an etcd lease that ends no earlier than its
// state does, so memory stays bounded by the live keys. The key must live
// from now until the state's Expires instant (window model) plus
// ClockSlack (one second, for clocks that lag the writer's). Granting a
// lease per write would cost a round trip per write; instead leases are
// shared: a key takes the lease of the bucket that ends at the first
// multiple of g after its required end, g being the power of two seconds
// nearest above an eighth of its lifetime (at least a second), and the
// lease's TTL is counted from before the Grant call and rounded up to whole
// seconds. A key so lives at most about a quarter of its lifetime plus two
// seconds longer than needed, and a storage grants about one lease per
// bucket (per lifetime class, every g): for a one-minute window, one Grant
// every 8 s whatever the traffic. Keys that were not written keep their
// lease, which still covers their unchanged state. Leases end on the server
// whether the storage is closed or not. A key lives at most about 220
// years (etcd caps a lease at 285), which caps windows too.
//
// # Limits
//
// A request's Txn holds one compare and one put per charged limit and one
// get per limit; etcd's --max-txn-ops (default 128) bounds the number of
// limits per request. Values are small (at most about 12 bytes per logged
// instant of a moving window); --max-request-bytes bounds a moving window's
// Amount to about 100 000 distinct instants.
package etcd
