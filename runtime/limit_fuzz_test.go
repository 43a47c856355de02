package runtime

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseLimits checks that ParseLimits never panics, that every error
// is a *LimitError whose Text lies at Offset in Input, and that every
// parsed limit is valid and round-trips through its canonical text. The
// seed corpus runs in every plain `go test`.
func FuzzParseLimits(f *testing.F) {
	for _, s := range []string{
		"10 per minute", "10/minute", "5/2 seconds", "5 per 2 seconds", "1 per day; 2/hour, 3/second|4/year",
		"0 per second", "10 PER MINUTE", "100 per 250 milliseconds", "1/month", "  7 / 3 hours ",
		"", ";", "1/second;", "1.5 per second", "-1/second", "1 per -1 second", "1 per 0 second",
		"1 per fortnight", "99999999999999999999/second", "1 per 106752 days", "1/second;\v2/eon",
		"1/second;\u00a02 per eon", "per minute", "10 per", "10per2minutes", "10perminute", "1 persecond", "1/s", "\x00", "1/\xffsecond",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ls, err := ParseLimits(s)
		if err != nil {
			var le *LimitError
			if !errors.As(err, &le) {
				t.Fatalf("ParseLimits(%q): error %T %v is not a *LimitError", s, err, err)
			}
			if le.Input != s || le.Offset < 0 || le.Offset > len(s) || !strings.HasPrefix(s[le.Offset:], le.Text) {
				t.Fatalf("ParseLimits(%q): Offset %d, Text %q do not locate the offending text", s, le.Offset, le.Text)
			}
			if le.Msg == "" || err.Error() == "" {
				t.Fatalf("ParseLimits(%q): empty message", s)
			}
			return
		}
		if len(ls) == 0 {
			t.Fatalf("ParseLimits(%q) returned no limits and no error", s)
		}
		for _, l := range ls {
			if l.Amount < 0 || l.Multiple < 1 || l.Unit.Duration() == 0 || l.Window() <= 0 {
				t.Fatalf("ParseLimits(%q) returned an invalid limit %+v", s, l)
			}
			back, err := ParseLimit(l.String())
			if err != nil || back != l {
				t.Fatalf("%+v: String %q parses to %+v, %v", l, l.String(), back, err)
			}
		}
		again, err := ParseLimits(FormatLimits(ls))
		if err != nil || !reflect.DeepEqual(again, ls) {
			t.Fatalf("ParseLimits(%q): FormatLimits %q parses to %+v, %v", s, FormatLimits(ls), again, err)
		}
	})
}
