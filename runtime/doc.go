// Package runtime is what applications and limitgen's generated code import:
// the limit grammar, the Limiter with its options, client-key functions, the
// HTTP middleware with its headers and 429 responses, the route-table types
// that limits_gen.go fills, and introspection.
//
// Generated code imports it under the fixed alias limitgenrt, which also
// keeps it apart from the standard library's runtime package.
//
// # Deciding a request
//
// A Limiter knows routes through Register or Mount (generated code calls
// Mount with one Group per package). For each request of a route it
// resolves the limits as Flask-Limiter does:
//
//   - the route's own rules; the view's rules (class-based view) when the
//     route has none or all of its rules keep defaults; the group's rules
//     (blueprint) on the same condition;
//   - the limiter's default limits when no route-level rule remains or all
//     of them keep defaults, or when every route-level rule skips the
//     request's method;
//   - the application limits, one budget per client for every route;
//   - the meta limits, which refuse every request of a client that has
//     breached limits too often;
//   - minus the levels the route or its group is exempt from, the rules
//     whose methods or exempt-when exclude the request, and everything when
//     a request filter matches.
//
// All the limits of a request are decided in one storage call and admitted
// all-or-nothing, smallest unit first. Deduct-when limits are charged after
// the handler, from the status it wrote.
//
// Endpoint names are unique within a group, not across groups: two
// packages may both have an "index". A route's own and default limits count
// under its qualified name, "blog.index" (group, dot, endpoint, as
// Flask-Limiter names a blueprint's endpoints), which is the scope part of
// the storage key: "LIMITER/{192.0.2.1}/blog.index/2 per 1 minute".
//
// # Refused requests
//
// A refused request gets a 429 whose body names the limit ("2 per 1
// minute") or the rule's error message, as HTML or, when the client asks
// for JSON, as application/problem+json. WithBreachResponse replaces it for
// the limiter, Rule.BreachResponse (RuleBreachResponse) for one rule;
// OnBreach callbacks run first and may answer themselves.
//
// # Clients
//
// The default client key is RemoteAddress, the connection's address
// without port. Forwarded headers are read only through TrustedProxyKey
// and its options, never by default.
package runtime
