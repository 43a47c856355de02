package memcached

import "time"

// DefaultTimeout bounds each storage call when Options.Timeout is zero, as
// for the Redis storage.
const DefaultTimeout = time.Second

// DefaultMaxItemSize is the largest item value the storage writes when
// Options.MaxItemSize is zero: memcached's default item size limit (1 MiB,
// memcached -I) less room for the item's key and header.
const DefaultMaxItemSize = 1<<20 - 512

// maxPrefix is the longest Options.Prefix accepted, so that an item key
// (prefix + "lg:" + client, at most 250 bytes) keeps room for the client.
const maxPrefix = 64

// Options configure a Storage. The zero value is ready to use: no key
// prefix, a one-second bound per call and items of up to 1 MiB.
type Options struct {
	// Prefix is prepended to every item key the storage writes, to share
	// one memcached between applications. Empty adds nothing. At most 64
	// bytes, without spaces or control characters (memcached key rules).
	Prefix string
	// Timeout bounds every call (Hit, Test, Clear, Ping), in addition to
	// the caller's context: no retry after a compare-and-swap conflict
	// starts after it. Zero means DefaultTimeout; it must not be negative.
	// The client's socket timeout (memcache.Client.Timeout, which the URI
	// opener sets to this value) bounds each round trip, so a call takes
	// at most about Timeout plus one read and one write.
	Timeout time.Duration
	// MaxItemSize is the largest value, in bytes, written for one client's
	// item; a decision whose states would outgrow it fails with an error
	// naming the largest limit. Zero means DefaultMaxItemSize. Set it to
	// the server's item size limit (memcached -I) less 512 bytes.
	MaxItemSize int
	// CloseClient makes Close also close the client passed to New (its idle
	// connections). The URI opener sets it, since it creates the client.
	CloseClient bool
}

// DefaultMaxIdleConns is the number of idle connections the URI opener
// keeps per server when max_idle_conns is not given. gomemcache's own
// default, 2, closes and redials a connection for nearly every decision
// once more than two run at once.
const DefaultMaxIdleConns = 32
