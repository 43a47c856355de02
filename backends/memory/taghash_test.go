package memory

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/backends"
)

// TestTagHashFollowsHashTag checks that keys with one hash tag hash alike
// whatever surrounds the tag, for tags of every length around the word
// size and any bytes, and that keys whose tag is the whole key are hashed
// whole.
func TestTagHashFollowsHashTag(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	randText := func(n int, alphabet string) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	const tagBytes = "0123456789abcdef.:{\x00\x80\xff"
	const outBytes = "/abcXYZ}"
	seed := r.Uint64()
	for n := 1; n <= 40; n++ {
		for range 50 {
			tag := randText(n, tagBytes)
			a := randText(r.IntN(12), outBytes) + "{" + tag + "}" + randText(r.IntN(20), outBytes+"{")
			b := randText(r.IntN(12), outBytes) + "{" + tag + "}" + randText(r.IntN(20), outBytes+"{")
			if backends.HashTag(a) != tag || backends.HashTag(b) != tag {
				t.Fatalf("test keys %q, %q do not have tag %q", a, b, tag)
			}
			ha, enda := tagHash(seed, a)
			hb, _ := tagHash(seed, b)
			if ha != hb {
				t.Fatalf("tagHash(%q) != tagHash(%q), both of tag %q", a, b, tag)
			}
			if want := strings.Index(a, "{"+tag+"}") + len(tag) + 2; enda != want {
				t.Fatalf("tagHash(%q) ends the tag at %d, want %d", a, enda, want)
			}
		}
	}
	// Keys without a tag: no '{', an empty tag, an unclosed tag.
	for _, k := range []string{"plain", "a/{}/b", "a/{b", "{", "}", "", "0123456789abcdefg"} {
		if backends.HashTag(k) != k {
			t.Fatalf("HashTag(%q) = %q, want the key", k, backends.HashTag(k))
		}
		h, end := tagHash(seed, k)
		h2, _ := tagHash(seed, k)
		hx, _ := tagHash(seed, k+"x")
		if h != h2 || h == hx || end != 0 {
			t.Errorf("tagHash(%q) = %#x, %d: not a function of the whole key", k, h, end)
		}
	}
	// Different tags hash apart.
	h1, _ := tagHash(seed, "p/{10.0.0.1}/s")
	h2, _ := tagHash(seed, "p/{10.0.0.2}/s")
	if h1 == h2 {
		t.Error("two clients' tags hash alike")
	}
}

// TestShardBalance checks that many clients spread evenly over the shards:
// 64,000 IPv4 and 64,000 IPv6 clients put within 20% of the mean in every
// shard.
func TestShardBalance(t *testing.T) {
	s := mustNew(t, Config{})
	for _, format := range []string{"10.%d.%d.%d", "2001:db8::%x:%x:%x"} {
		counts := make([]int, len(s.shards))
		const n = 64000
		for i := range n {
			key := backends.Key(backends.DefaultPrefix, fmt.Sprintf(format, i>>16, i>>8&255, i&255), "index", "1 per 1 second")
			_, sh := s.locate(key)
			counts[sh]++
		}
		mean := n / len(counts)
		for i, c := range counts {
			if c < mean*8/10 || c > mean*12/10 {
				t.Errorf("%s: shard %d holds %d clients, mean %d", format, i, c, mean)
			}
		}
	}
}

// TestOneClientOneShard checks that every key of one client lands in one
// shard, which lets a request of several limits take one lock.
func TestOneClientOneShard(t *testing.T) {
	s := mustNew(t, Config{})
	_, want := s.locate(backends.Key("LIMITER", "10.0.0.1", "index", "2 per 1 minute"))
	for _, k := range []string{
		backends.Key("LIMITER", "10.0.0.1", "index", "1 per 1 second"),
		backends.Key("LIMITER", "10.0.0.1", "default", "1000 per 1 hour"),
		backends.Key("other", "10.0.0.1", "x", "5 per 1 day"),
	} {
		if _, got := s.locate(k); got != want {
			t.Errorf("key %q in shard %d, want %d", k, got, want)
		}
	}
}
