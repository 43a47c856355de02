package mongodb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// document holds every counter of one client: the limits whose keys share
// a hash tag (backends.HashTag), under one identifier, so that a request's
// limits are decided by one compare-and-swap on one document.
type document struct {
	// ID is Options.Prefix + the key up to and including the hash tag's
	// closing brace ("LIMITER/{127.0.0.1}"), or the whole key when it has
	// no tag.
	ID string `bson:"_id"`
	// V is the version the compare-and-swap checks: a random number, new
	// at every write, so a document deleted and written again never shows
	// a version a reader saw before (no ABA).
	V int64 `bson:"v"`
	// S holds one entry per limit key and strategy. An array, since keys
	// contain '.' and '$', which field names in updates cannot.
	S []entry `bson:"s"`
	// E is the document's expiry (TTL index, or the sweep): the latest
	// instant an entry holds anything, rounded up to the millisecond, plus
	// ExpirySlack.
	E bson.DateTime `bson:"e"`
}

// entry is the state of one limit under one strategy.
type entry struct {
	// K is the limit's key as the request gave it.
	K string `bson:"k"`
	// X is the first instant, in Unix nanoseconds, at which the state
	// holds nothing (its Expires).
	X int64 `bson:"x"`
	// B is the state, encoded by package backends (AppendBinary); its
	// first byte names the strategy.
	B []byte `bson:"b"`
}

// find returns the index of the entry of key under the strategy whose
// encodings start with tag, or -1.
func (d *document) find(key string, tag byte) int {
	for i := range d.S {
		if e := &d.S[i]; e.K == key && len(e.B) > 0 && e.B[0] == tag {
			return i
		}
	}
	return -1
}

// docID returns the identifier of the document that holds key.
func (s *Storage) docID(key string) string {
	end := len(key)
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			end = i + 1 + j + 1
		}
	}
	if s.opts.Prefix == "" {
		return key[:end]
	}
	return s.opts.Prefix + key[:end]
}

// load reads the document id; found is false when it does not exist.
func (s *Storage) load(ctx context.Context, id string, d *document) (found bool, err error) {
	*d = document{S: d.S[:0]}
	err = s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err == nil && d.V == 0 {
		// No compare-and-swap could ever match it: fail now rather than
		// retry until the timeout.
		return false, fmt.Errorf("mongodb: document %q has no version v: it was not written by limitgen", id)
	}
	return err == nil, err
}

// newVersion returns a random version other than 0 (which a document
// without one decodes to) and other than old.
func newVersion(old int64) int64 {
	for {
		if v := rand.Int64(); v != 0 && v != old {
			return v
		}
	}
}

// store writes entries as the new content of document id, if the document
// is still as read: old is the version read, or nil when there was no
// document. It reports false when another writer came first (the
// compare-and-swap failed). A document left without entries is deleted.
// A write the server does not acknowledge is an error (errUnacknowledged).
func (s *Storage) store(ctx context.Context, id string, old *int64, entries []entry) (bool, error) {
	if len(entries) == 0 {
		if old == nil {
			return true, nil
		}
		r, err := s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "v", Value: *old}})
		if err != nil {
			return false, err
		}
		return r.DeletedCount == 1, acknowledged(r.Acknowledged)
	}
	var prev int64
	if old != nil {
		prev = *old
	}
	d := document{ID: id, V: newVersion(prev), S: entries, E: expireAt(entries)}
	if old == nil {
		r, err := s.coll.InsertOne(ctx, &d)
		if mongo.IsDuplicateKeyError(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return true, acknowledged(r.Acknowledged)
	}
	r, err := s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "v", Value: *old}}, &d)
	if err != nil {
		return false, err
	}
	return r.MatchedCount == 1, acknowledged(r.Acknowledged)
}

// errUnacknowledged is returned by a write under an unacknowledged write
// concern (w=0, on a client passed to New): the server does not say
// whether the compare-and-swap matched, so the decision can neither count
// its charge nor retry without charging twice.
var errUnacknowledged = errors.New("unacknowledged write concern (w=0): the outcome of the compare-and-swap is unknown; use w=1 or more")

// acknowledged returns errUnacknowledged unless the server acknowledged a
// write.
func acknowledged(ack bool) error {
	if !ack {
		return errUnacknowledged
	}
	return nil
}

// expireAt returns the document expiry for entries: the latest X rounded
// up to the millisecond (BSON dates count milliseconds), plus
// ExpirySlack, saturating.
func expireAt(entries []entry) bson.DateTime {
	latest := int64(-1 << 63)
	for i := range entries {
		latest = max(latest, entries[i].X)
	}
	ms := latest / 1e6
	if latest%1e6 > 0 {
		ms++
	}
	const slack = int64(ExpirySlack / 1e6)
	if ms > 1<<63-1-slack {
		return bson.DateTime(1<<63 - 1)
	}
	return bson.DateTime(ms + slack)
}
