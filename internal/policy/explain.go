package policy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/jsonx"
	"github.com/newcitizens/rooted/internal/msg"
)

// template is a parsed explanation: literal text and placeholders. Each
// literal is kept twice, as is and escaped for a JSON string, so rendering
// into JSON output is appends only.
type template []segment

type segment struct {
	lit, litJSON string
	ref          refKind
	in           *Input // refInput
}

type refKind uint8

const (
	refNone refKind = iota
	refInput
	refAge
	refPoints
	refRaw
	refCap
)

// parseTemplate reads text with {name} placeholders: a declared input,
// age, points (after the cap), raw (before it) or cap.
func parseTemplate(s *Scheme, text string) (template, error) {
	var t template
	for text != "" {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			t = append(t, literal(text))
			break
		}
		if i > 0 {
			t = append(t, literal(text[:i]))
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("unclosed { in %q", text)
		}
		name := text[i+1 : i+j]
		seg := segment{}
		switch name {
		case "age":
			if s.birthSlot < 0 {
				return nil, fmt.Errorf("{age} needs a date input named birth_date")
			}
			seg.ref = refAge
		case "points":
			seg.ref = refPoints
		case "raw":
			seg.ref = refRaw
		case "cap":
			seg.ref = refCap
		default:
			x, ok := s.Input(name)
			if !ok {
				return nil, fmt.Errorf("unknown placeholder {%s}: want an input, age, points, raw or cap", name)
			}
			seg.ref, seg.in = refInput, x
		}
		t = append(t, seg)
		text = text[i+j+1:]
	}
	return t, nil
}

func literal(s string) segment {
	return segment{lit: s, litJSON: string(jsonx.AppendEscaped(nil, s))}
}

// appendExplain renders rule i's explanation in lang, JSON-escaped when
// json is set. get reads a register of the person explained.
func (v *Version) appendExplain(dst []byte, i int, lang msg.Lang, json bool, get func(reg int) float64) []byte {
	r := &v.Rules[i]
	t := r.tmpl[0]
	if lang == msg.EN {
		t = r.tmpl[1]
	}
	for k := range t {
		seg := &t[k]
		switch seg.ref {
		case refNone:
			if json {
				dst = append(dst, seg.litJSON...)
			} else {
				dst = append(dst, seg.lit...)
			}
		case refAge:
			dst = appendNum(dst, get(v.prog.ageReg))
		case refPoints:
			dst = appendNum(dst, get(v.prog.ruleReg[i]))
		case refRaw:
			dst = appendNum(dst, round2(get(v.prog.rawReg[i])))
		case refCap:
			dst = appendNum(dst, r.Cap)
		case refInput:
			dst = appendValue(dst, seg.in, get(seg.in.Slot), lang, json)
		}
	}
	return dst
}

// yes and no are the catalogue's words for a yes/no input, by whether the
// language is English, read once: explanations are rendered per person.
var (
	yes = map[bool]string{false: msg.T(msg.ZH, "policy.yes"), true: msg.T(msg.EN, "policy.yes")}
	no  = map[bool]string{false: msg.T(msg.ZH, "policy.no"), true: msg.T(msg.EN, "policy.no")}
)

// appendValue renders an input's encoded value for people: a number, a
// level's label, yes or no, a date.
func appendValue(dst []byte, in *Input, x float64, lang msg.Lang, json bool) []byte {
	switch in.Type {
	case Bool:
		if x != 0 {
			return append(dst, yes[lang == msg.EN]...)
		}
		return append(dst, no[lang == msg.EN]...)
	case Level:
		i := int(x)
		if i < 0 || i >= len(in.Levels) {
			return append(dst, '?')
		}
		l := in.Levels[i]
		label := l.Label.ZH
		if lang == msg.EN {
			label = l.Label.EN
		}
		if label == "" {
			label = l.Code
		}
		if json {
			return jsonx.AppendEscaped(dst, label)
		}
		return append(dst, label...)
	case Date:
		if x == 0 {
			return append(dst, '?')
		}
		return append(dst, date.Date(x).String()...)
	}
	return appendNum(dst, x)
}

// appendNum writes x rounded to two decimals without trailing zeros:
// 18, 12.5, 0.25.
func appendNum(dst []byte, x float64) []byte {
	// Called for every number of every explanation (about a hundred per
	// person scored), hence the care: one comparison for NaN, infinities
	// and numbers too large for cents, truncation for Floor, and single
	// digits by hand.
	if !(x > -1e15 && x < 1e15) {
		return strconv.AppendFloat(dst, x, 'g', -1, 64)
	}
	neg := x < 0
	if neg {
		x = -x
	}
	cents := int64(x*100 + 0.5 + 1e-7) // x ≥ 0: truncation is Floor
	if neg && cents != 0 {
		dst = append(dst, '-')
	}
	if whole := cents / 100; whole < 10 {
		dst = append(dst, byte('0'+whole))
	} else {
		dst = strconv.AppendInt(dst, whole, 10)
	}
	frac := cents % 100
	switch {
	case frac == 0:
	case frac%10 == 0:
		dst = append(dst, '.', byte('0'+frac/10))
	default:
		dst = append(dst, '.', byte('0'+frac/10), byte('0'+frac%10))
	}
	return dst
}

func fmtNum(x float64) string { return string(appendNum(nil, x)) }
