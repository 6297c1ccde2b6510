package jsonx

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	for _, tt := range []struct {
		name   string
		in     string // from the opening quote
		strict bool
		want   string
		fault  Fault
		pos    int // Pos after the call
	}{
		{"plain", `"abc",`, true, "abc", OK, 5},
		{"escapes", `"a\"\\\/\b\f\n\r\t"`, true, "a\"\\/\b\f\n\r\t", OK, 19},
		{"unicode escape", `"\u00e9\u4E2D"`, true, "é中", OK, 14},
		{"pair", `"\ud83d\ude00"`, true, "😀", OK, 14},
		{"utf-8 strict", `"新市民"`, true, "新市民", OK, 11},
		{"utf-8 lenient", `"新市民"`, false, "新市民", OK, 11},
		{"bad utf-8 strict", "\"a\xffb\"", true, "", BadUTF8, 2},
		{"bad utf-8 lenient", "\"a\xffb\"", false, "a\xffb", OK, 5},
		{"unterminated", `"abc`, true, "", Unterminated, 4},
		{"unterminated after escape", `"a\n`, false, "", Unterminated, 4},
		{"backslash last", `"a\`, false, "", Unterminated, 2},
		{"control", "\"a\tb\"", false, "", ControlChar, 2},
		{"control after escape", "\"\\n\x01\"", true, "", ControlChar, 3},
		{"bad escape", `"a\x"`, true, "", BadEscape, 2},
		{"bad hex", `"\u12g4"`, false, "", BadHex, 1},
		{"short hex", `"\u12`, true, "", BadHex, 1},
		{"lone high strict", `"\ud83dx"`, true, "", LoneSurrogate, 7},
		{"lone high lenient", `"\ud83dx"`, false, "\ufffdx", OK, 9},
		{"lone low lenient", `"\ude00"`, false, "\ufffd", OK, 8},
		{"high then not low, lenient", `"\ud83d\u0041"`, false, "\ufffdA", OK, 14},
		{"high then not low, strict", `"\ud83d\u0041"`, true, "", LoneSurrogate, 7},
		{"high then bad hex, lenient", `"\ud83d\u00"`, false, "", BadHex, 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := Scanner{Data: []byte(tt.in)}
			var scratch []byte
			got, fault := s.String(&scratch, tt.strict)
			if fault != tt.fault || s.Pos != tt.pos || fault == OK && string(got) != tt.want {
				t.Errorf("String(%q, strict %v) = %q, fault %d at %d; want %q, fault %d at %d", tt.in, tt.strict, got, fault, s.Pos, tt.want, tt.fault, tt.pos)
			}
		})
	}
}

func TestNumber(t *testing.T) {
	for _, tt := range []struct {
		in    string
		want  float64
		fault Fault
		pos   int
	}{
		{"0", 0, OK, 1},
		{"-0", math.Copysign(0, -1), OK, 2},
		{"86.5,", 86.5, OK, 4},
		{"-12.25}", -12.25, OK, 6},
		{"0.1", 0.1, OK, 3},
		{"01", 0, OK, 1}, // the caller sees the 1
		{"1e3", 1000, OK, 3},
		{"2.5E-3", 0.0025, OK, 6},
		{"123456789012345678", 123456789012345678, OK, 18},
		{"0.00000000000000000000000123", 1.23e-24, OK, 28},
		{"1e400", math.Inf(1), OK, 5},
		{"-1e400", math.Inf(-1), OK, 6},
		{"1e-400", 0, OK, 6},
		{"-", 0, NoDigits, 1},
		{"-x", 0, NoDigits, 1},
		{"x", 0, NoDigits, 0},
		{"1.", 0, NoFraction, 2},
		{"1.e5", 0, NoFraction, 2},
		{"1e", 0, NoExponent, 2},
		{"1e+", 0, NoExponent, 3},
	} {
		s := Scanner{Data: []byte(tt.in)}
		got, fault := s.Number()
		if fault != tt.fault || s.Pos != tt.pos || fault == OK && math.Float64bits(got) != math.Float64bits(tt.want) {
			t.Errorf("Number(%q) = %v, fault %d at %d; want %v, fault %d at %d", tt.in, got, fault, s.Pos, tt.want, tt.fault, tt.pos)
		}
	}
}

// TestNumberRounding checks the fast path against strconv on numbers of
// every length it takes: it must round as strconv does.
func TestNumberRounding(t *testing.T) {
	x := uint64(0x9E3779B97F4A7C15)
	for range 200000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		digits := strconv.FormatUint(x%1_000_000_000_000_000, 10)
		point := int(x>>56) % (len(digits) + 23)
		lit := digits // point digits from the right, as far as 22 zeros beyond them
		switch {
		case point == 0:
		case point < len(digits):
			lit = digits[:len(digits)-point] + "." + digits[len(digits)-point:]
		default:
			lit = "0." + strings.Repeat("0", point-len(digits)) + digits
		}
		if x&1 == 1 {
			lit = "-" + lit
		}
		want, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			t.Fatal(err)
		}
		s := Scanner{Data: []byte(lit)}
		got, fault := s.Number()
		if fault != OK || got != want || s.Pos != len(lit) {
			t.Fatalf("Number(%q) = %v, fault %d at %d; strconv gives %v", lit, got, fault, s.Pos, want)
		}
	}
}

func TestScannerBasics(t *testing.T) {
	s := Scanner{Data: []byte(" \t\r\n null  true")}
	if c := s.Peek(); c != 'n' || s.Pos != 5 {
		t.Fatalf("Peek = %q at %d, want 'n' at 5", c, s.Pos)
	}
	if s.Literal("nul!") || !s.Literal("null") || s.Pos != 9 {
		t.Fatalf("Literal: at %d, want 9", s.Pos)
	}
	if s.Eat('t') {
		t.Fatal("Eat skipped white space")
	}
	s.SkipSpace()
	if !s.Eat('t') || s.Pos != 12 {
		t.Fatalf("Eat: at %d, want 12", s.Pos)
	}
	if s.Literal("ruer") || !s.Literal("rue") || s.Peek() != 0 {
		t.Fatal("Literal past the end")
	}
}

func TestLineColumn(t *testing.T) {
	data := []byte("{\n  \"名字\": x\n}")
	for _, tt := range []struct{ pos, line, col int }{
		{0, 1, 1}, {1, 1, 2}, {2, 2, 1}, {4, 2, 3},
		{strings.Index(string(data), "x"), 2, 9}, // 名字 is two characters, six bytes
		{len(data), 3, 2}, {len(data) + 5, 3, 2},
	} {
		if line, col := LineColumn(data, tt.pos); line != tt.line || col != tt.col {
			t.Errorf("LineColumn(%d) = %d:%d, want %d:%d", tt.pos, line, col, tt.line, tt.col)
		}
	}
}

func TestAppend(t *testing.T) {
	for _, s := range []string{"", "plain", "quote \" backslash \\", "\n\r\t\x00\x1f\x7f", "新市民 😀", "bad \xff\xfe utf-8", "line\u2028para\u2029"} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		// encoding/json escapes <, > and & for HTML; none of the cases has one.
		if got := `"` + string(AppendEscaped(nil, s)) + `"`; got != string(want) {
			t.Errorf("AppendEscaped(%q) = %s, encoding/json gives %s", s, got, want)
		}
		wantString := strings.NewReplacer(`\u2028`, "\u2028", `\u2029`, "\u2029").Replace(string(want))
		if got := string(AppendString([]byte("x"), s)); got != "x"+wantString {
			t.Errorf("AppendString(%q) = %s, want x%s", s, got, wantString)
		}
	}
}
