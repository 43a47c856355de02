package memory

import "unsafe"

// PrefetchWrite lets BenchmarkFloor ask for a line as the store does.
func PrefetchWrite(p unsafe.Pointer) { prefetchWrite(p) }
