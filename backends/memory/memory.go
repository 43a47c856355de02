// Package memory is limitgen's in-process storage, the default: counters
// live in this process's memory, so limits are per process. It registers
// the scheme memory:// from init; import it for its side effect or call
// [New]:
//
//	import _ "github.com/limitgen/limitgen/backends/memory"
//
//	store, err := backends.Open("memory://?max_keys=100000")
//
// Decisions follow Request.Now (time is a parameter), with the window model
// of package backends. A Store is safe for concurrent use; it starts no
// goroutines. Counters are kept in 64 shards, each an open-addressing
// table guarded by a mutex. A key's shard is chosen by a hash of its hash
// tag (backends.HashTag: the client in the layout
// "prefix/{client}/scope/limit"; a key without a tag is its own tag), its
// slot in the shard's table by a 64-bit hash of the whole key (the full key
// compared on a match). So every key of one client lives in one shard, and
// a request with several limits of one client, as the runtime makes, takes
// one lock; a request whose keys have different tags locks their shards in
// index order. Either way the decision is atomic. Hashing a key costs more
// than the rest of a decision, so a memo points to the entries of
// recently decided keys (14336 slots at first, in cache-line buckets of 7,
// doubled whenever the keys pass half of the slots, up to 3.5 Mi), found by
// the address of the key string's bytes and confirmed by comparing the key: callers that send the
// same strings again, as the runtime does with each client's cached keys,
// neither hash nor probe. The store keeps the key strings it is given (it
// does not copy them), so a key should not be a small slice of a large
// string.
// A request must carry Now; a zero Now is an error.
//
// A fixed-window key decided by requests of one limit needs no lock at all
// while its window is open: its count sits in the same word as its mode,
// and such a decision charges it with one compare-and-swap, so it writes
// one cache line (the key's) rather than two (the key's and its shard's
// lock). A key so decided from several cores at once gets lanes, a cache
// line per core: a charge then takes up to 128 tokens more than its cost
// from the count into its core's lane, and the next charges on that core
// spend them there, so the cores stop passing the key's line between
// them at every decision. Admission stays exact (a refusal, or a test,
// first takes the unspent tokens back under the lock), but while lanes
// hold tokens a charge's Remaining counts those of other cores as spent.
// Opening or rolling the window, a request of several limits,
// another strategy, or removing the key (a sweep, eviction, Clear, Reset)
// holds the key under its shard's lock first, so every decision stays
// atomic and all-or-nothing; a sweep reads a key it keeps as it stands. A key used by a request of
// several limits stays held from then on, so such requests take one lock
// and nothing more.
//
// Memory is bounded by the live keys: an expired counter is reused when its
// key comes back, and a shard reclaims its expired counters whenever it has
// doubled since its last sweep, so a shard holds at most about twice its
// live keys (plus a few dozen). The memo lets go of a reclaimed entry at
// once, unless the entry was remembered under another string of its key;
// such entries (64 bytes each, and their keys) stay until their slots are
// reused. The memo costs 64 bytes per 7 slots: 128 KiB at first, then 18
// to 37 bytes per key at the most keys the store has held (it does not
// shrink). The optional cap max_keys bounds the keys outright; see
// [Config.MaxKeys] for the eviction rule.
package memory

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/limitgen/limitgen/backends"
)

func init() {
	backends.Register("memory", openURI)
}

// Config configures a Store. The zero value is an unbounded store.
type Config struct {
	// MaxKeys caps the number of keys the store tracks; 0 means no cap.
	// The cap is divided evenly among the shards (fewer shards are used for
	// small caps, at least 64 keys each where possible); the keys of one
	// client share a shard, so they share its part of the cap. When a new key finds
	// its shard full, the shard evicts, among 8 keys it samples, the one
	// whose state expires first (an expired one if the sample holds any);
	// a full shard also reclaims all its expired keys once per cap/2 new
	// keys, so making room costs O(1) amortised. An evicted key starts
	// afresh at its next request, so a cap below the number of active
	// clients lets some of them exceed their limits: choose it for memory
	// safety, not as a policy.
	MaxKeys int
}

const (
	maxShards  = 64
	minSweepAt = 64 // a shard sweeps no earlier than at this many keys
	evictScan  = 8  // keys sampled per eviction
)

// Store is the in-memory storage. Create it with New or backends.Open; it
// is safe for concurrent use by multiple goroutines.
type Store struct {
	seed   maphash.Seed
	tseed  uint64 // tagHash's seed
	shift  uint   // a key's shard is its hash >> shift
	shards []shard
	closed atomic.Bool
	memo   atomic.Pointer[memo] // where recently decided keys live; replaced as it grows

	// laneless keeps contended keys from getting lanes (see lanes), so that
	// a test can check the exact Remaining of every charge under
	// contention. Set only by tests, before use.
	laneless bool
}

// shard is one table of counters and its lock, padded to its own cache
// lines.
type shard struct {
	// The first line: what every decision under the lock writes.
	mu     sync.Mutex
	t      table
	last   int64  // the latest instant a decision under the lock used
	closed bool   // set by Close
	index  uint16 // the shard's index in Store.shards
	_      [4]byte
	// The second line: written rarely, so that decisions made without the
	// lock, which read lastOpen, seldom find it moved to another core.
	sweepAt  int          // sweep when t.n reaches this
	capacity int          // most keys the shard keeps; 0: no cap
	inserts  int          // keys added since the last sweep
	lastOpen atomic.Int64 // the same as last for decisions made without the lock, give or take lastGrain
	_        [32]byte     // to 128 bytes: two cache lines
}

// lastGrain is how far, in nanoseconds, a shard's lastOpen may lag the
// decisions made in it without the lock (see Store.hitOpen): moving it on
// each of them would write the shard's cache line from both cores, with an
// atomic write as costly as a locked instruction. Keys needs no finer
// instant than a millisecond.
const lastGrain = uint64(time.Millisecond)

// noteNow moves the shard's latest instant up to now. The caller holds the
// shard's lock.
func (sh *shard) noteNow(now int64) {
	if now > sh.last {
		sh.last = now
	}
}

// noteNowOpen is noteNow for a decision made without the lock: it moves
// lastOpen up to now if it lags now by more than lastGrain.
func (sh *shard) noteNowOpen(now int64) {
	for {
		last := sh.lastOpen.Load()
		if now <= last || uint64(now-last) <= lastGrain || sh.lastOpen.CompareAndSwap(last, now) {
			return
		}
	}
}

// New returns an empty store configured by c.
func New(c Config) (*Store, error) {
	if c.MaxKeys < 0 {
		return nil, fmt.Errorf("memory: MaxKeys %d is negative", c.MaxKeys)
	}
	n := maxShards
	if c.MaxKeys > 0 {
		for n > 1 && c.MaxKeys/n < 64 {
			n /= 2
		}
	}
	s := &Store{seed: maphash.MakeSeed(), tseed: rand.Uint64(), shift: 64, shards: make([]shard, n)}
	s.memo.Store(newMemo(minMemoBuckets))
	for 1<<(64-s.shift) < n {
		s.shift--
	}
	for i := range s.shards {
		s.shards[i].index = uint16(i)
		s.shards[i].t.memo = &s.memo
		s.shards[i].sweepAt = minSweepAt
		s.shards[i].capacity = c.MaxKeys / n
		s.shards[i].last = -1 << 63 // no decision yet, whatever the era of the instants
		s.shards[i].lastOpen.Store(-1 << 63)
	}
	return s, nil
}

// openURI opens memory://[?max_keys=N].
func openURI(u *backends.URI) (backends.Storage, error) {
	if len(u.Hosts) > 0 || (u.Path != "" && u.Path != "/") || u.Username != "" || u.Password != "" {
		return nil, fmt.Errorf("memory: storage URI %q: memory:// takes no host, user or path (want memory:// or memory://?max_keys=N)", u.Redacted())
	}
	maxKeys, err := u.IntParam("max_keys", 0)
	if err != nil {
		return nil, err
	}
	if maxKeys < 1 {
		if v, given := u.Param("max_keys"); given {
			return nil, fmt.Errorf("memory: storage URI %q: max_keys=%q must be a positive number of keys", u.Redacted(), v)
		}
	}
	if err := u.CheckParams(); err != nil {
		return nil, err
	}
	return New(Config{MaxKeys: maxKeys})
}

// fitMemo grows the memo when a shard now holding n keys suggests the
// store's keys have passed half of the memo's slots: hashing spreads clients
// evenly over the shards, so n times the shards estimates the keys. The
// caller holds the shard's lock; a memo grown concurrently by another
// shard's caller wins, and this one's is dropped.
func (s *Store) fitMemo(n int) {
	m := s.memo.Load()
	if 2*n*len(s.shards) > m.slotCount() && len(m.buckets) < maxMemoBuckets {
		s.memo.CompareAndSwap(m, m.grown())
	}
}

// hash returns the hash of key the store files it under.
func (s *Store) hash(key string) uint64 { return maphash.String(s.seed, key) }

// errNoNow is returned for a request without an instant.
var errNoNow = errors.New("memory: request has no Now (the memory storage decides at Request.Now)")

// Hit decides req atomically and charges every limit if all admit it. See
// backends.Storage.
func (s *Store) Hit(_ context.Context, req *backends.Request, results []backends.Result) (bool, error) {
	return s.decide(req, results, true)
}

// Test answers as Hit would without charging anything. See
// backends.Storage.
func (s *Store) Test(_ context.Context, req *backends.Request, results []backends.Result) (bool, error) {
	return s.decide(req, results, false)
}

// Clear forgets key, whatever its strategy.
func (s *Store) Clear(_ context.Context, key string) error {
	if s.closed.Load() {
		return backends.ErrClosed
	}
	h, i := s.locate(key)
	sh := &s.shards[i]
	sh.mu.Lock()
	sh.t.remove(h, key)
	sh.mu.Unlock()
	return nil
}

// errEmptyPrefix is returned by Reset for an empty prefix.
var errEmptyPrefix = errors.New("memory: Reset needs a key prefix (the limiter's), not an empty one")

// Reset removes every key under prefix (see backends.Resetter) from every
// shard, one shard's lock at a time, and returns how many it removed.
func (s *Store) Reset(_ context.Context, prefix string) (int, error) {
	if s.closed.Load() {
		return 0, backends.ErrClosed
	}
	if prefix == "" {
		return 0, errEmptyPrefix
	}
	under := prefix + "/"
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		if !sh.closed {
			before := sh.t.n
			sh.t.keep(func(e *entry) bool { return !strings.HasPrefix(e.key, under) })
			n += before - sh.t.n
		}
		sh.mu.Unlock()
	}
	return n, nil
}

// Ping reports ErrClosed after Close, else nil.
func (s *Store) Ping(context.Context) error {
	if s.closed.Load() {
		return backends.ErrClosed
	}
	return nil
}

// Close drops every counter. Later calls return backends.ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return backends.ErrClosed
	}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.closed, sh.t = true, table{}
		sh.mu.Unlock()
	}
	s.memo.Load().clear()
	return nil
}

// Keys returns the number of keys holding live state, after reclaiming the
// expired ones as of the latest instant any decision used (give or take
// lastGrain, a millisecond, for decisions made without a lock). It implements
// backends.KeyCounter; it visits every key, so it is meant for accounting
// and tests, not for every request.
func (s *Store) Keys() int {
	now := int64(-1 << 63)
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		now = max(now, sh.last, sh.lastOpen.Load())
		sh.mu.Unlock()
	}
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		if !sh.closed {
			sh.sweep(now)
			n += sh.t.n
		}
		sh.mu.Unlock()
	}
	return n
}

// sweep deletes the entries that hold nothing at now and sets the next
// sweep for when the shard has doubled.
func (sh *shard) sweep(now int64) {
	sh.t.keep(func(e *entry) bool { return e.expires() > now })
	sh.sweepAt = max(2*sh.t.n, minSweepAt)
	sh.inserts = 0
}

// makeRoom prepares the shard for one more key at now: it sweeps when the
// shard has doubled since its last sweep, or when it is full and has taken
// cap/2 keys since, and evicts a key if it is still full.
func (sh *shard) makeRoom(now int64, spare []backends.Limit) {
	full := sh.capacity > 0 && sh.t.n >= sh.capacity
	if sh.t.n >= sh.sweepAt || full && sh.inserts >= sh.capacity/2 {
		sh.sweep(now)
		full = sh.capacity > 0 && sh.t.n >= sh.capacity
	}
	if full {
		sh.evict(spare)
	}
	sh.inserts++
}

// evict deletes, among evictScan sampled keys, the one that expires first,
// sparing the keys of the request being decided.
func (sh *shard) evict(spare []backends.Limit) {
	var victim *entry
	var vh uint64
	when := int64(1<<63 - 1)
	sh.t.sample(evictScan, func(h uint64, e *entry) {
		for i := range spare {
			if spare[i].Key == e.key {
				return
			}
		}
		if x := e.expires(); victim == nil || x < when {
			victim, vh, when = e, h, x
		}
	})
	if victim != nil {
		sh.t.remove(vh, victim.key)
	}
}
