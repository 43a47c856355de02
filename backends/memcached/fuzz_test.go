package memcached

import (
	"bytes"
	"testing"

	"github.com/limitgen/limitgen/backends"
)

// FuzzParseItem: any bytes either parse into entries whose raw encodings
// rebuild the value exactly, or are refused; a decision over them never
// panics.
func FuzzParseItem(f *testing.F) {
	v := []byte{itemVersion}
	v = appendEntry(v, "P/{c}/s/1 per 1 second", 1e9, []byte("F\x02\x01"))
	v = appendEntry(v, "P/{c}/s/2 per 1 second", 2e9, []byte("M\x02\x01\x02\x01"))
	f.Add(v)
	f.Add([]byte{})
	f.Add([]byte("L\x00\x00\x01S"))
	f.Fuzz(func(t *testing.T, value []byte) {
		es, err := parseItem(nil, value)
		if err != nil {
			return
		}
		var back []byte
		if len(value) > 0 {
			back = append(back, itemVersion)
		}
		for _, e := range es {
			back = append(back, e.raw...)
		}
		if !bytes.Equal(back, value) {
			t.Fatalf("entries do not rebuild %q: %q", value, back)
		}
		for _, strategy := range backends.Strategies() {
			for _, e := range es {
				req := &backends.Request{Strategy: strategy, Limits: []backends.Limit{{Key: string(e.key), Amount: 3, Window: 1e9, Cost: 1}}}
				d := newDecision(req, group{key: "k", idx: []int{0}}, make([]backends.Result, 1), true, DefaultMaxItemSize)
				_, _ = d.compute(value)
				d.release()
			}
		}
	})
}
