package runtime

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Unit is the granularity a limit counts in.
type Unit uint8

// The units of the limit grammar. Month is 30 days and Year 360 days, as in
// Flask-Limiter's limits library. Millisecond is an extension.
const (
	Millisecond Unit = iota + 1
	Second
	Minute
	Hour
	Day
	Month
	Year
)

var unitNames = [...]string{
	Millisecond: "millisecond",
	Second:      "second",
	Minute:      "minute",
	Hour:        "hour",
	Day:         "day",
	Month:       "month",
	Year:        "year",
}

var unitDurations = [...]time.Duration{
	Millisecond: time.Millisecond,
	Second:      time.Second,
	Minute:      time.Minute,
	Hour:        time.Hour,
	Day:         24 * time.Hour,
	Month:       30 * 24 * time.Hour,
	Year:        360 * 24 * time.Hour,
}

// String returns the unit's singular name, e.g. "minute".
func (u Unit) String() string {
	if u == 0 || int(u) >= len(unitNames) {
		return "unit(" + strconv.Itoa(int(u)) + ")"
	}
	return unitNames[u]
}

// Duration returns the length of one unit; 0 for an invalid unit.
func (u Unit) Duration() time.Duration {
	if int(u) >= len(unitDurations) {
		return 0
	}
	return unitDurations[u]
}

// Limit is one parsed rate limit: Amount hits per Multiple Units, e.g.
// "2 per 1 minute". The zero value is not a valid limit.
type Limit struct {
	// Amount is the number of hits admitted per window; 0 admits none.
	Amount int64
	// Multiple is the number of units in the window; at least 1.
	Multiple int64
	// Unit is the window's granularity.
	Unit Unit
}

// Window returns the window length, Multiple × Unit, in nanoseconds.
func (l Limit) Window() time.Duration { return time.Duration(l.Multiple) * l.Unit.Duration() }

// String returns the canonical text "N per M unit" with the unit singular,
// as Flask-Limiter prints limits in 429 bodies and in its CLI: "5/2 seconds"
// prints "5 per 2 second".
func (l Limit) String() string {
	return strconv.FormatInt(l.Amount, 10) + " per " + strconv.FormatInt(l.Multiple, 10) + " " + l.Unit.String()
}

// LimitError is the error of ParseLimits: it quotes the offending text and
// gives its byte offset in the parsed string, so callers that know where the
// string came from (annotations, flags) can point at the exact column.
type LimitError struct {
	// Input is the whole string that was parsed.
	Input string
	// Offset is the byte offset in Input where the offending text starts.
	Offset int
	// Text is the offending text itself (may be empty for an empty item).
	Text string
	// Msg says what is wrong.
	Msg string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("runtime: invalid limit %q: %s", e.Text, e.Msg)
}

// ParseLimit parses exactly one limit; several limits are an error.
func ParseLimit(s string) (Limit, error) {
	ls, err := ParseLimits(s)
	if err != nil {
		return Limit{}, err
	}
	if len(ls) != 1 {
		return Limit{}, &LimitError{Input: s, Text: s, Msg: fmt.Sprintf("want one limit, found %d", len(ls))}
	}
	return ls[0], nil
}

// MustParseLimits is ParseLimits that panics on error, for limits written as
// constants in code.
func MustParseLimits(s string) []Limit {
	ls, err := ParseLimits(s)
	if err != nil {
		panic(err)
	}
	return ls
}

// ParseLimits parses one or more limits separated by ';', ',' or '|'. Each
// limit is written "N per [M] unit[s]", "N/unit" or "N/M unit[s]",
// case-insensitively, with spaces allowed (not required) around the parts,
// as the limits library reads them: "10perminute" is "10 per minute". Units are
// second, minute, hour, day, month (30 days), year (360 days) and the
// extension millisecond. Empty items, trailing separators, decimals,
// negatives, a zero multiple, unknown units and windows too long to count in
// nanoseconds are errors of type *LimitError. A zero amount is valid.
func ParseLimits(s string) ([]Limit, error) {
	var out []Limit
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != ';' && s[i] != ',' && s[i] != '|' {
			continue
		}
		l, err := parseOne(s, start, i)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
		start = i + 1
	}
	return out, nil
}

// parseOne parses s[from:to], one limit.
func parseOne(s string, from, to int) (Limit, error) {
	item := s[from:to]
	// Offset must point at Text, which TrimSpace trims of every Unicode
	// space, so the leading trim must use the same definition.
	lead := len(item) - len(strings.TrimLeftFunc(item, unicode.IsSpace))
	text := strings.TrimSpace(item)
	fail := func(msg string) (Limit, error) {
		return Limit{}, &LimitError{Input: s, Offset: from + lead, Text: text, Msg: msg}
	}
	if text == "" {
		if from == 0 && to == len(s) {
			return fail("empty limit (want e.g. \"10 per minute\")")
		}
		return fail("empty item between separators (want e.g. \"10 per minute; 100 per hour\")")
	}
	rest := text
	amountText, rest := leadingNumber(rest)
	if amountText == "" {
		if strings.HasPrefix(rest, "-") {
			return fail("amount must not be negative")
		}
		return fail("want a whole number of hits first, e.g. \"10 per minute\"")
	}
	amount, err := strconv.ParseInt(amountText, 10, 64)
	if err != nil {
		return fail("amount " + amountText + " is too large")
	}
	rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	switch lower := strings.ToLower(rest); {
	case strings.HasPrefix(lower, "/"):
		rest = rest[1:]
	case strings.HasPrefix(lower, "per"): // spaces around it optional, as in limits: "10perminute"
		rest = rest[3:]
	case strings.HasPrefix(lower, ".") || strings.HasPrefix(lower, "e"):
		return fail("amount must be a whole number")
	default:
		return fail("want \"per\" or \"/\" after the amount")
	}
	rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	multiple := int64(1)
	if multText, after := leadingNumber(rest); multText != "" {
		multiple, err = strconv.ParseInt(multText, 10, 64)
		if err != nil {
			return fail("multiple " + multText + " is too large")
		}
		if multiple == 0 {
			return fail("window must be at least one unit")
		}
		rest = strings.TrimLeftFunc(after, unicode.IsSpace)
		if strings.HasPrefix(rest, ".") {
			return fail("multiple must be a whole number")
		}
	} else if strings.HasPrefix(rest, "-") {
		return fail("multiple must not be negative")
	}
	unitText := strings.ToLower(strings.TrimSpace(rest))
	unit := unitByName(unitText)
	if unit == 0 {
		if unitText == "" {
			return fail("missing unit (second, minute, hour, day, month or year)")
		}
		return fail(fmt.Sprintf("unknown unit %q (want second, minute, hour, day, month or year)", strings.TrimSpace(rest)))
	}
	if multiple > math.MaxInt64/int64(unit.Duration()) {
		return fail("window is too long")
	}
	return Limit{Amount: amount, Multiple: multiple, Unit: unit}, nil
}

// leadingNumber splits s after its leading ASCII digits.
func leadingNumber(s string) (digits, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

func unitByName(name string) Unit {
	name = strings.TrimSuffix(name, "s")
	for u, n := range unitNames {
		if n != "" && n == name {
			return Unit(u)
		}
	}
	return 0
}

// FormatLimits joins limits with "; " in canonical text.
func FormatLimits(ls []Limit) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.String()
	}
	return strings.Join(parts, "; ")
}
