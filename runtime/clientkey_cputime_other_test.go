//go:build !unix

package runtime

import "testing"

func clientKeyCPU() int64                      { return 0 }
func reportClientKeyCPU(b *testing.B, _ int64) {}
