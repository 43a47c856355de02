package generate

import (
	"slices"

	"github.com/limitgen/limitgen/runtime"
)

// StaticCalls returns the constant runtime options found in results, in
// load order; for options set more than once the last call wins when they
// are applied, as it would in one runtime.New call.
func StaticCalls(results []*Result) []StaticCall {
	var out []StaticCall
	for _, r := range results {
		out = append(out, r.Static...)
	}
	return out
}

// NewLimiter returns a runtime.Limiter configured with the constant
// options found in results followed by extra, with the group of every
// annotated package registered without handlers: enough to print the tree
// (WriteLimits), inspect live state (Inspect) or clear counters (Clear) as
// the application would. The caller closes it.
func NewLimiter(results []*Result, extra ...runtime.Option) (*runtime.Limiter, error) {
	var opts []runtime.Option
	for _, c := range StaticCalls(results) {
		opts = append(opts, c.Option())
	}
	l, err := runtime.New(slices.Concat(opts, extra)...)
	if err != nil {
		return nil, err
	}
	var groups []*runtime.Group
	for _, r := range results {
		if r.Annotated() {
			groups = append(groups, r.RuntimeGroup())
		}
	}
	if err := l.Register(groups...); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}
