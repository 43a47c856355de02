package redis

import (
	"time"
)

// DefaultTimeout bounds each storage call when Options.Timeout is zero.
const DefaultTimeout = time.Second

// Options configure a Storage. The zero value is ready to use: no key prefix,
// a one-second bound per call, and the Redis server's clock.
type Options struct {
	// Prefix is prepended to every key the storage writes, to share one Redis
	// between applications. Empty adds nothing. It must not contain '{' or
	// '}', which would change the keys' hash slots.
	Prefix string
	// Timeout bounds every call (Hit, Test, Clear, Ping) in addition to the
	// caller's context, so a hung server costs at most this long. Zero means
	// DefaultTimeout; negative means no bound beyond the context. The
	// client must honour context deadlines (go-redis
	// ContextTimeoutEnabled), which the URI openers set.
	Timeout time.Duration
	// ClientClock makes decisions use Request.Now instead of the Redis server's clock. Use it when the
	// callers' clocks are synchronised or when tests pass instants; leave
	// it false when application servers' clocks may differ.
	ClientClock bool
	// CloseClient makes Close also close the client passed to New. The URI
	// openers set it, since they create the client.
	CloseClient bool
}
