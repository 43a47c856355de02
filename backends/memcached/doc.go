// Package memcached is the Memcached storage of limitgen, on
// github.com/bradfitz/gomemcache.
//
// Import it for its side effect to register the memcached:// scheme with
// [backends.Open] (see [Open] for the parameters):
//
//	import _ "github.com/limitgen/limitgen/backends/memcached"
//
//	store, err := backends.Open("memcached://10.0.0.1:11211,10.0.0.2:11211")
//
// or wrap a gomemcache client you configured yourself with [New].
//
// # One item per client, decided by compare-and-swap
//
// Memcached has no transaction over several keys and no scripts, so every
// counter of one client (the hash tag of its keys, [backends.HashTag])
// lives in one item, keyed by the client: a small list of limit key,
// expiry instant and window state, in the stable encoding of package
// backends. A request's limits of one client are decided with one gets
// (the item and its CAS id), the window model of package backends run on
// the client, and one cas (or add, when the item does not exist yet): two
// round trips, all limits charged or none. When another writer changed
// the item in between, the cas fails and the decision starts again from a
// fresh read (from the fourth attempt on after a short random pause) until
// the call's deadline. No read-then-write is ever unguarded, so G callers
// in any number of processes admit exactly the limit. A decision that
// charges nothing (Test, a refusal, cost 0) reads only: one round trip.
//
// A request whose limits belong to several clients is decided client by
// client, in the order of their item keys; when a later client refuses,
// the hits charged to the earlier ones are taken back (a compare-and-swap
// too). Nothing stays charged, but between the charge and the refund
// other requests may see those counters raised: they may be refused
// spuriously, never admitted beyond a limit. The Redis storage does the
// same for cluster slots.
//
// Items are spread over the servers by gomemcache's ServerList (a hash of
// the item key modulo the number of servers), so one client's item lives
// on one server. A server that restarts or evicts an item (memcached is a
// cache) forgets the counters in it, and a change to the server list moves
// most clients to another server: those clients start afresh. All
// application servers must list the memcached servers in the same order.
//
// # Context and timeout
//
// gomemcache takes no context. Every round trip is bounded by the client's
// socket timeout (the URI's timeout), no retry starts after the call's
// deadline (the earlier of the timeout and the context's), and a context
// cancelled without a deadline is seen before the next round trip. When
// the context's deadline comes before the timeout, the call runs in a
// goroutine of its own and returns at that deadline; the round trip in
// flight then finishes in the background, its outcome unknown (as with
// any error, the request may or may not have been charged). Close waits
// for such calls, so none outlives it.
//
// # Whose clock
//
// Request.Now decides, to the nanosecond, with the window model of package
// backends; the server's clock only ages items. Application servers whose
// clocks differ share the same counters, and the states never go back in
// time: a request whose instant lies before the latest one a moving log
// was given is taken at that latest instant, a sliding window counter
// counts an instant before its bucket in the current bucket, and a fixed
// window admits an earlier instant into the open window. A clock ahead by
// D sees windows end, and items expire, up to D early.
//
// # Lifetime
//
// Each state carries the instant it holds nothing any more ([backends]'
// Expires); a write drops the states already past it, and the item's
// expiration covers the latest one: the time left after Request.Now,
// rounded up to whole seconds, plus one second, since memcached's clock
// ticks in seconds. Memcached reads an expiration above 30 days as a Unix
// time, so for longer windows (a month, a year) the expiration is this
// machine's wall clock plus the time left; beyond 2038 an item does not
// expire. Memory therefore follows the live clients. Clear, which has no
// request instant, measures the time left on this machine's clock.
//
// # Size
//
// An item is at most 1 MiB by default (memcached -I). Fixed windows and
// sliding window counters take a few dozen bytes per limit; a moving
// window takes about 2 to 12 bytes per distinct instant in its log, up to
// its amount, so a moving window of a large amount under heavy traffic can
// outgrow the item. Such a decision fails, charging nothing, with an error
// that names the client's largest limit and [Options.MaxItemSize]; until
// its hits leave the window, every charge of that client fails the same
// way. Use the sliding window counter for large amounts.
//
// # Not supported
//
// [backends.Resetter]: memcached cannot list keys (no SCAN; lru_crawler
// metadump is an administrative dump of one server at a time), so the
// counters under a prefix cannot be found, nor counted as Reset must
// report. A generation number in every item key would make a reset one
// increment, but every decision would then read that number too (a get of
// two keys, on two servers in general: measured 50-200 µs against 40 µs
// for one get on the test machine) and Reset could still not say how much
// it removed. Flush the servers (flush_all) to drop everything. Memcached
// has no authentication in its text protocol: a user or password in the
// URI is an error. SASL and TLS are not offered by the URI; a client made
// with TLS (DialContext) can be passed to New.
package memcached
