package mongodb

// Test hooks, visible to package mongodb_test only.

// SetBeforeWrite makes f run between each decision's read and its write.
func SetBeforeWrite(s *Storage, f func()) { s.beforeWrite = f }

// Conflicts returns how many compare-and-swaps of s lost a race.
func Conflicts(s *Storage) int64 { return s.conflicts.Load() }

// ExpiryMode returns whether the server keeps the TTL index and whether
// the storage sweeps, once its first write has settled it.
func ExpiryMode(s *Storage) (ttl, sweeping bool) {
	s.expiry.mu.Lock()
	defer s.expiry.mu.Unlock()
	return s.expiry.ttl, s.expiry.sweeping
}

// DriverURI returns the connection string Open gives the driver.
var DriverURI = driverURI

// Writes returns how many batches of s wrote a document.
func Writes(s *Storage) int64 { return s.writes.Load() }

// Queued returns how many Hits of s wait for a batch in flight.
func Queued(s *Storage) int {
	s.queues.mu.Lock()
	defer s.queues.mu.Unlock()
	n := 0
	for _, w := range s.queues.waiting {
		n += len(w)
	}
	return n
}
