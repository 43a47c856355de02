package mongodb

import (
	"context"
	"errors"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/limitgen/limitgen/backends"
)

// Reset removes every document of the storage under prefix (see
// backends.Resetter): one DeleteMany of the documents whose identifier
// starts with Options.Prefix + prefix + "/", the clients of keys laid out
// as "prefix/{client}/scope/limit". It returns how many documents it
// removed: one per client, each holding every counter of that client
// under the prefix. prefix must not contain '{'.
func (s *Storage) Reset(ctx context.Context, prefix string) (int, error) {
	if s.closed.Load() {
		return 0, backends.ErrClosed
	}
	if prefix == "" {
		return 0, errors.New("mongodb: Reset needs a key prefix (the limiter's), not an empty one")
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	pattern := "^" + regexp.QuoteMeta(s.opts.Prefix+prefix+"/")
	r, err := s.coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: pattern}}}})
	if err != nil {
		return 0, s.wrap("reset", err)
	}
	return int(r.DeletedCount), nil
}
