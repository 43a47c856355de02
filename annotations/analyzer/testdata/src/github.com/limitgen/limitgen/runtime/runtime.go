// Package runtime is a stand-in for limitgen's runtime in the analyzer's
// GOPATH-style testdata: the analyzer only needs the Breach type's name.
package runtime

// Breach describes a breached limit.
type Breach struct{}
