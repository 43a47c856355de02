package mongodb

import (
	"context"

	"github.com/limitgen/limitgen/backends"
)

// Clear removes the states of key, for every strategy, from its client's
// document through the same compare-and-swap as a decision, and deletes
// the document when nothing else is left in it.
func (s *Storage) Clear(ctx context.Context, key string) error {
	if s.closed.Load() {
		return backends.ErrClosed
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	id := s.docID(key)
	var doc document
	for attempt := 0; ; attempt++ {
		found, err := s.load(ctx, id, &doc)
		if err != nil || !found {
			return s.wrap("clear", err)
		}
		kept := make([]entry, 0, len(doc.S))
		for _, e := range doc.S {
			if e.K != key {
				kept = append(kept, e)
			}
		}
		if len(kept) == len(doc.S) {
			return nil
		}
		ok, err := s.store(ctx, id, &doc.V, kept)
		if err != nil || ok {
			return s.wrap("clear", err)
		}
		if err := s.conflict(ctx, attempt); err != nil {
			return s.wrap("clear", err)
		}
	}
}
