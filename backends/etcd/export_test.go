package etcd

import (
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/limitgen/limitgen/backends"
)

// Conflicts returns how many of s's Txns lost a race.
func (s *Storage) Conflicts() int64 { return s.conflicts.Load() }

// Grants returns how many leases s has asked etcd for.
func (s *Storage) Grants() int64 {
	s.leases.mu.Lock()
	defer s.leases.mu.Unlock()
	return s.leases.grants
}

// SetBeforeWrite installs a hook that runs between a Hit's read and its Txn.
func (s *Storage) SetBeforeWrite(f func()) { s.beforeWrite = f }

// Client returns the etcd client of s.
func (s *Storage) Client() *clientv3.Client { return s.client }

// ParseURI exposes the URI parsing of Open.
func ParseURI(uri string) (*clientv3.Config, Options, error) {
	u, err := backends.ParseURI(uri)
	if err != nil {
		return nil, Options{}, err
	}
	return parseURI(u)
}

// BucketOf exposes the lease bucket of a lifetime: its end and length.
func BucketOf(now, life time.Duration) (end, size time.Duration) {
	k := bucketOf(now, life)
	return k.end, k.size
}

// LifeOf exposes the lifetime of a key whose state ends at expires.
var LifeOf = lifeOf
