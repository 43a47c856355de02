package mongodb

import "time"

// DefaultTimeout bounds each storage call (Hit, Test, Clear, Ping, Reset,
// Sweep, with every retry of a compare-and-swap) when Options.Timeout is
// zero.
const DefaultTimeout = time.Second

// DefaultDatabase and DefaultCollection name where the counters live when
// Options leave them empty.
const (
	DefaultDatabase   = "limitgen"
	DefaultCollection = "limits"
)

// DefaultSweep is how often expired documents are deleted by the storage
// itself when the server cannot keep a TTL index (FerretDB) and
// Options.Sweep is zero.
const DefaultSweep = time.Minute

// ExpirySlack is added to the instant a document's counters end before it
// is stored as the document's expiry, so that a server (TTL monitor) or
// application whose clock runs ahead of the deciding application's does
// not delete counters that are still live for it.
const ExpirySlack = time.Second

// Options configure a Storage. The zero value is ready to use: database
// "limitgen", collection "limits", no key prefix, a one-second bound per
// call, a TTL index, and a sweep every minute where the server has none.
type Options struct {
	// Database and Collection name where the documents live; empty means
	// DefaultDatabase and DefaultCollection.
	Database, Collection string
	// Prefix is prepended to every document identifier, to share one
	// collection between applications. Empty adds nothing.
	Prefix string
	// Timeout bounds every call, retries included, in addition to the
	// caller's context, so a hung server costs at most this long. Zero
	// means DefaultTimeout; negative means no bound beyond the context.
	Timeout time.Duration
	// Sweep is the interval of the storage's own deletion of expired
	// documents, which runs only when the server refuses the TTL index
	// (FerretDB answers NotImplemented). Zero means DefaultSweep;
	// negative never sweeps (documents of clients that stopped coming
	// then stay until Reset or a manual Sweep).
	Sweep time.Duration
	// CloseClient makes Close also disconnect the client passed to New.
	// The URI openers set it, since they create the client.
	CloseClient bool
}
