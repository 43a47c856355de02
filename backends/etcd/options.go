package etcd

import "time"

// DefaultTimeout bounds each storage call when Options.Timeout is zero.
const DefaultTimeout = time.Second

// DefaultDialTimeout bounds the authentication at Open (the one call the
// etcd client makes before the storage exists) when the URI gives no
// dial_timeout.
const DefaultDialTimeout = 5 * time.Second

// ClockSlack is how much longer than its state needs a key is kept alive
// (leases are also rounded up to whole seconds and to a bucket, see the
// package documentation), so that an application server whose clock lags
// the writer's by up to this much still finds the state it would count.
const ClockSlack = time.Second

// Options configure a Storage. The zero value is ready to use: no key
// prefix and a one-second bound per call.
type Options struct {
	// Prefix is prepended to every etcd key the storage reads or writes, to
	// share one etcd cluster between applications (etcd keys are arbitrary
	// bytes; a prefix such as "limitgen/" reads best). Empty adds nothing.
	Prefix string
	// Timeout bounds every storage call (Hit, Test, Clear, Reset, Ping), all
	// its round trips and conflict retries together, in addition to the
	// caller's context. Zero means DefaultTimeout; negative means no bound
	// beyond the context.
	Timeout time.Duration
	// CloseClient makes Close also close the client passed to New. Open
	// sets it, since it creates the client.
	CloseClient bool
}
