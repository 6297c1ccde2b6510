package policy

import (
	"github.com/newcitizens/rooted/internal/msg"

	"encoding/json"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/policies"
)

// FuzzLoadScheme: arbitrary YAML is refused or loaded, never a panic; a
// loaded scheme evaluates.
func FuzzLoadScheme(f *testing.F) {
	names, _ := fs.Glob(policies.FS, "*.yaml")
	for _, n := range names {
		b, _ := fs.ReadFile(policies.FS, n)
		f.Add(b)
	}
	if b, err := os.ReadFile("testdata/versions.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(schemeWith("        cap: 10\n        points: months", "")))
	f.Add([]byte("scheme: x\nversions: [{version: a, from: 2020-01-01}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "policy: fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, v := range s.Versions {
			r := v.Evaluate(s.NewInputs(), v.From)
			for i := range r.Items {
				_ = r.Explain(i, msg.EN)
			}
		}
	})
}

// FuzzDecodeLine: any line decodes or is refused with a message, never a
// panic, and a line that is not JSON is always refused.
func FuzzDecodeLine(f *testing.F) {
	for _, l := range []string{
		`{"id":"worked","birth_date":"1994-06-01","education":"college","skill_level":4,"insurance_months":36}`,
		`{"id":"a\u00e9\"","x":[1,{"y":null}],"id_number":"52010219900101123X"}`,
		`{"insurance_months":-1.5e3}`, `{`, `{"a":}`, `{"skill_level":1e400}`, "",
	} {
		f.Add([]byte(l))
	}
	s, err := Load("")
	if err != nil {
		f.Fatal(err)
	}
	v, _ := s.Version(asOfTest)
	d := newDecoder(s)
	b := v.NewBatch(1, asOfTest)
	f.Fuzz(func(t *testing.T, line []byte) {
		b.Reset(asOfTest)
		row := b.Add()
		id, msg := d.decodeLine(line, b, row, asOfTest)
		if msg == "" && !json.Valid(line) {
			t.Fatalf("accepted invalid JSON %q", line)
		}
		if id != nil && !json.Valid(id) {
			t.Fatalf("id token %q is not JSON", id)
		}
		b.Evaluate()
	})
}
