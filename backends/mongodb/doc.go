// Package mongodb is the MongoDB storage of limitgen, on
// go.mongodb.org/mongo-driver/v2: a standalone server, a replica set or a
// sharded cluster (mongodb:// and mongodb+srv://).
//
// Import it for its side effect to register the URI schemes with
// [backends.Open] (see [Open] for the forms and parameters):
//
//	import _ "github.com/limitgen/limitgen/backends/mongodb"
//
//	store, err := backends.Open("mongodb://127.0.0.1:27017/?maxPoolSize=20")
//
// or wrap a driver client you configured yourself with [New].
//
// # Data
//
// One document per client holds every counter of that client: keys built
// with [backends.Key] share the client's hash tag, and the document's _id
// is [Options.Prefix] + the key up to the tag's closing brace
// ("LIMITER/{203.0.113.7}"). It holds an array of entries, one per limit
// key and strategy: the key, the instant its state ends, and the state in
// package backends' binary encoding (so a key used with two strategies
// keeps two states). A random version number changes at every write. An
// array rather than fields named by keys, since keys contain '.' and '$'.
// Each write replaces the whole document, so it sends every live state of
// the client: a few bytes per fixed or sliding limit, about 12 bytes per
// distinct hit instant of a moving window (up to its amount). MongoDB's
// 16 MiB document limit thus caps one client's moving windows at about a
// million logged instants; use the sliding window counter for larger
// amounts.
//
// # A decision: read, decide, compare-and-swap
//
// Hit reads the client's document, runs the window model of package
// backends (Current, Allows, Charge, Stats) for every limit of the request
// at Request.Now, and, if all have room, writes the new states with
// ReplaceOne filtered on the version it read (InsertOne when there was no
// document; a duplicate key means another writer came first). A write
// that matches nothing lost a race: the decision reads again and decides
// again, until the timeout. MongoDB applies each single-document write
// atomically, so no two decisions can both build on one version: a
// decision is atomic across processes and all-or-nothing without
// transactions. An admitted hit costs two round trips (find, replace); a
// refusal, a Test and a hit of cost 0 cost one read and write nothing.
//
// # Hits on one client combine
//
// Within one Storage, Hits on a document that arrive while a batch for it
// is in flight wait and go out together in the next batch (up to 64): one
// find, the decisions applied in their order of arrival, each on the
// states the earlier ones left, exactly as if one after the other, and
// one replace. So one process's goroutines never fail each other's swaps,
// and a hot client costs two round trips per batch, not per request. A
// Hit whose context ends while it waits is never sent; one taken into a
// batch waits for it. A batch's calls are bounded by the deadline of the
// decision that runs it: the first to arrive, then, for each next batch,
// the waiting decision whose deadline is latest; a caller's cancellation
// cuts a batch short only once every member's context has ended. Across processes the swap alone
// decides, and contention on one client costs retries (with a short
// random pause after the second).
//
// An update pipeline could decide in one round trip, but one per strategy,
// in MongoDB's aggregation language, is far from the window model and
// cannot be tested on FerretDB (below), which lacks pipelines.
//
// A request whose limits belong to several clients is decided client by
// client in the order of their documents' _id; once one refuses, the later
// ones are only tested and the earlier ones, already charged, are refunded
// through the same swap. Between the charge and the refund other requests
// may see those counters raised (they may be refused spuriously; they are
// never admitted beyond a limit).
//
// # Whose clock
//
// Request.Now decides, to the nanosecond: the application's clock, not the
// server's (the storage does not implement [backends.ServerClock]). When
// application servers' clocks differ, each decision reads the states as
// the last writer left them and applies the window model at its own Now,
// and the model never takes a state backwards: a fixed window opened by a
// clock that runs ahead stays open for a lagging caller until its end, a
// sliding counter counts an earlier Now in its current bucket, and a
// moving window takes a Now earlier than the latest it was given as that
// latest. So a lagging clock decides at least as strictly as a right
// one, while a clock that runs ahead sees windows end early, by its lead,
// and may admit the next window's hits that much sooner. Keep the clocks
// within a small part of the shortest window (NTP does). The server's clock
// only deletes documents (TTL), with [ExpirySlack] to spare.
//
// # Expiry
//
// Every document carries e, a date: the latest instant any of its states
// ends (Expires of the window model), rounded up to the millisecond, plus
// [ExpirySlack]. At its first write the storage creates a TTL index on e
// (expireAfterSeconds 0), so MongoDB deletes documents whose counters have
// all ended (its TTL monitor runs about once a minute). A server that
// refuses the index (FerretDB answers NotImplemented) gets the storage's
// own sweep instead: a DeleteMany of the documents whose e lies before the
// application's clock, every [Options.Sweep] (default a minute; see also
// [Storage.Sweep]). Each write also drops the entries of other limits of
// the client that ended more than ExpirySlack ago, so a document holds
// only live counters. Decisions never depend on deletion: expired states
// read as empty.
//
// # FerretDB
//
// The tests run on FerretDB 1.x (MongoDB's wire protocol over SQLite),
// since MongoDB is not installable where they were written. FerretDB loses
// concurrent updates of one document, conditional ones included, unless
// every write goes through one connection, so there it checks this
// package's logic, and its exactness under concurrency only through one
// connection (maxPoolSize=1): the atomicity itself is MongoDB's
// single-document guarantee. FerretDB has no TTL index, hence the sweep.
package mongodb
