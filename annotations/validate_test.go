package annotations

import (
	"slices"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/runtime"
)

// prelude is prepended to every validation source: handlers need net/http
// and on-breach funcs the runtime's Breach.
const prelude = `package p

import (
	"net/http"

	"github.com/limitgen/limitgen/runtime"
)

var _ *runtime.Breach

`

// preludeLines is the number of lines prelude takes, for positions.
var preludeLines = strings.Count(prelude, "\n")

func TestValidateModel(t *testing.T) {
	src := `//limit:"100 per hour" key=clientKey
//limit:exempt meta
package p

import (
	"net/http"

	"github.com/limitgen/limitgen/runtime"
)

const heavy = 5

type weight int64

const typedCost weight = 3

func clientKey(r *http.Request) string { return r.RemoteAddr }
func cost(r *http.Request) int64       { return 1 }
func isAdmin(r *http.Request) bool     { return false }
func failed(r *http.Request, status int) bool { return status >= 400 }
func logBreach(w http.ResponseWriter, r *http.Request, b *runtime.Breach) bool { return false }
func slowMessage(r *http.Request) string { return "slow down, " + r.URL.Path }

var keyVar runtime.KeyFunc = clientKey

// slow is rate limited.
//
//limit:route GET /slow
//limit:"1 per day" cost=heavy per-method methods=get,POST scope=slowness error="slow down"
//limit:"2/hour" cost=cost exempt-when=isAdmin deduct-when=failed on-breach=logBreach override-defaults=false error=slowMessage
func slow(w http.ResponseWriter, r *http.Request) {}

//limit:exempt
//limit:route /ping
func ping(w http.ResponseWriter, r *http.Request) {}

// Not annotated: not a route.
func other(w http.ResponseWriter, r *http.Request) {}

// Users is a class-based view.
//
//limit:"10 per minute" key=keyVar
type Users struct{}

//limit:route GET /users/{id}
func (u *Users) Get(w http.ResponseWriter, r *http.Request) {}

//limit:route POST /users
//limit:shared writes "5 per minute" cost=typedCost
func (u Users) Post(w http.ResponseWriter, r *http.Request) {}

// Not a handler: skipped.
func (u Users) helper() {}

//limit:exempt default
type Admin struct{}

func (Admin) List(w http.ResponseWriter, r *http.Request) {}

// Metrics is itself a handler.
//
//limit:route GET /metrics
//limit:shared writes "5/minute"
type Metrics struct{}

func (*Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {}

type Plain struct{}

//limit:"3 per second"
func (Plain) Show(w http.ResponseWriter, r *http.Request) {}
`
	fset, p, diags := checkSource(t, map[string]string{"a.go": src})
	if len(diags) > 0 {
		t.Fatalf("diagnostics:\n%s", strings.Join(formatDiags(fset, diags), "\n"))
	}
	want := `package p exempt=4
  rule [100 per 1 hour] shared= key=clientKey scope= per-method=false methods=[] cost=0//- error=""/- exempt-when=- deduct-when=- on-breach=- keep=false
route Admin.List kind=method func=List recv=Admin ptr=false pattern="" view=Admin exempt=1
route Metrics kind=type func= recv=Metrics ptr=true pattern="GET /metrics" view= exempt=0
  rule [5 per 1 minute] shared=writes key=- scope= per-method=false methods=[] cost=0//- error=""/- exempt-when=- deduct-when=- on-breach=- keep=false
route Plain.Show kind=method func=Show recv=Plain ptr=false pattern="" view=Plain exempt=0
  rule [3 per 1 second] shared= key=- scope= per-method=false methods=[] cost=0//- error=""/- exempt-when=- deduct-when=- on-breach=- keep=false
route Users.Get kind=method func=Get recv=Users ptr=true pattern="GET /users/{id}" view=Users exempt=0
  view [10 per 1 minute] shared= key=keyVar scope= per-method=false methods=[] cost=0//- error=""/- exempt-when=- deduct-when=- on-breach=- keep=false
route Users.Post kind=method func=Post recv=Users ptr=false pattern="POST /users" view=Users exempt=0
  view [10 per 1 minute] shared= key=keyVar scope= per-method=false methods=[] cost=0//- error=""/- exempt-when=- deduct-when=- on-breach=- keep=false
  rule [5 per 1 minute] shared=writes key=- scope= per-method=false methods=[] cost=3/typedCost/- error=""/- exempt-when=- deduct-when=- on-breach=- keep=false
route ping kind=func func=ping recv= ptr=false pattern="/ping" view= exempt=15
route slow kind=func func=slow recv= ptr=false pattern="GET /slow" view= exempt=0
  rule [1 per 1 day] shared= key=- scope=slowness per-method=true methods=[GET POST] cost=5/heavy/- error="slow down"/- exempt-when=- deduct-when=- on-breach=- keep=false
  rule [2 per 1 hour] shared= key=- scope= per-method=false methods=[] cost=0//cost error=""/slowMessage exempt-when=isAdmin deduct-when=failed on-breach=logBreach keep=true
`
	if got := render(p); got != want {
		t.Errorf("model:\n%s\nwant:\n%s", got, want)
	}
}

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name  string
		src   string // after prelude; positions in want count from line 1 of src
		diags []string
	}{
		{
			name: "bad limit strings point into the string",
			src: `//limit:"1 per day; 2 per fortnight"
//limit:"10 pr minute"
//limit:"  -1/second"
//limit:"1 per day;"
//limit:""
//limit:"1 per \x64ay; x"
func h(w http.ResponseWriter, r *http.Request) {}
`,
			diags: []string{
				`1:21: invalid limit "2 per fortnight" in "1 per day; 2 per fortnight": unknown unit "fortnight" (want second, minute, hour, day, month or year)`,
				`2:10: invalid limit "10 pr minute": want "per" or "/" after the amount`,
				`3:12: invalid limit "-1/second": amount must not be negative`,
				`4:20: invalid limit "" in "1 per day;": empty item between separators (want e.g. "10 per minute; 100 per hour")`,
				`5:10: invalid limit "": empty limit (want e.g. "10 per minute")`,
				`6:10: invalid limit "x" in "1 per day; x": want a whole number of hits first, e.g. "10 per minute"`,
			},
		},
		{
			name: "unknown and malformed options",
			src: `//limit:"1/day" kye=clientKey per_method cost=0 cost=2
//limit:"1/day" cost=-3 methods=GET,FETCH,get error=oops scope="a b" override-defaults=maybe
//limit:"1/day" key per-method="true" methods=,GET error="" scope
//limit:"1/day" key=pkg.Func
//limit:"1/day" key_func=clientKey error_message="x"
func h(w http.ResponseWriter, r *http.Request) {}

func clientKey(r *http.Request) string { return "" }
`,
			diags: []string{
				`1:17: unknown option "kye" (did you mean key?); options are key, cost, per-method, methods, scope, error, exempt-when, deduct-when, on-breach, override-defaults`,
				`1:31: unknown option "per_method" (did you mean per-method?); options are key, cost, per-method, methods, scope, error, exempt-when, deduct-when, on-breach, override-defaults`,
				`1:47: cost=0: want a positive whole number, an int constant or a func(*http.Request) int64 (runtime.CostFunc)`,
				`1:49: option cost given twice`,
				`2:22: cost=-3: want a positive whole number, an int constant or a func(*http.Request) int64 (runtime.CostFunc)`,
				`2:37: methods=GET,FETCH,get: "FETCH" is not an HTTP method (did you mean PATCH?)`,
				`2:53: error=oops: no func oops in package p; a message is quoted: error="oops"`,
				`2:64: scope="a b": use letters, digits, '_', '-' and '.'`,
				`2:88: override-defaults=maybe: want true or false`,
				`3:17: option key needs a value, e.g. key=clientKey`,
				`3:32: per-method="true": want true or false`,
				`3:47: methods=,GET: empty method`,
				`3:58: error="": the message is empty`,
				`3:61: option scope needs a value, e.g. scope=search`,
				`4:21: key=pkg.Func: name a func of this package (wrap funcs of other packages in one) with signature func(*http.Request) string (runtime.KeyFunc)`,
				`5:17: unknown option "key_func" (did you mean key?); options are key, cost, per-method, methods, scope, error, exempt-when, deduct-when, on-breach, override-defaults`,
				`5:36: unknown option "error_message" (did you mean error?); options are key, cost, per-method, methods, scope, error, exempt-when, deduct-when, on-breach, override-defaults`,
			},
		},
		{
			name: "funcs named by options",
			src: `//limit:"1/day" key=clientKee exempt-when=clientKey deduct-when=T on-breach=onBreach cost=costF
//limit:"2/day" cost=half cost2=x
//limit:"3/day" cost=big
//limit:"4/day" cost=neg key=generic
func h(w http.ResponseWriter, r *http.Request) {}

func clientKey(r *http.Request) string { return "" }
func onBreach(w http.ResponseWriter, r *http.Request) {}
func costF(r *http.Request) int { return 1 }
func generic[T any](r *http.Request) string { return "" }

type T int

const half = 0.5
const big = 1 << 70
const neg = -1
`,
			diags: []string{
				`1:21: key=clientKee: no func clientKee in package p (did you mean clientKey?)`,
				`1:43: exempt-when=clientKey: clientKey has type func(r *http.Request) string, want func(*http.Request) bool (runtime.ExemptFunc)`,
				`1:65: deduct-when=T: T is a type, want a func with signature func(*http.Request, int) bool (runtime.DeductFunc)`,
				`1:77: on-breach=onBreach: onBreach has type func(w http.ResponseWriter, r *http.Request), want func(http.ResponseWriter, *http.Request, *runtime.Breach) bool (runtime.BreachFunc)`,
				`1:91: cost=costF: costF has type func(r *http.Request) int, want func(*http.Request) int64 (runtime.CostFunc)`,
				`2:22: cost=half: constant half = 0.5 is not a positive whole number`,
				`2:27: unknown option "cost2" (did you mean cost?); options are key, cost, per-method, methods, scope, error, exempt-when, deduct-when, on-breach, override-defaults`,
				`3:22: cost=big: constant big = 1180591620717411303424 is not a positive whole number`,
				`4:22: cost=neg: constant neg = -1 is not a positive whole number`,
				`4:30: key=generic: generic has type func[T any](r *http.Request) string, want func(*http.Request) string (runtime.KeyFunc)`,
			},
		},
		{
			name: "dynamic limits",
			src: `//limit:dynamic plan key=clientKey
//limit:dynamic plann
//limit:dynamic clientKeyInt
//limit:dynamic "1/day"
//limit:dynamic
//limit:dynamic plan cost=0
func h(w http.ResponseWriter, r *http.Request) {}

func plan(r *http.Request) string { return "1 per second" }
func clientKey(r *http.Request) string { return "" }
func clientKeyInt(r *http.Request) int { return 0 }
`,
			diags: []string{
				`2:17: //limit:dynamic plann: no func plann in package p (did you mean plan?)`,
				`3:17: //limit:dynamic clientKeyInt: clientKeyInt has type func(r *http.Request) int, want func(*http.Request) string`,
				`4:9: //limit:dynamic needs the name of a func giving the limits per request, e.g. //limit:dynamic planLimits`,
				`5:9: //limit:dynamic needs the name of a func giving the limits per request, e.g. //limit:dynamic planLimits`,
				`6:27: cost=0: want a positive whole number, an int constant or a func(*http.Request) int64 (runtime.CostFunc)`,
			},
		},
		{
			name: "exempt",
			src: `//limit:exempt
//limit:"1/day"
func a(w http.ResponseWriter, r *http.Request) {}

//limit:exempt defualt,route,route
//limit:exempt
func b(w http.ResponseWriter, r *http.Request) {}

//limit:exempt default
//limit:"1/day"
func c(w http.ResponseWriter, r *http.Request) {}
`,
			diags: []string{
				`1:1: //limit:exempt together with limits on func a: an exempt handler has no limits of its own; drop one, or write //limit:exempt default to skip only the default limits`,
				`5:16: unknown exempt flag "defualt" (did you mean default?); flags are default, application, meta, route`,
				`5:30: exempt flag "route" given twice`,
				`6:1: second //limit:exempt on func b; write its flags on one line`,
			},
		},
		{
			name: "routes",
			src: `//limit:route GET /a
//limit:route GET /b
func a(w http.ResponseWriter, r *http.Request) {}

//limit:route GET /a
func b(w http.ResponseWriter, r *http.Request) {}

//limit:route GET /items/{x}
func c(w http.ResponseWriter, r *http.Request) {}

//limit:route GET /items/{y}
func d(w http.ResponseWriter, r *http.Request) {}

//limit:route get /e
func e(w http.ResponseWriter, r *http.Request) {}

//limit:route GTE /f
func f(w http.ResponseWriter, r *http.Request) {}

//limit:route GET f
func g(w http.ResponseWriter, r *http.Request) {}

//limit:route GET /x/{a}/{a}
func h(w http.ResponseWriter, r *http.Request) {}

//limit:route GET /x/{rest...}/y
func i(w http.ResponseWriter, r *http.Request) {}

//limit:route GET /x/a{b}
func j(w http.ResponseWriter, r *http.Request) {}

//limit:route GET /x/{$}/y
func k(w http.ResponseWriter, r *http.Request) {}

//limit:route GET /x/../y
func l(w http.ResponseWriter, r *http.Request) {}

//limit:route GET {h}.com/x
func m(w http.ResponseWriter, r *http.Request) {}

//limit:route GET /x /y
func n(w http.ResponseWriter, r *http.Request) {}

//limit:route POST
func o(w http.ResponseWriter, r *http.Request) {}

//limit:route GET /{1x}
func q(w http.ResponseWriter, r *http.Request) {}

//limit:route GET /{x
func s(w http.ResponseWriter, r *http.Request) {}

//limit:route /ok/{$}
func u(w http.ResponseWriter, r *http.Request) {}
`,
			diags: []string{
				`2:1: second //limit:route on func a (it already has "GET /a"); one handler has one pattern`,
				`5:15: duplicate route pattern "GET /a": endpoint a already has it`,
				`11:15: route pattern "GET /items/{y}" conflicts with "GET /items/{x}" of endpoint c: a ServeMux cannot tell which one a request matches`,
				`14:15: invalid route pattern "get /e": method "get" must be upper case: GET`,
				`17:15: invalid route pattern "GTE /f": unknown HTTP method "GTE" (did you mean GET?)`,
				`20:19: invalid route pattern "GET f": path "f" must start with '/'`,
				`23:27: invalid route pattern "GET /x/{a}/{a}": wildcard name "a" is used twice`,
				`26:22: invalid route pattern "GET /x/{rest...}/y": {rest...} must be the last segment of the path`,
				`29:23: invalid route pattern "GET /x/a{b}": wildcard in "a{b}" must be a whole path segment, e.g. /items/{id}`,
				`32:22: invalid route pattern "GET /x/{$}/y": {$} must be the last segment of the path`,
				`35:19: invalid route pattern "GET /x/../y": path "/x/../y" is not clean (no //, /./ or /../) and can never match; write "/y"`,
				`38:19: invalid route pattern "GET {h}.com/x": host "{h}.com" must not contain wildcards`,
				`41:21: invalid route pattern "GET /x /y": unexpected space in "/x /y"; a pattern is "[METHOD ][host]/path"`,
				`44:15: invalid route pattern "POST": pattern "POST" has a method but no path`,
				`47:21: invalid route pattern "GET /{1x}": wildcard name "1x" is not a Go identifier`,
				`50:20: invalid route pattern "GET /{x": wildcard segment "{x" must end with '}'`,
			},
		},
		{
			name: "not handlers",
			src: `//limit:"1/day"
func notHandler(w http.ResponseWriter) {}

//limit:route GET /x
func notHandler2() {}

//limit:"1/day"
type NoMethods struct{}

//limit:route GET /view
type View struct{}

func (View) Get(w http.ResponseWriter, r *http.Request) {}

//limit:"1/day"
func (View) Helper(x int) {}

//limit:"1/day"
type Iface interface{ Get() }
`,
			diags: []string{
				`2:6: func notHandler has //limit: annotations but is not an HTTP handler: func notHandler has type func(w http.ResponseWriter), want func(http.ResponseWriter, *http.Request)`,
				`4:1: //limit:route on func notHandler2, which is not an HTTP handler: func notHandler2 has type func(), want func(http.ResponseWriter, *http.Request) or a type implementing http.Handler`,
				`8:6: type NoMethods has //limit: annotations but neither implements http.Handler nor has handler methods (func(http.ResponseWriter, *http.Request))`,
				`10:1: //limit:route on type View, which does not implement http.Handler; put //limit:route on each handler method of the view`,
				`16:13: method View.Helper has //limit: annotations but is not an HTTP handler: its type is func(x int), want func(http.ResponseWriter, *http.Request)`,
				`19:6: type Iface has //limit: annotations but neither implements http.Handler nor has handler methods (func(http.ResponseWriter, *http.Request))`,
			},
		},
		{
			name: "methods that the pattern never serves",
			src: `//limit:route GET /a
//limit:"1/day" methods=POST,PUT
//limit:"2/day" methods=head
//limit:"3/day" methods=GET
func a(w http.ResponseWriter, r *http.Request) {}

//limit:route /b
//limit:"1/day" methods=POST
func b(w http.ResponseWriter, r *http.Request) {}
`,
			diags: []string{
				`2:25: methods=POST,PUT: endpoint a only serves GET (pattern "GET /a"), so this rule never applies`,
			},
		},
		{
			name: "init funcs and generic types",
			src: `//limit:"1/day"
func init() {}

//limit:"1/day"
type G[T any] struct{}

func (G[T]) Get(w http.ResponseWriter, r *http.Request) {}

type H[T any] struct{}

//limit:"1/day"
func (*H[T]) Get(w http.ResponseWriter, r *http.Request) {}
`,
			diags: []string{
				`2:6: func init cannot be referenced, so it cannot be a handler; annotate a named handler func`,
				`5:6: generic type G cannot be a handler or a view: generated code cannot name its methods without type arguments`,
				`12:14: generic type H cannot be a handler or a view: generated code cannot name its methods without type arguments`,
			},
		},
		{
			name: "package clause and shared limits",
			src: `//limit:shared s "1 per day"
//limit:shared s "2 per day"
func a(w http.ResponseWriter, r *http.Request) {}

//limit:shared s "1/day" scope=x
//limit:shared bad! "1/day"
func b(w http.ResponseWriter, r *http.Request) {}
`,
			diags: []string{
				`2:19: shared limit "s" is "2 per 1 day" here but "1 per 1 day" on a; every use of a shared limit must declare the same limits`,
				`5:32: scope=x: a shared limit's name is its scope; drop scope=`,
				`6:16: shared limit name "bad!": use letters, digits, '_', '-' and '.'`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fset, _, diags := checkSource(t, map[string]string{"a.go": prelude + tt.src})
			var got []string
			for _, d := range formatDiags(fset, diags) {
				got = append(got, shiftLine(t, d, preludeLines))
			}
			if !slices.Equal(got, tt.diags) {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.diags, "\n"))
			}
		})
	}
}

// shiftLine turns "a.go:L:C: msg" into "L-delta:C: msg".
func shiftLine(t *testing.T, d string, delta int) string {
	t.Helper()
	rest, ok := strings.CutPrefix(d, "a.go:")
	if !ok {
		t.Fatalf("diagnostic %q not in a.go", d)
	}
	line, after, _ := strings.Cut(rest, ":")
	n := 0
	for _, c := range line {
		n = n*10 + int(c-'0')
	}
	return strings.TrimPrefix(strings.Repeat("0", 0), "") + itoa(n-delta) + ":" + after
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// TestValidateFiles covers a package of several files: package-clause
// annotations of all files add up, a second exempt is an error, and
// diagnostics come sorted by file and position.
func TestValidateFiles(t *testing.T) {
	fset, p, diags := checkSource(t, map[string]string{
		"b.go": `//limit:"2 per minute"
//limit:exempt meta
package p

import "net/http"

//limit:route GET /x
func x(w http.ResponseWriter, r *http.Request) {}
`,
		"a.go": `//limit:"1 per second"
//limit:exempt default
package p

import "net/http"

//limit:route GET /x
//limit:"1 per fortnight"
func y(w http.ResponseWriter, r *http.Request) {}
`,
	})
	got := formatDiags(fset, diags)
	wantDiags := []string{
		`a.go:8:10: invalid limit "1 per fortnight": unknown unit "fortnight" (want second, minute, hour, day, month or year)`,
		`b.go:2:1: package p is already exempt by another file's //limit:exempt`,
		`b.go:7:15: duplicate route pattern "GET /x": endpoint y already has it`,
	}
	if !slices.Equal(got, wantDiags) {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantDiags, "\n"))
	}
	if len(p.Rules) != 2 || p.Exempt != runtime.ExemptDefault || len(p.Routes) != 2 {
		t.Errorf("package model:\n%s", render(p))
	}
}

// TestValidateDynamic: //limit:dynamic names the func giving a rule's
// limits, with no literal limits, and takes the options of a limit string.
func TestValidateDynamic(t *testing.T) {
	_, p, diags := checkSource(t, map[string]string{"a.go": `package p

import "net/http"

//limit:dynamic plan key=clientKey cost=2
//limit:route GET /export
func export(w http.ResponseWriter, r *http.Request) {}

func plan(r *http.Request) string { return "1 per second" }
func clientKey(r *http.Request) string { return "" }
`})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if len(p.Routes) != 1 || len(p.Routes[0].Rules) != 1 {
		t.Fatalf("package model:\n%s", render(p))
	}
	r := p.Routes[0].Rules[0]
	if r.LimitsFunc == nil || r.LimitsFunc.Name != "plan" || len(r.Limits) != 0 || r.Key == nil || r.Key.Name != "clientKey" || r.Cost != 2 {
		t.Fatalf("rule %+v", r)
	}
}
