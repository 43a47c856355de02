package redis

import "time"

// QueuedCalls returns how many decisions wait for a pipeline of s.
func QueuedCalls(s *Storage) int {
	s.co.mu.Lock()
	defer s.co.mu.Unlock()
	return len(s.co.queue)
}

// SetQueueClock makes s's coalescer read the time from now: the instants
// calls arrive and the moment a sender takes them. Call it before the
// first decision.
func SetQueueClock(s *Storage, now func() time.Time) { s.co.now = now }

// Senders returns how many pipelines s's coalescer keeps in flight, 0
// when s does not coalesce.
func Senders(s *Storage) int {
	if s.co == nil {
		return 0
	}
	return s.co.senders
}
