package memory

import (
	"testing"
	"unsafe"
)

// TestPrefetchWriteChangesNothing checks that the prefetch is only a hint:
// the bytes of the line asked for stay as they were.
func TestPrefetchWriteChangesNothing(t *testing.T) {
	var line [64]byte
	for i := range line {
		line[i] = byte(i*7 + 1)
	}
	want := line
	for i := range line {
		prefetchWrite(unsafe.Pointer(&line[i]))
	}
	if line != want {
		t.Fatalf("prefetchWrite changed the line: %v, want %v", line, want)
	}
}
