package annotations

import (
	"errors"
	"go/token"
	"strconv"
)

// argToken is one space-separated word of an annotation's arguments. A word
// may contain Go string literals ("…" or `…`), which may contain spaces,
// e.g. error="slow down".
type argToken struct {
	raw    string // as written
	off    int    // byte offset of raw in the comment text
	quoted bool   // the whole word is one string literal
	value  string // unquoted value when quoted
}

// lex splits text[from:] into words, reporting an unterminated or
// malformed string literal.
func (p *fileParser) lex(text string, from int, slash token.Pos) ([]argToken, bool) {
	var toks []argToken
	i := from
	for {
		for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
		if i >= len(text) {
			return toks, true
		}
		start := i
		for i < len(text) && text[i] != ' ' && text[i] != '\t' {
			if q := text[i]; q == '"' || q == '`' {
				n := quotedLen(text[i:])
				if n < 0 {
					p.errorf(slash+token.Pos(i), slash+token.Pos(len(text)), "unterminated string %s", text[i:])
					return nil, false
				}
				i += n
				continue
			}
			i++
		}
		t := argToken{raw: text[start:i], off: start}
		if c := t.raw[0]; (c == '"' || c == '`') && quotedLen(t.raw) == len(t.raw) {
			v, err := strconv.Unquote(t.raw)
			if err != nil {
				p.errorf(slash+token.Pos(start), slash+token.Pos(i), "malformed string %s: %v", t.raw, unquoteReason(err))
				return nil, false
			}
			t.quoted, t.value = true, v
		} else if c == '"' || c == '`' {
			n := quotedLen(t.raw)
			p.errorf(slash+token.Pos(start+n), slash+token.Pos(i), "unexpected %q right after the string %s; separate words with a space", t.raw[n:], t.raw[:n])
			return nil, false
		}
		toks = append(toks, t)
	}
}

// quotedLen returns the length of the string literal at the start of s
// (which starts with '"' or '`'), or -1 if it is not terminated.
func quotedLen(s string) int {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q:
			return i + 1
		}
	}
	return -1
}

// unquotePrefix unquotes s, which must be exactly one string literal.
func unquotePrefix(s string) (string, error) {
	n := quotedLen(s)
	if n < 0 {
		return "", errors.New("unterminated string")
	}
	if n != len(s) {
		return "", errors.New("unexpected " + strconv.Quote(s[n:]) + " after the closing quote")
	}
	v, err := strconv.Unquote(s)
	if err != nil {
		return "", unquoteReason(err)
	}
	return v, nil
}

func unquoteReason(err error) error {
	if errors.Is(err, strconv.ErrSyntax) {
		return errors.New("invalid escape sequence or newline (strings follow Go syntax)")
	}
	return err
}
