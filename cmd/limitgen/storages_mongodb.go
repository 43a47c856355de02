//go:build limitgen_mongodb

package main

// With -tags limitgen_mongodb the CLI reads and clears counters in MongoDB.
import _ "github.com/limitgen/limitgen/backends/mongodb"
