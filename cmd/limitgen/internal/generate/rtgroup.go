package generate

import (
	"net/http"

	"github.com/limitgen/limitgen/annotations"
	"github.com/limitgen/limitgen/runtime"
)

// RuntimeGroup returns the result's route table as a runtime.Group without
// handlers or funcs, for a Limiter that only inspects or clears counters.
func (r *Result) RuntimeGroup() *runtime.Group {
	g := &runtime.Group{Name: r.Group}
	if r.Model == nil {
		return g
	}
	g.Rules = runtimeRules(r.Model.Rules)
	g.Exempt = r.Model.Exempt
	for _, rt := range r.Model.Routes {
		g.Routes = append(g.Routes, runtime.Route{
			Endpoint:  rt.Endpoint,
			Pattern:   rt.Pattern,
			View:      rt.View,
			ViewRules: runtimeRules(rt.ViewRules),
			Rules:     runtimeRules(rt.Rules),
			Exempt:    rt.Exempt,
		})
	}
	return g
}

func runtimeRules(rs []annotations.Rule) []runtime.Rule {
	var out []runtime.Rule
	for _, r := range rs {
		var limitsFunc func(*http.Request) string
		if r.LimitsFunc != nil {
			// The application's func cannot run here: the commands see no
			// limits for the rule, as they list none for it.
			limitsFunc = func(*http.Request) string { return "" }
		}
		out = append(out, runtime.Rule{
			LimitsFunc:   limitsFunc,
			Limits:       r.Limits,
			Shared:       r.Shared,
			Scope:        r.Scope,
			PerMethod:    r.PerMethod,
			Methods:      r.Methods,
			Cost:         r.Cost,
			ErrorMessage: r.ErrorMessage,
			KeepDefaults: r.KeepDefaults,
		})
	}
	return out
}
