package alloc

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/apperr"
)

// FuzzParseInstance feeds arbitrary bytes to the decoder and validator.
// ParseInstance and Validate must never panic; an error must be one line with code
// invalid; an accepted document must be JSON that encoding/json reads the
// same way, must allocate without error into a result that keeps every
// invariant, and must survive a round trip through AppendJSON.
//
//	go test ./internal/alloc -run '^$' -fuzz FuzzParseInstance -fuzztime 60s
func FuzzParseInstance(f *testing.F) {
	f.Add(mustReadF(f, "testdata/example-in.json"))
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5 {
		f.Add(genInstance(rng, smallOptions(rng)).AppendJSON(nil))
	}
	for _, s := range []string{
		`{"seed":"s","schools":[{"id":"S","capacity":1e0,"district":"d"}],"applicants":[{"id":"A","points":-0,"district":"d","tiebreak":[1.5e-7],"preferences":["S"]}]}`,
		`{"seed":"\ud83d\ude00\u0000","schools":[],"applicants":[]}`,
		`{"seed":"s","schools":[{"id":"S","capacity":2}],"applicants":[{"id":"A","points":1,"preferences":["S","S"]}]}`,
		`{"seed":"s","schools":[],"applicants":[{"id":"A","points":1,"tiebreak":[],"preferences":[]},{"id":"B","points":1,"preferences":[]}]}`,
		`{"seed":"s","schools":[{"id":"S","capacity":-0.0}],"applicants":[]}`,
		`{"seed":"s","schools":[{"id":"S","capacity":1}],"applicants":[{"id":"A","points":1,"preferences":["S"]},{"id":"A","points":2,"preferences":[]}]}`,
		"{\"seed\":\"s\xff\"}",
		`[`, `{"seed":`, `{"seed":"s","schools":[{"id":"S","capacity":01}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ParseInstance(data)
		if err != nil {
			checkError(t, err)
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		checkAgainstStdlib(t, data, in)
		if err := in.Validate(); err != nil {
			checkError(t, err)
			if _, aerr := Allocate(in); aerr == nil || aerr.Error() != err.Error() {
				t.Fatalf("Validate says %v, Allocate %v", err, aerr)
			}
			return
		}
		r, err := Allocate(in)
		if err != nil {
			t.Fatalf("Validate accepted what Allocate refuses: %v", err)
		}
		checkResult(t, in, r)
		if out := r.AppendJSON(nil); !json.Valid(out) {
			t.Fatalf("output is not JSON: %q", out)
		}
		if _, err := ParseInstance(in.AppendJSON(nil)); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// checkError fails unless err is one line with code invalid.
func checkError(t *testing.T, err error) {
	t.Helper()
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("error of code %s: %v", apperr.CodeOf(err), err)
	}
	if strings.ContainsAny(err.Error(), "\n\r") {
		t.Fatalf("error of more than one line: %q", err)
	}
}

func mustReadF(f *testing.F, name string) []byte {
	f.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
