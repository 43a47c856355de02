package mongodb_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/limitgen/limitgen/backends"
	"github.com/limitgen/limitgen/backends/backendtest"
	"github.com/limitgen/limitgen/backends/mongodb"
)

// t0 is a whole hour, so sliding-window buckets of a minute start at it.
var t0 = time.Date(2031, time.March, 1, 10, 0, 0, 0, time.UTC)

// rawDoc is a stored document as the tests read it.
type rawDoc struct {
	V int64         `bson:"v"`
	E bson.DateTime `bson:"e"`
	S []struct {
		K string `bson:"k"`
		X int64  `bson:"x"`
		B []byte `bson:"b"`
	} `bson:"s"`
}

// readDoc returns the document of client under the LIMITER prefix, or nil.
func readDoc(t *testing.T, st *mongodb.Storage, prefix, client string) *rawDoc {
	t.Helper()
	var d rawDoc
	err := st.Collection().FindOne(context.Background(), bson.D{{Key: "_id", Value: prefix + "LIMITER/{" + client + "}"}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return &d
}

// hit and peek decide one request, failing the test on error.
var (
	hit  = backendtest.Hit
	peek = backendtest.Peek
)

func lim(client, scope string, amount int64, window time.Duration) backends.Limit {
	return backends.Limit{Key: backends.Key("LIMITER", client, scope, fmt.Sprintf("%d per %v", amount, window)),
		Amount: amount, Window: window, Cost: 1}
}

// shared opens two storages on one client (one connection on FerretDB), as
// two processes would race, with one prefix.
func shared(t *testing.T) (a, b *mongodb.Storage, prefix string) {
	t.Helper()
	first := open(t)
	prefix = backendtest.UniquePrefix(t)
	var err error
	opts := mongodb.Options{Database: first.Collection().Database().Name(), Collection: first.Collection().Name(), Prefix: prefix, Timeout: 10 * time.Second}
	if a, err = mongodb.New(first.Client(), opts); err != nil {
		t.Fatal(err)
	}
	if b, err = mongodb.New(first.Client(), opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b, prefix
}

// TestConflictRetry: a decision whose document changed between its read
// and its write (another storage charged it) loses the compare-and-swap,
// reads again and decides on the new state: both hits count, none is lost.
func TestConflictRetry(t *testing.T) {
	serverURI(t)
	for _, strategy := range backends.Strategies() {
		t.Run(strategy.String(), func(t *testing.T) {
			a, b, _ := shared(t)
			var compete backends.Limit
			var armed atomic.Bool
			mongodb.SetBeforeWrite(a, func() {
				if armed.Swap(false) {
					if ok, _ := hit(t, b, strategy, t0, compete); !ok {
						t.Error("the competing hit was refused")
					}
				}
			})
			// The document is new: B's insert wins, A's insert meets a
			// duplicate key, reads B's document and replaces it.
			l := lim("racer", "s", 2, time.Minute)
			compete = l
			armed.Store(true)
			ok, res := hit(t, a, strategy, t0, l)
			if !ok || res[0].Remaining != 0 {
				t.Fatalf("hit after a lost insert: %v remaining %d, want admitted, remaining 0", ok, res[0].Remaining)
			}
			if n := mongodb.Conflicts(a); n != 1 {
				t.Errorf("%d conflicts, want 1", n)
			}
			if ok, _ := hit(t, a, strategy, t0.Add(time.Second), l); ok {
				t.Error("third hit on a limit of 2 admitted")
			}
			// The document exists: B's replace wins, A's replace matches
			// no version and is retried.
			l2 := lim("racer", "s", 2, time.Hour)
			compete = l2
			armed.Store(true)
			ok, res = hit(t, a, strategy, t0.Add(time.Second), l2)
			if !ok || res[0].Remaining != 0 || mongodb.Conflicts(a) != 2 {
				t.Errorf("hit after a lost replace: %v remaining %d, %d conflicts; want admitted, 0, 2", ok, res[0].Remaining, mongodb.Conflicts(a))
			}
			if _, res := peek(t, b, strategy, t0.Add(2*time.Second), l, l2); res[0].Remaining != 0 || res[1].Remaining != 0 {
				t.Errorf("final state %+v, want both limits exhausted (no hit lost)", res)
			}
		})
	}
}

// TestRacingStorages: two storages (two processes, as far as the
// in-process batching knows) hammer one client: exactly the limit is admitted.
func TestRacingStorages(t *testing.T) {
	serverURI(t)
	a, b, _ := shared(t)
	const g, n, amount = 8, 20, 70
	l := lim("hot", "s", amount, time.Hour)
	admitted := backendtest.CountAdmitted(t, g, n, []backends.Storage{a, b}, func(int) *backends.Request {
		return &backends.Request{Now: t0, Limits: []backends.Limit{l}}
	})
	if got := admitted; got != amount {
		t.Errorf("admitted %d, want %d", got, amount)
	}
	t.Logf("%d and %d conflicts", mongodb.Conflicts(a), mongodb.Conflicts(b))
}

// TestExpiryField: each document carries its states' end, rounded up to
// the millisecond, plus the slack; entries carry their own end.
func TestExpiryField(t *testing.T) {
	st := open(t)
	prefix := st.Prefix()
	now := t0.Add(1500*time.Microsecond + 1) // not a whole millisecond
	w := time.Minute
	for _, c := range []struct {
		strategy backends.Strategy
		end      time.Time
	}{
		{backends.FixedWindow, now.Add(w)},                       // the window's end
		{backends.MovingWindow, now.Add(w)},                      // the newest hit + window
		{backends.SlidingWindowCounter, t0.Add(2 * time.Minute)}, // the next bucket's end
	} {
		client := "exp-" + c.strategy.String()
		l := lim(client, "s", 5, w)
		hit(t, st, c.strategy, now, l)
		d := readDoc(t, st, prefix, client)
		if d == nil || len(d.S) != 1 {
			t.Fatalf("%v: document %+v, want one entry", c.strategy, d)
		}
		if d.S[0].X != c.end.UnixNano() {
			t.Errorf("%v: entry ends %v, want %v", c.strategy, time.Unix(0, d.S[0].X).UTC(), c.end)
		}
		want := c.end.Add(999999).Truncate(time.Millisecond).Add(mongodb.ExpirySlack)
		if got := d.E.Time(); !got.Equal(want) {
			t.Errorf("%v: document expires %v, want %v", c.strategy, got.UTC(), want)
		}
	}
	ttl, sweeping := mongodb.ExpiryMode(st)
	if ferret() && (ttl || !sweeping) {
		t.Errorf("on FerretDB: TTL index %v, sweeping %v; want no index and the sweep", ttl, sweeping)
	}
	if !ferret() && !ttl {
		t.Error("no TTL index on MongoDB")
	}
}

// TestSweep: Sweep deletes the documents whose counters all ended by the
// local clock, and only those.
func TestSweep(t *testing.T) {
	st := open(t)
	prefix := st.Prefix()
	past, live := lim("gone", "s", 1, time.Minute), lim("live", "s", 1, time.Minute)
	hit(t, st, backends.FixedWindow, time.Now().Add(-time.Hour), past)
	hit(t, st, backends.FixedWindow, time.Now(), live)
	n, err := st.Sweep(context.Background())
	if err != nil || n < 1 {
		t.Fatalf("Sweep = %d, %v; want at least 1", n, err)
	}
	if readDoc(t, st, prefix, "gone") != nil {
		t.Error("an expired document survived Sweep")
	}
	if readDoc(t, st, prefix, "live") == nil {
		t.Error("Sweep deleted a live document")
	}
}

// TestPruning: a write drops the entries of the client's other limits
// that ended, so a document holds live counters only.
func TestPruning(t *testing.T) {
	st := open(t)
	short, long := lim("p", "a", 1, time.Second), lim("p", "b", 1, time.Hour)
	hit(t, st, backends.FixedWindow, t0, short)
	hit(t, st, backends.MovingWindow, t0, short)
	hit(t, st, backends.FixedWindow, t0.Add(time.Minute), long)
	d := readDoc(t, st, st.Prefix(), "p")
	if d == nil || len(d.S) != 1 || d.S[0].K != long.Key {
		t.Errorf("document after the short limit ended: %+v, want only %s", d, long.Key)
	}
}

// TestClearEntries: Clear removes a key's states of every strategy and
// keeps the client's other keys; the last Clear deletes the document.
func TestClearEntries(t *testing.T) {
	st := open(t)
	a, b := lim("c", "a", 1, time.Hour), lim("c", "b", 1, time.Hour)
	for _, s := range backends.Strategies() {
		hit(t, st, s, t0, a)
	}
	hit(t, st, backends.FixedWindow, t0, b)
	if d := readDoc(t, st, st.Prefix(), "c"); d == nil || len(d.S) != 4 {
		t.Fatalf("document %+v, want 4 entries", d)
	}
	if err := st.Clear(context.Background(), a.Key); err != nil {
		t.Fatal(err)
	}
	if d := readDoc(t, st, st.Prefix(), "c"); d == nil || len(d.S) != 1 || d.S[0].K != b.Key {
		t.Fatalf("after Clear: %+v, want only %s", d, b.Key)
	}
	for _, s := range backends.Strategies() {
		if ok, _ := peek(t, st, s, t0, a); !ok {
			t.Errorf("%v: cleared key still exhausted", s)
		}
	}
	if err := st.Clear(context.Background(), b.Key); err != nil {
		t.Fatal(err)
	}
	if d := readDoc(t, st, st.Prefix(), "c"); d != nil {
		t.Errorf("after clearing every key: %+v, want no document", d)
	}
}

// TestResetPrefix: Reset matches its prefix literally (regular expression
// characters quoted) and counts documents, one per client.
func TestResetPrefix(t *testing.T) {
	st := open(t)
	key := func(prefix, client string) backends.Limit {
		return backends.Limit{Key: backends.Key(prefix, client, "s", "1 per 1 hour"), Amount: 1, Window: time.Hour, Cost: 1}
	}
	for _, l := range []backends.Limit{key("a.b*", "x"), key("a.b*", "y"), key("aXb*", "x"), key("a.b", "x"), key("a.b*c", "x")} {
		hit(t, st, backends.FixedWindow, t0, l)
	}
	n, err := st.Reset(context.Background(), "a.b*")
	if err != nil || n != 2 {
		t.Fatalf("Reset(a.b*) = %d, %v; want 2", n, err)
	}
	for _, p := range []string{"aXb*", "a.b", "a.b*c"} {
		if ok, _ := peek(t, st, backends.FixedWindow, t0, key(p, "x")); ok {
			t.Errorf("Reset(a.b*) removed the counter under %q", p)
		}
	}
	if _, err := st.Reset(context.Background(), ""); err == nil {
		t.Error("Reset with an empty prefix: no error")
	}
}

// TestSeveralClients: a request spanning clients is all-or-nothing: a
// refusal by a later client (in _id order) refunds the earlier one, for
// every strategy; an admitted one charges all.
func TestSeveralClients(t *testing.T) {
	st := open(t)
	for _, s := range backends.Strategies() {
		t.Run(s.String(), func(t *testing.T) {
			a := lim("a-"+s.String(), "s", 5, time.Minute)
			b := lim("b-"+s.String(), "s", 1, time.Minute)
			now := t0.Add(7 * time.Second)
			if ok, res := hit(t, st, s, now, b, a); !ok || res[0].Remaining != 0 || res[1].Remaining != 4 {
				t.Fatalf("first request: %v %+v, want admitted, remaining 0 and 4", ok, res)
			}
			for i := range 3 {
				at := now.Add(time.Duration(i+1) * time.Second)
				ok, res := hit(t, st, s, at, b, a)
				if ok || res[0].Allowed || !res[1].Allowed || res[1].Remaining != 4 {
					t.Fatalf("request refused by b: %v %+v, want refused by b alone, a's remaining 4", ok, res)
				}
				if _, res := peek(t, st, s, at, a); res[0].Remaining != 4 {
					t.Fatalf("after the refusal, a has %d left, want 4 (refunded)", res[0].Remaining)
				}
			}
			if d := readDoc(t, st, st.Prefix(), "a-"+s.String()); d == nil || len(d.S) != 1 {
				t.Errorf("a's document after refunds: %+v, want its one entry", d)
			}
		})
	}
}

// TestBatches: concurrent hits on one client with different limit sets
// and strategies go out in shared batches (fewer writes than admitted
// hits), and each is decided exactly as if alone, in some order: no
// charge lost, none doubled, no limit exceeded.
func TestBatches(t *testing.T) {
	st := open(t)
	a, b := lim("batch", "a", 60, time.Hour), lim("batch", "b", 15, time.Hour)
	const g, n = 8, 12
	var onlyA, both, moving atomic.Int64
	var wg sync.WaitGroup
	for i := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range n {
				var ok bool
				var err error
				switch (i + k) % 3 {
				case 0:
					ok, err = st.Hit(context.Background(), &backends.Request{Now: t0, Limits: []backends.Limit{a}}, make([]backends.Result, 1))
					if ok {
						onlyA.Add(1)
					}
				case 1:
					ok, err = st.Hit(context.Background(), &backends.Request{Now: t0, Limits: []backends.Limit{b, a}}, make([]backends.Result, 2))
					if ok {
						both.Add(1)
					}
				default:
					ok, err = st.Hit(context.Background(), &backends.Request{Strategy: backends.MovingWindow, Now: t0, Limits: []backends.Limit{b}}, make([]backends.Result, 1))
					if ok {
						moving.Add(1)
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	_, res := peek(t, st, backends.FixedWindow, t0, a, b)
	if want := 60 - onlyA.Load() - both.Load(); res[0].Remaining != want {
		t.Errorf("a: remaining %d, want %d (%d hits on a alone, %d on both)", res[0].Remaining, want, onlyA.Load(), both.Load())
	}
	if want := 15 - both.Load(); res[1].Remaining != want || want < 0 {
		t.Errorf("b: remaining %d, want %d", res[1].Remaining, want)
	}
	var tries [3]int64
	for i := range g {
		for k := range n {
			tries[(i+k)%3]++
		}
	}
	// a never runs out (at most 32 + 15 of 60): every hit on a alone is
	// admitted, and exactly 15 of those on both.
	if onlyA.Load() != tries[0] || both.Load() != 15 {
		t.Errorf("admitted %d of %d hits on a alone and %d on both, want all and 15", onlyA.Load(), tries[0], both.Load())
	}
	if got := moving.Load(); got != 15 {
		t.Errorf("moving window on b admitted %d, want 15", got)
	}
	admitted := onlyA.Load() + both.Load() + moving.Load()
	if w := mongodb.Writes(st); w >= admitted {
		t.Errorf("%d writes for %d admitted hits: nothing was combined", w, admitted)
	} else {
		t.Logf("%d writes for %d admitted hits", w, admitted)
	}
}

// TestQueuedGiveUp: a Hit queued behind a batch in flight whose context
// ends returns at once with the context's error and is never charged;
// one that waits is decided in the next batch.
func TestQueuedGiveUp(t *testing.T) {
	st := open(t)
	l := lim("queue", "s", 10, time.Hour)
	release := make(chan struct{})
	var first atomic.Bool
	first.Store(true)
	mongodb.SetBeforeWrite(st, func() {
		if first.Swap(false) {
			<-release // hold the first batch between its read and its write
		}
	})
	leader := make(chan error, 1)
	go func() {
		_, err := st.Hit(context.Background(), &backends.Request{Now: t0, Limits: []backends.Limit{l}}, make([]backends.Result, 1))
		leader <- err
	}()
	for first.Load() { // until the leader holds
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := st.Hit(ctx, &backends.Request{Now: t0, Limits: []backends.Limit{l}}, make([]backends.Result, 1))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("queued Hit whose context ended: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("queued Hit gave up after %v", d)
	}
	waiter := make(chan bool, 1)
	go func() {
		ok, err := st.Hit(context.Background(), &backends.Request{Now: t0, Limits: []backends.Limit{l}}, make([]backends.Result, 1))
		if err != nil {
			t.Error(err)
		}
		waiter <- ok
	}()
	time.Sleep(20 * time.Millisecond) // let it queue (if it has not, it runs after the leader anyway)
	close(release)
	if err := <-leader; err != nil {
		t.Fatal(err)
	}
	if !<-waiter {
		t.Error("the Hit that waited was refused")
	}
	if _, res := peek(t, st, backends.FixedWindow, t0, l); res[0].Remaining != 8 {
		t.Errorf("remaining %d, want 8: the leader and the waiter charged, the one that gave up not", res[0].Remaining)
	}
}

// TestReadOnlyDecisions: a Test, a refused Hit and a Hit of cost 0 write
// nothing (the document and its version stay as they were).
func TestReadOnlyDecisions(t *testing.T) {
	st := open(t)
	for _, s := range backends.Strategies() {
		client := "ro-" + s.String()
		l := lim(client, "s", 1, time.Hour)
		peek(t, st, s, t0, l)
		if ok, _ := hit(t, st, s, t0, with0(l)); !ok {
			t.Fatalf("%v: Hit of cost 0 refused", s)
		}
		if d := readDoc(t, st, st.Prefix(), client); d != nil {
			t.Fatalf("%v: a Test and a Hit of cost 0 wrote %+v", s, d)
		}
		hit(t, st, s, t0, l)
		before := readDoc(t, st, st.Prefix(), client)
		if ok, _ := hit(t, st, s, t0.Add(time.Second), l); ok {
			t.Fatalf("%v: second hit on a limit of 1 admitted", s)
		}
		hit(t, st, s, t0.Add(2*time.Second), with0(l))
		peek(t, st, s, t0.Add(3*time.Second), l)
		if after := readDoc(t, st, st.Prefix(), client); after == nil || before == nil || after.V != before.V {
			t.Errorf("%v: document %+v after a refusal, a Hit of cost 0 and a Test, want it as before: %+v", s, after, before)
		}
	}
}

func with0(l backends.Limit) backends.Limit {
	l.Cost = 0
	return l
}

// TestCloseDuringHungSweep: Close returns promptly even while the sweeper
// waits on a server that does not answer, also with timeout=0 (no bound
// beyond the context): the sweep in flight is cancelled, not awaited.
func TestCloseDuringHungSweep(t *testing.T) {
	px, uri := startProxy(t)
	var b [6]byte
	rand.Read(b[:])
	params := append(append([]string{"prefix=" + backendtest.UniquePrefix(t), "collection=test-" + hex.EncodeToString(b[:])}, serverParams()...), "timeout=0", "sweep=10ms")
	bs, err := backends.Open(backendtest.URIWithParams(uri, params...))
	if err != nil {
		t.Fatal(err)
	}
	st := bs.(*mongodb.Storage)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, err := mongo.Connect(options.Client().ApplyURI(serverURI(t))); err == nil {
			c.Database(st.Collection().Database().Name()).Collection(st.Collection().Name()).Drop(ctx)
			c.Disconnect(ctx)
		}
	})
	hit(t, st, backends.FixedWindow, t0, lim("hung", "s", 5, time.Hour))
	if _, sweeping := mongodb.ExpiryMode(st); !sweeping {
		st.Close()
		t.Skip("the server keeps a TTL index: no sweeper to hang")
	}
	time.Sleep(50 * time.Millisecond) // a few sweeps go through
	px.freeze()
	time.Sleep(100 * time.Millisecond) // the next sweep hangs
	closed := make(chan error, 1)
	go func() { closed <- st.Close() }()
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		px.unfreeze() // let Close end, so the test can
		<-closed
		t.Fatal("Close waited more than 3s for a sweep on a hung server")
	}
}

// TestBatchLeaderCancelled: the caller whose Hit runs a batch cancels its
// context while the batch is in flight; the other Hits of that batch, whose
// contexts are live, are still decided (not failed with the leader's
// context.Canceled).
func TestBatchLeaderCancelled(t *testing.T) {
	px, uri := startProxy(t)
	st := openAt(t, uri)
	l := lim("leader", "s", 10, time.Hour)
	release := make(chan struct{})
	inSecond := make(chan struct{})
	var calls atomic.Int32
	mongodb.SetBeforeWrite(st, func() {
		switch calls.Add(1) {
		case 1:
			<-release // hold the first batch while the others queue
		case 2:
			px.freeze() // the second batch's write waits on the server
			close(inSecond)
		}
	})
	req := func() *backends.Request { return &backends.Request{Now: t0, Limits: []backends.Limit{l}} }
	first := make(chan error, 1)
	go func() {
		_, err := st.Hit(context.Background(), req(), make([]backends.Result, 1))
		first <- err
	}()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// Two Hits queue: one without deadline, which will lead the next batch
	// (its context, bounded by the storage's 10s timeout, ends last), and
	// one with a 5s deadline.
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	defer cancelLeader()
	type outcome struct {
		ok  bool
		err error
	}
	leader, other := make(chan outcome, 1), make(chan outcome, 1)
	go func() {
		ok, err := st.Hit(leaderCtx, req(), make([]backends.Result, 1))
		leader <- outcome{ok, err}
	}()
	for mongodb.Queued(st) < 1 {
		time.Sleep(time.Millisecond)
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // within the storage's timeout
		defer cancel()
		ok, err := st.Hit(ctx, req(), make([]backends.Result, 1))
		other <- outcome{ok, err}
	}()
	for mongodb.Queued(st) < 2 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	<-inSecond
	time.Sleep(50 * time.Millisecond)
	cancelLeader() // the leader's caller goes away while the batch's write is in flight
	time.Sleep(50 * time.Millisecond)
	px.unfreeze()
	if o := <-other; o.err != nil || !o.ok {
		t.Errorf("Hit batched behind a cancelled leader: %v, %v; want admitted", o.ok, o.err)
	}
	<-leader // decided too (its charge stays) or failed: either is right
	_, res := peek(t, st, backends.FixedWindow, t0, l)
	if res[0].Remaining != 7 && res[0].Remaining != 8 {
		t.Errorf("remaining %d, want 7 or 8", res[0].Remaining)
	}
}

// TestCloseDuringHits: Hits in flight when Close disconnects the client
// fail with backends.ErrClosed (or succeed), never with a driver error of
// the pool Close shut, and no goroutine of the storage outlives Close.
func TestCloseDuringHits(t *testing.T) {
	serverURI(t)
	before := runtime.NumGoroutine()
	for round := 0; round < 5; round++ {
		st := open(t)
		hit(t, st, backends.FixedWindow, t0, lim("close", "s", 1<<40, time.Hour)) // settle the expiry
		var wg sync.WaitGroup
		errs := make(chan error, 1000)
		for g := 0; g < 20; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					l := lim(fmt.Sprint("close", g%5), "s", 1<<40, time.Hour)
					_, err := st.Hit(context.Background(), &backends.Request{Now: t0, Limits: []backends.Limit{l}}, make([]backends.Result, 1))
					if errors.Is(err, backends.ErrClosed) {
						return
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		time.Sleep(time.Duration(5+5*round) * time.Millisecond)
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("Hit racing Close: %v; want backends.ErrClosed", err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before Open", n, before)
	}
}

// TestUnacknowledgedWrites: with w=0 the server does not say whether a
// compare-and-swap matched, so a decision cannot tell a lost race from a
// charge that landed. Open refuses w=0, and a client configured so by the
// application (New) gets an error from Hit, never a charge repeated by
// retries.
func TestUnacknowledgedWrites(t *testing.T) {
	if _, err := backends.Open(backendtest.URIWithParams(serverURI(t), "w=0")); err == nil || !strings.Contains(err.Error(), "w=0") {
		t.Errorf("Open with w=0: %v; want an error that names w=0", err)
	}
	base := open(t)
	client, err := mongo.Connect(options.Client().ApplyURI(backendtest.URIWithParams(serverURI(t), serverParams()...)).SetWriteConcern(writeconcern.Unacknowledged()))
	if err != nil {
		t.Fatal(err)
	}
	st, err := mongodb.New(client, mongodb.Options{Database: base.Collection().Database().Name(), Collection: base.Collection().Name(), Prefix: base.Prefix(), Timeout: 2 * time.Second, CloseClient: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := lim("unack", "s", 10, time.Hour)
	hit(t, base, backends.FixedWindow, t0, l) // a document exists: the write is a compare-and-swap
	_, err = st.Hit(context.Background(), &backends.Request{Now: t0, Limits: []backends.Limit{l}}, make([]backends.Result, 1))
	if err == nil || !strings.Contains(err.Error(), "unacknowledged") {
		t.Errorf("Hit with an unacknowledged write concern: %v; want an error", err)
	}
	time.Sleep(100 * time.Millisecond) // let unacknowledged writes land
	if _, res := peek(t, base, backends.FixedWindow, t0, l); res[0].Remaining < 8 {
		t.Errorf("remaining %d after 2 Hits, want at least 8: retries charged again", res[0].Remaining)
	}
}

// TestForeignDocument: a document without a version, which no
// compare-and-swap can match, is an error at once, not retries until the
// timeout.
func TestForeignDocument(t *testing.T) {
	st := open(t, "timeout=5s")
	id := st.Prefix() + "LIMITER/{foreign}"
	if _, err := st.Collection().InsertOne(context.Background(), bson.D{{Key: "_id", Value: id}, {Key: "s", Value: bson.A{}}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res := make([]backends.Result, 1)
	_, err := st.Hit(context.Background(), &backends.Request{Now: time.Now(), Limits: []backends.Limit{lim("foreign", "s", 5, time.Minute)}}, res)
	if err == nil || !strings.Contains(err.Error(), "not written by limitgen") {
		t.Fatalf("Hit on a document without a version: %v; want an error saying so", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Hit took %v: it retried instead of failing at once", d)
	}
}
