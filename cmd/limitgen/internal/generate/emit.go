package generate

import (
	"bytes"
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/annotations"
	"github.com/limitgen/limitgen/runtime"
)

// RuntimeAlias is the fixed name generated code imports the runtime under.
const RuntimeAlias = "limitgenrt"

// Emit renders the limits_gen.go of the package with import path pkgPath
// and name pkgName, whose validated annotations are g, as the runtime group
// named group: gofmt-formatted, and equal for equal input.
func Emit(pkgPath, pkgName, group string, g *annotations.Package) ([]byte, error) {
	f := jen.NewFilePathName(pkgPath, pkgName)
	f.HeaderComment(Header)
	f.ImportAlias(RuntimePath, RuntimeAlias)
	rt := func(name string) *jen.Statement { return jen.Qual(RuntimePath, name) }

	f.Comment("The generated code below fails to compile against a runtime that does")
	f.Comment("not support it.")
	f.Const().Id("_").Op("=").Add(rt("SupportPackageIsVersion1"))
	f.Line()

	f.Commentf("%s is the route table of group %q: every annotated handler of", GroupVar, group)
	f.Comment("this package with its limits. Register it with RegisterLimits, or with")
	f.Commentf("(*%s.Limiter).Mount together with other packages' groups.", RuntimeAlias)
	gf := fields{}
	gf.add("Name", jen.Lit(group))
	if len(g.Rules) > 0 {
		gf.add("Rules", rulesExpr(g.Rules))
	}
	if g.Exempt != 0 {
		gf.add("Exempt", exemptExpr(g.Exempt))
	}
	if len(g.Routes) > 0 {
		routes := make([]jen.Code, 0, len(g.Routes))
		for _, r := range g.Routes {
			routes = append(routes, routeExpr(r))
		}
		gf.add("Routes", jen.Index().Add(rt("Route")).CustomFunc(multiline, func(gr *jen.Group) {
			for _, c := range routes {
				gr.Add(c)
			}
		}))
	}
	f.Var().Id(GroupVar).Op("=").Add(rt("Group")).CustomFunc(multiline, func(g *jen.Group) {
		for _, c := range gf {
			g.Add(c)
		}
	})
	f.Line()

	f.Commentf("%s mounts every route of %s that has a pattern on mux, each", RegisterFunc, GroupVar)
	f.Comment("request decided by l first. It returns the error of Mount.")
	f.Func().Id(RegisterFunc).Params(
		jen.Id("l").Op("*").Add(rt("Limiter")),
		jen.Id("mux").Add(rt("Mux")),
	).Error().Block(
		jen.Return(jen.Id("l").Dot("Mount").Call(jen.Id("mux"), jen.Op("&").Id(GroupVar))),
	)
	for _, r := range g.Routes {
		name := WrapperName(r.Endpoint)
		f.Line()
		f.Commentf("%s returns the handler of endpoint %q limited by l, for", name, r.Endpoint)
		f.Comment("routers other than a runtime.Mux.")
		f.Func().Id(name).Params(jen.Id("l").Op("*").Add(rt("Limiter"))).Qual("net/http", "Handler").Block(
			jen.Return(jen.Id("l").Dot("Handler").Call(jen.Op("&").Id(GroupVar), jen.Lit(r.Endpoint))),
		)
	}

	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("limitgen: rendering %s: %v", pkgPath, err)
	}
	return buf.Bytes(), nil
}

// fields is a composite literal's keyed elements in the order written.
type fields []jen.Code

func (f *fields) add(name string, value jen.Code) {
	*f = append(*f, jen.Id(name).Op(":").Add(value))
}

// handlerExpr refers to a route's handler as an http.Handler. A view's
// method is taken from a new zero value of the view type, which serves
// value and pointer receivers alike.
func handlerExpr(r *annotations.Route) jen.Code {
	switch r.Kind {
	case annotations.MethodHandler:
		return jen.Qual("net/http", "HandlerFunc").Call(jen.New(jen.Id(r.Recv)).Dot(r.Func))
	case annotations.TypeHandler:
		return jen.New(jen.Id(r.Recv))
	}
	return jen.Qual("net/http", "HandlerFunc").Call(jen.Id(r.Func))
}

// multiline renders a composite literal's elements one per line.
var multiline = jen.Options{Open: "{", Close: "}", Separator: ",", Multi: true}

func routeExpr(r *annotations.Route) jen.Code {
	d := fields{}
	d.add("Endpoint", jen.Lit(r.Endpoint))
	if r.Pattern != "" {
		d.add("Pattern", jen.Lit(r.Pattern))
	}
	d.add("Handler", handlerExpr(r))
	if r.View != "" {
		d.add("View", jen.Lit(r.View))
	}
	if len(r.ViewRules) > 0 {
		d.add("ViewRules", rulesExpr(r.ViewRules))
	}
	if len(r.Rules) > 0 {
		d.add("Rules", rulesExpr(r.Rules))
	}
	if r.Exempt != 0 {
		d.add("Exempt", exemptExpr(r.Exempt))
	}
	return jen.Values(d...)
}

func rulesExpr(rs []annotations.Rule) jen.Code {
	return jen.Index().Qual(RuntimePath, "Rule").CustomFunc(multiline, func(g *jen.Group) {
		for _, r := range rs {
			g.Add(ruleExpr(r))
		}
	})
}

func ruleExpr(r annotations.Rule) jen.Code {
	d := fields{}
	if len(r.Limits) > 0 {
		d.add("Limits", jen.Index().Qual(RuntimePath, "Limit").ValuesFunc(func(g *jen.Group) {
			for _, l := range r.Limits {
				g.Values(
					jen.Id("Amount").Op(":").Lit(int(l.Amount)),
					jen.Id("Multiple").Op(":").Lit(int(l.Multiple)),
					jen.Id("Unit").Op(":").Qual(RuntimePath, unitName(l.Unit)),
				)
			}
		}))
	}
	fn := func(field string, ref *annotations.FuncRef) {
		if ref != nil {
			d.add(field, jen.Id(ref.Name))
		}
	}
	str := func(field, s string) {
		if s != "" {
			d.add(field, jen.Lit(s))
		}
	}
	fn("LimitsFunc", r.LimitsFunc)
	fn("Key", r.Key)
	str("Shared", r.Shared)
	str("Scope", r.Scope)
	if r.PerMethod {
		d.add("PerMethod", jen.True())
	}
	if len(r.Methods) > 0 {
		d.add("Methods", jen.Index().String().ValuesFunc(func(g *jen.Group) {
			for _, m := range r.Methods {
				g.Lit(m)
			}
		}))
	}
	switch {
	case r.CostConst != "":
		d.add("Cost", jen.Id(r.CostConst))
	case r.Cost != 0:
		d.add("Cost", jen.Lit(int(r.Cost)))
	}
	fn("CostFunc", r.CostFunc)
	str("ErrorMessage", r.ErrorMessage)
	fn("ErrorMessageFunc", r.ErrorMessageFunc)
	fn("ExemptWhen", r.ExemptWhen)
	fn("DeductWhen", r.DeductWhen)
	fn("OnBreach", r.OnBreach)
	if r.KeepDefaults {
		d.add("KeepDefaults", jen.True())
	}
	return jen.Values(d...)
}

// unitName returns the runtime constant naming u, e.g. "Day".
func unitName(u runtime.Unit) string {
	s := u.String()
	return string(s[0]-'a'+'A') + s[1:]
}

// exemptExpr writes an Exemption as its named flags, e.g.
// limitgenrt.ExemptDefault | limitgenrt.ExemptMeta.
func exemptExpr(e runtime.Exemption) jen.Code {
	if e == runtime.ExemptAll {
		return jen.Qual(RuntimePath, "ExemptAll")
	}
	var s *jen.Statement
	for _, f := range []struct {
		bit  runtime.Exemption
		name string
	}{
		{runtime.ExemptDefault, "ExemptDefault"},
		{runtime.ExemptApplication, "ExemptApplication"},
		{runtime.ExemptMeta, "ExemptMeta"},
		{runtime.ExemptRoute, "ExemptRoute"},
	} {
		if e&f.bit == 0 {
			continue
		}
		if s == nil {
			s = jen.Qual(RuntimePath, f.name)
		} else {
			s = s.Op("|").Qual(RuntimePath, f.name)
		}
	}
	return s
}
