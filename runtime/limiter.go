package runtime

import (
	"errors"
	"net/http"
)

// Limiter decides requests against its storage. (Placeholder: the Limiter
// issue replaces this file; the two methods below are the API generated code
// calls and keep their signatures.)
type Limiter struct{}

// Mount registers every route of the groups that has a Pattern on mux,
// wrapped so that each request is decided by the limiter first. It returns
// an error for a duplicate or malformed pattern, registering nothing then.
func (l *Limiter) Mount(mux Mux, groups ...*Group) error {
	return errors.New("runtime: Mount not implemented yet")
}

// Handler returns the limited handler of the route named endpoint in g, for
// routers that are not a Mux. It panics if g has no such endpoint: generated
// code only asks for endpoints it declared.
func (l *Limiter) Handler(g *Group, endpoint string) http.Handler {
	panic("runtime: Handler not implemented yet")
}
