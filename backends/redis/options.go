package redis

import (
	"time"
)

// DefaultTimeout bounds each storage call when Options.Timeout is zero.
const DefaultTimeout = time.Second

// DefaultPipelines is the number of coalesced pipelines in flight at once
// when Options.Pipelines is zero.
const DefaultPipelines = 2

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
	// ClientTimeouts says that the client passed to New bounds every call
	// by Timeout itself, so the storage need not derive a context with a
	// deadline per call (a timer and four allocations, about 1 µs of CPU
	// per decision). New accepts it only for a *goredis.Client created with
	// ContextTimeoutEnabled (the caller's context deadline still applies),
	// MaxRetries -1 (a call that timed out is not sent again), and
	// DialTimeout, ReadTimeout, WriteTimeout and PoolTimeout each between 0
	// and Timeout. Each wait of a call (for a pooled connection, to dial,
	// to write, to read the reply) is then bounded by Timeout, so a hung
	// server costs about Timeout: at most that when the call's connection
	// is pooled and nothing waits for the pool, as is usual. Not for a
	// failover (Sentinel) client, whose dials also ask the sentinels. The
	// URI openers set it for redis://, rediss:// and redis+unix://.
	ClientTimeouts bool
	// ClientClock makes decisions use Request.Now instead of the Redis server's clock. Use it when the
	// callers' clocks are synchronised or when tests pass instants; leave
	// it false when application servers' clocks may differ.
	ClientClock bool
	// Pipelines is how many pipelines of coalesced decisions may be in
	// flight at once. Decisions (Hit, Test) that arrive while these are
	// busy wait and go out together in the next free one, up to 128 in one
	// pipeline: one write and one read, for the client and the server, each
	// decision still its own atomic script call. Under concurrency this
	// multiplies throughput (see the README's figures); a lone decision
	// pays a hand-over to the sending goroutine and back. The Timeout
	// bounds a decision from the moment it queues. Zero means
	// DefaultPipelines; negative turns coalescing off, so that each
	// decision takes a pooled connection of its own (URI pipelines=0).
	// Against a local server 2 measured best (64 callers, fixed window:
	// 8.6 µs per decision, 9.0 with 4 in flight, 10.4 with 8); across a
	// network, where a round trip takes longer, more in flight keep
	// moderate concurrency from waiting for a free one. go-redis hooks
	// (tracing, say) see a pipeline's own context, which carries no
	// request's values unless the decision went out alone.
	Pipelines int
	// CloseClient makes Close also close the client passed to New. The URI
	// openers set it, since they create the client.
	CloseClient bool
}
