package jsonx

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"
	"unicode/utf8"
)

// FuzzString checks String against encoding/json: a strict string it
// accepts, encoding/json reads the same way, and one encoding/json refuses
// it refuses too; whatever the input, it does not panic and Pos stays in
// the data.
func FuzzString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\u00e9\ud83d\ude00"`, `"\ud83d"`, "\"\xff\"", `"a\`, `"\q"`, "\"\x01\"", `"新"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '"' {
			data = append([]byte{'"'}, data...)
		}
		for _, strict := range []bool{true, false} {
			s := Scanner{Data: data}
			var scratch []byte
			got, fault := s.String(&scratch, strict)
			if s.Pos < 0 || s.Pos > len(data) {
				t.Fatalf("Pos %d outside the data (%d bytes)", s.Pos, len(data))
			}
			if fault != OK {
				continue
			}
			var want string
			err := json.Unmarshal(data[:s.Pos], &want)
			if strict {
				if err != nil {
					t.Fatalf("strict String accepted %q, encoding/json refuses it: %v", data[:s.Pos], err)
				}
				if string(got) != want || !utf8.Valid(got) {
					t.Fatalf("strict String(%q) = %q, encoding/json reads %q", data[:s.Pos], got, want)
				}
			} else if err != nil && utf8.Valid(data) {
				t.Fatalf("String accepted %q, encoding/json refuses it: %v", data[:s.Pos], err)
			}
		}
	})
}

// FuzzNumber checks Number against strconv: what it reads, strconv reads
// to the same bits.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "-12.5", "1e400", "0.000000000000000000000001", "123456789012345678901", "01", "1.", "-"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := Scanner{Data: data}
		got, fault := s.Number()
		if s.Pos < 0 || s.Pos > len(data) {
			t.Fatalf("Pos %d outside the data (%d bytes)", s.Pos, len(data))
		}
		if fault != OK {
			return
		}
		lit := string(data[:s.Pos])
		want, err := strconv.ParseFloat(lit, 64)
		if err != nil && !math.IsInf(want, 0) {
			t.Fatalf("Number accepted %q, strconv refuses it: %v", lit, err)
		}
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("Number(%q) = %v, strconv gives %v", lit, got, want)
		}
		var v any
		if json.Unmarshal([]byte(lit), &v) != nil && !math.IsInf(want, 0) {
			t.Fatalf("Number accepted %q, which is not JSON", lit)
		}
	})
}

// FuzzAppend checks that what AppendString writes reads back as s (valid
// UTF-8) with encoding/json.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\n\x00", "新\u2028", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, b := range [][]byte{AppendString(nil, s), append(append([]byte{'"'}, AppendEscaped(nil, s)...), '"')} {
			var got string
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%q written as %s: encoding/json refuses it: %v", s, b, err)
			}
			if utf8.ValidString(s) && got != s {
				t.Fatalf("%q written as %s reads back as %q", s, b, got)
			}
		}
	})
}
