//go:build !amd64 || purego

package memory

import "unsafe"

// prefetchWrite does nothing here: only amd64 has the prefetch (see
// prefetch_amd64.go), the only architecture on which it was measured. The
// purego build tag leaves it out there too.
func prefetchWrite(unsafe.Pointer) {}
