// Package runtime is what applications and limitgen's generated code import:
// the limit grammar, the Limiter with its options, client-key functions, the
// HTTP middleware with its headers and 429 responses, the route-table types
// that limits_gen.go fills, and introspection.
//
// Generated code imports it under the fixed alias limitgenrt, which also
// keeps it apart from the standard library's runtime package.
package runtime
