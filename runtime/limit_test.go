package runtime

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseLimits(t *testing.T) {
	cases := []struct {
		in   string
		want []Limit
		text string // canonical text, FormatLimits
	}{
		{"10 per minute", []Limit{{10, 1, Minute}}, "10 per 1 minute"},
		{"10/minute", []Limit{{10, 1, Minute}}, "10 per 1 minute"},
		{"5/2 seconds", []Limit{{5, 2, Second}}, "5 per 2 second"},
		{"5 per 2 seconds", []Limit{{5, 2, Second}}, "5 per 2 second"},
		{"5 per 2 second", []Limit{{5, 2, Second}}, "5 per 2 second"},
		{"1 per day", []Limit{{1, 1, Day}}, "1 per 1 day"},
		{"2 per hours", []Limit{{2, 1, Hour}}, "2 per 1 hour"},
		{"3 per 1 month", []Limit{{3, 1, Month}}, "3 per 1 month"},
		{"4/year", []Limit{{4, 1, Year}}, "4 per 1 year"},
		{"100 per 250 milliseconds", []Limit{{100, 250, Millisecond}}, "100 per 250 millisecond"},
		{"0 per second", []Limit{{0, 1, Second}}, "0 per 1 second"},
		{"10 PER MINUTE", []Limit{{10, 1, Minute}}, "10 per 1 minute"},
		{"10 Per 2 Minutes", []Limit{{10, 2, Minute}}, "10 per 2 minute"},
		{"  7  /  3  hours  ", []Limit{{7, 3, Hour}}, "7 per 3 hour"},
		{"\t7\t/\t3\thours\n", []Limit{{7, 3, Hour}}, "7 per 3 hour"},
		{"10per minute", []Limit{{10, 1, Minute}}, "10 per 1 minute"},
		{"10 per2 minutes", []Limit{{10, 2, Minute}}, "10 per 2 minute"},
		{"10 perminute", []Limit{{10, 1, Minute}}, "10 per 1 minute"},
		{"10perminute", []Limit{{10, 1, Minute}}, "10 per 1 minute"},
		{"1PERSECOND", []Limit{{1, 1, Second}}, "1 per 1 second"},
		{"3per2hours", []Limit{{3, 2, Hour}}, "3 per 2 hour"},
		{"5\u00a0per\u00a02\u00a0seconds", []Limit{{5, 2, Second}}, "5 per 2 second"},
		{"007/0010 seconds", []Limit{{7, 10, Second}}, "7 per 10 second"},
		{"2 per minute; 1 per second", []Limit{{2, 1, Minute}, {1, 1, Second}}, "2 per 1 minute; 1 per 1 second"},
		{"2/minute,1/second|5 per day", []Limit{{2, 1, Minute}, {1, 1, Second}, {5, 1, Day}}, "2 per 1 minute; 1 per 1 second; 5 per 1 day"},
		{"1 per 106751 days", []Limit{{1, 106751, Day}}, "1 per 106751 day"},
		{"9223372036854775807 per second", []Limit{{1<<63 - 1, 1, Second}}, "9223372036854775807 per 1 second"},
	}
	for _, c := range cases {
		got, err := ParseLimits(c.in)
		if err != nil {
			t.Errorf("ParseLimits(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseLimits(%q) = %+v, want %+v", c.in, got, c.want)
		}
		if s := FormatLimits(got); s != c.text {
			t.Errorf("FormatLimits(ParseLimits(%q)) = %q, want %q", c.in, s, c.text)
		}
		again, err := ParseLimits(c.text)
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("canonical text %q does not parse back: %+v, %v", c.text, again, err)
		}
	}
}

func TestLimitWindowAndString(t *testing.T) {
	for _, c := range []struct {
		l    Limit
		w    time.Duration
		text string
	}{
		{Limit{5, 2, Second}, 2 * time.Second, "5 per 2 second"},
		{Limit{1, 1, Month}, 30 * 24 * time.Hour, "1 per 1 month"},
		{Limit{1, 2, Year}, 2 * 360 * 24 * time.Hour, "1 per 2 year"},
		{Limit{3, 10, Millisecond}, 10 * time.Millisecond, "3 per 10 millisecond"},
	} {
		if got := c.l.Window(); got != c.w {
			t.Errorf("%+v.Window() = %v, want %v", c.l, got, c.w)
		}
		if got := c.l.String(); got != c.text {
			t.Errorf("%+v.String() = %q, want %q", c.l, got, c.text)
		}
	}
	if got := Unit(0).String(); got != "unit(0)" {
		t.Errorf("Unit(0).String() = %q", got)
	}
	if got := Unit(99).Duration(); got != 0 {
		t.Errorf("Unit(99).Duration() = %v", got)
	}
}

func TestParseLimitsErrors(t *testing.T) {
	cases := []struct {
		in     string
		offset int
		text   string
		msg    string // substring of the message
	}{
		{"", 0, "", "empty limit"},
		{"   ", 3, "", "empty limit"},
		{"10 per minute;", 14, "", "empty item"},
		{"10 per minute; ", 15, "", "empty item"},
		{";10 per minute", 0, "", "empty item"},
		{"1/second;;2/second", 9, "", "empty item"},
		{"1/second, |2/second", 10, "", "empty item"},
		{"1.5 per second", 0, "1.5 per second", "whole number"},
		{"1e3 per second", 0, "1e3 per second", "whole number"},
		{"10 per 1.5 seconds", 0, "10 per 1.5 seconds", "multiple must be a whole number"},
		{"-1 per second", 0, "-1 per second", "negative"},
		{"10 per -1 second", 0, "10 per -1 second", "negative"},
		{"10 per 0 minutes", 0, "10 per 0 minutes", "at least one unit"},
		{"10 per fortnight", 0, "10 per fortnight", `unknown unit "fortnight"`},
		{"10 per secondss", 0, "10 per secondss", `unknown unit "secondss"`},
		{"10 per minute extra", 0, "10 per minute extra", "unknown unit"},
		{"10 per", 0, "10 per", "missing unit"},
		{"10 per ", 0, "10 per", "missing unit"},
		{"10 / ", 0, "10 /", "missing unit"},
		{"10 per 5", 0, "10 per 5", "missing unit"},
		{"10 minute", 0, "10 minute", `want "per" or "/"`},
		{"10 perminutes ago", 0, "10 perminutes ago", `unknown unit "minutes ago"`},
		{"10 persons", 0, "10 persons", `unknown unit "sons"`},
		{"per minute", 0, "per minute", "whole number of hits first"},
		{"ten per minute", 0, "ten per minute", "whole number of hits first"},
		{"99999999999999999999 per second", 0, "99999999999999999999 per second", "too large"},
		{"1 per 99999999999999999999 seconds", 0, "1 per 99999999999999999999 seconds", "too large"},
		{"1 per 106752 days", 0, "1 per 106752 days", "too long"},
		{"1 per 9223372036854775807 milliseconds", 0, "1 per 9223372036854775807 milliseconds", "too long"},
		{"1/second; 2 per fortnight", 10, "2 per fortnight", "unknown unit"},
		{"1/second |  x", 12, "x", "whole number of hits first"},
		{"1/second,\n\t2 per eon", 11, "2 per eon", `unknown unit "eon"`},
		{"1/second;\v2 per eon", 10, "2 per eon", `unknown unit "eon"`},
		{"1/second;\u00a02 per eon", 11, "2 per eon", `unknown unit "eon"`},
	}
	for _, c := range cases {
		ls, err := ParseLimits(c.in)
		var le *LimitError
		if !errors.As(err, &le) {
			t.Errorf("ParseLimits(%q) = %+v, %v; want a *LimitError", c.in, ls, err)
			continue
		}
		if le.Input != c.in || le.Offset != c.offset || le.Text != c.text || !strings.Contains(le.Msg, c.msg) {
			t.Errorf("ParseLimits(%q): error {Offset %d, Text %q, Msg %q}, want {Offset %d, Text %q, Msg containing %q}",
				c.in, le.Offset, le.Text, le.Msg, c.offset, c.text, c.msg)
		}
		if !strings.HasPrefix(le.Input[le.Offset:], le.Text) {
			t.Errorf("ParseLimits(%q): Text %q is not at Offset %d", c.in, le.Text, le.Offset)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "runtime: ") || !strings.Contains(msg, `"`+c.text+`"`) && !strings.Contains(msg, c.text) {
			t.Errorf("ParseLimits(%q): message %q does not quote %q", c.in, msg, c.text)
		}
	}
}

func TestParseLimit(t *testing.T) {
	l, err := ParseLimit(" 3/hour ")
	if err != nil || l != (Limit{3, 1, Hour}) {
		t.Errorf("ParseLimit = %+v, %v", l, err)
	}
	for _, in := range []string{"1/second; 2/minute", "", "x"} {
		var le *LimitError
		if _, err := ParseLimit(in); !errors.As(err, &le) || le.Input != in {
			t.Errorf("ParseLimit(%q) = %v, want a *LimitError", in, err)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParseLimits of a bad string did not panic")
		}
	}()
	if got := MustParseLimits("1/day"); len(got) != 1 {
		t.Errorf("MustParseLimits = %v", got)
	}
	MustParseLimits("1/eon")
}
