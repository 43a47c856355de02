// Limitgen-vet runs limitgen's annotation analyzer under go vet, so the
// problems `go generate` would report in //limit: annotations show up in
// `go vet` (and in CI) without generating code:
//
//	go build -o /tmp/limitgen-vet github.com/limitgen/limitgen/cmd/limitgen-vet
//	go vet -vettool=/tmp/limitgen-vet ./...
//
// or, in one line, from any module that requires limitgen:
//
//	go vet -vettool=$(go env GOPATH)/bin/limitgen-vet ./...   # after go install github.com/limitgen/limitgen/cmd/limitgen-vet@latest
//
// Diagnostics print as "file:line:col: message" and go vet exits with
// status 1 when there are any. Typos with an evident correction (//limits:,
// //limit:exmept, kye=, …) carry it as a suggested fix:
// `go vet -vettool=/tmp/limitgen-vet -fix ./...` applies them, adding
// -diff prints them instead. The analyzer is
// github.com/limitgen/limitgen/annotations/analyzer; the standard vet
// checks are not run by this tool (run plain `go vet` for those).
package main

import (
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/limitgen/limitgen/annotations/analyzer"
)

func main() { unitchecker.Main(analyzer.Analyzer) }
