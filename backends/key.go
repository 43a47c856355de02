package backends

import "strings"

// DefaultPrefix is the key prefix used when none is configured.
const DefaultPrefix = "LIMITER"

// Key returns the storage key of one counter, laid out as
//
//	prefix/{client}/scope/limit
//
// for example "LIMITER/{127.0.0.1}/example.fast/2 per 1 minute". The client key is
// wrapped in braces, a Redis Cluster hash tag, so every counter of one client
// lives in one hash slot and a request's limits can be decided in one place.
// Braces and percent signs inside client are escaped (%7B, %7D, %25) so a
// client cannot break out of its tag. scope is the route's qualified
// endpoint, "group.endpoint" such as "example.fast" (route and default
// limits are counted per endpoint, as in Flask-Limiter, and the runtime
// prefixes the endpoint with its group's name as Flask-Limiter prefixes a
// blueprint's endpoints, so two groups may both have an "index"; a group
// without a name gives the bare endpoint), a shared limit's name, or a fixed name for application ("global") and meta ("meta")
// limits; limit is the canonical text of the limit ("2 per 1 minute").
func Key(prefix, client, scope, limit string) string {
	return string(AppendKey(make([]byte, 0, len(prefix)+len(client)+len(scope)+len(limit)+5), prefix, client, scope, limit))
}

// AppendKey appends the key that Key returns to dst and returns the extended
// buffer. It allocates only when dst lacks capacity.
func AppendKey(dst []byte, prefix, client, scope, limit string) []byte {
	dst = append(dst, prefix...)
	dst = append(dst, "/{"...)
	if strings.ContainsAny(client, "{}%") {
		for i := 0; i < len(client); i++ {
			switch c := client[i]; c {
			case '{':
				dst = append(dst, "%7B"...)
			case '}':
				dst = append(dst, "%7D"...)
			case '%':
				dst = append(dst, "%25"...)
			default:
				dst = append(dst, c)
			}
		}
	} else {
		dst = append(dst, client...)
	}
	dst = append(dst, "}/"...)
	dst = append(dst, scope...)
	dst = append(dst, '/')
	dst = append(dst, limit...)
	return dst
}

// HashTag returns the part of key between the first '{' and the next '}',
// as Redis Cluster hashes it, or key itself when it has no non-empty tag.
// Keys with equal hash tags belong to one client.
func HashTag(key string) string {
	i := strings.IndexByte(key, '{')
	if i < 0 {
		return key
	}
	j := strings.IndexByte(key[i+1:], '}')
	if j <= 0 {
		return key
	}
	return key[i+1 : i+1+j]
}
