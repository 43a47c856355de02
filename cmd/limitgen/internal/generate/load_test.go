package generate

import (
	"go/token"
	"strconv"
	"testing"
)

func TestParsePos(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want token.Position
	}{
		{"", token.Position{}},
		{"-", token.Position{}},
		{"/a/b.go:12:7", token.Position{Filename: "/a/b.go", Line: 12, Column: 7}},
		{"/a/b.go:12", token.Position{Filename: "/a/b.go", Line: 12}},
		{"/a/b.go", token.Position{Filename: "/a/b.go"}},
		{`C:\a\b.go:3:4`, token.Position{Filename: `C:\a\b.go`, Line: 3, Column: 4}},
		{"/a:b/c.go:1:2", token.Position{Filename: "/a:b/c.go", Line: 1, Column: 2}},
	} {
		if got := parsePos(tc.in); got != tc.want {
			t.Errorf("parsePos(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

// FuzzParsePos: any input parses without panicking, and a position
// formatted as go/packages formats it comes back unchanged.
func FuzzParsePos(f *testing.F) {
	f.Add("/x/y.go", 3, 9)
	f.Add("a:b", 1, 1)
	f.Fuzz(func(t *testing.T, name string, line, col int) {
		_ = parsePos(name)
		if line <= 0 || col <= 0 || name == "" || name == "-" {
			return
		}
		if _, err := strconv.Atoi(name); err == nil {
			return // a bare number reads as a line, as it would to anyone
		}
		in := name + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col)
		want := token.Position{Filename: name, Line: line, Column: col}
		if got := parsePos(in); got != want {
			t.Fatalf("parsePos(%q) = %#v, want %#v", in, got, want)
		}
	})
}

func TestUndefinedGenerated(t *testing.T) {
	for msg, want := range map[string]bool{
		"undefined: RegisterLimits":          true,
		"undefined: blog.LimitGroup":         true,
		"undefined: users.LimitedUsersGet":   true,
		"undefined: Limited":                 false,
		"undefined: undefinedThing":          false,
		"undefined: fmt.Printx":              false,
		"cannot use x (RegisterLimits) as y": false,
	} {
		if got := undefinedGenerated(msg); got != want {
			t.Errorf("undefinedGenerated(%q) = %v, want %v", msg, got, want)
		}
	}
}
