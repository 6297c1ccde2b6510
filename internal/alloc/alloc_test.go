package alloc

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/msg"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func TestTicket(t *testing.T) {
	// Expected values from Python: hashlib.sha256(b"seed:id").hexdigest()[:16].
	for _, tt := range []struct {
		seed, id string
		want     uint64
	}{
		{"rooted-example-seed", "A1", 0xe8fc8a632c8355b6},
		{"s", "x", 0xb9cc050815a80145},
	} {
		if got := Ticket(tt.seed, tt.id); got != tt.want {
			t.Errorf("Ticket(%q, %q) = %#016x, want %#016x", tt.seed, tt.id, got, tt.want)
		}
	}
	if got, want := SeedSHA256("rooted-example-seed"), "b8bbc2decb1f5fe3740b44eeb285a965eb279cac9e1ea254ddb6210da3d2e333"; got != want {
		t.Errorf("SeedSHA256 = %s, want %s", got, want)
	}
}

// TestExample runs the public conformance example (a copy of
// shared/conformance/allocate-in.json) and checks it against the published
// assignments and against the golden output (go test -update rewrites it).
func TestExample(t *testing.T) {
	data := mustRead(t, "testdata/example-in.json")
	in, err := ParseInstance(data)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Allocate(in)
	if err != nil {
		t.Fatal(err)
	}
	var want struct{ Assignments map[string]*string }
	if err := json.Unmarshal(mustRead(t, "testdata/example-want.json"), &want); err != nil {
		t.Fatal(err)
	}
	if len(r.Assignments) != len(want.Assignments) {
		t.Fatalf("%d assignments, want %d", len(r.Assignments), len(want.Assignments))
	}
	for _, a := range r.Assignments {
		w := ""
		if p := want.Assignments[a.Applicant]; p != nil {
			w = *p
		}
		if a.School != w {
			t.Errorf("%s: got school %q, want %q", a.Applicant, a.School, w)
		}
	}
	checkResult(t, in, r)
	out := r.AppendJSON(nil)
	if !json.Valid(out) {
		t.Fatalf("output is not JSON:\n%s", out)
	}
	golden := filepath.Join("testdata", "example-out.json")
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := mustRead(t, golden); !bytes.Equal(out, want) {
		t.Errorf("output differs from %s (go test -update to accept)\ngot:\n%s\nwant:\n%s", golden, out, want)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// validInstance is a small round that passes validation; tests break it.
func validInstance() *Instance {
	return &Instance{
		Round: "r", Seed: "s",
		Schools: []School{{ID: "S1", Capacity: 1, District: "d"}, {ID: "S2", Capacity: 2}},
		Applicants: []Applicant{
			{ID: "A1", Points: 10, District: "d", Preferences: []string{"S1", "S2"}},
			{ID: "A2", Points: 20, Preferences: []string{"S2"}},
			{ID: "A3", Points: 20, Preferences: []string{}},
		},
	}
}

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		break_ func(in *Instance)
		want   string // in the message; "" for valid
	}{
		{"valid", func(in *Instance) {}, ""},
		{"no seed", func(in *Instance) { in.Seed = "" }, "missing seed"},
		{"school without id", func(in *Instance) { in.Schools[1].ID = "" }, "schools[1]: missing id"},
		{"duplicate school", func(in *Instance) { in.Schools[1].ID = "S1" }, `school "S1" (schools[1]): duplicate school id, first at schools[0]`},
		{"negative capacity", func(in *Instance) { in.Schools[1].Capacity = -1 }, `school "S2" (schools[1]): capacity -1`},
		{"huge capacity", func(in *Instance) { in.Schools[1].Capacity = MaxCapacity + 1 }, `school "S2" (schools[1]): capacity 2147483648`},
		{"applicant without id", func(in *Instance) { in.Applicants[2].ID = "" }, "applicants[2]: missing id"},
		{"duplicate applicant", func(in *Instance) { in.Applicants[2].ID = "A1" }, `applicant "A1" (applicants[2]): duplicate applicant id, first at applicants[0]`},
		{"NaN points", func(in *Instance) { in.Applicants[1].Points = nan() }, `applicant "A2" (applicants[1]): points NaN`},
		{"Inf points", func(in *Instance) { in.Applicants[1].Points = inf() }, `applicant "A2" (applicants[1]): points +Inf`},
		{"unknown school", func(in *Instance) { in.Applicants[0].Preferences[1] = "S9" }, `applicant "A1" (applicants[0]): preferences[1]: unknown school "S9"`},
		{"school twice", func(in *Instance) { in.Applicants[0].Preferences[1] = "S1" }, `applicant "A1" (applicants[0]): preferences[1]: school "S1" listed twice`},
		{"tiebreak on some", func(in *Instance) { in.Applicants[1].Tiebreak = []float64{1} }, `applicant "A2" (applicants[1]): has a tiebreak but applicants[0] has none`},
		{"tiebreak missing", func(in *Instance) {
			in.Applicants[0].Tiebreak = []float64{1}
			in.Applicants[1].Tiebreak = []float64{1}
		}, `applicant "A3" (applicants[2]): has no tiebreak but applicants[0] has one`},
		{"tiebreak lengths", func(in *Instance) {
			in.Applicants[0].Tiebreak = []float64{1}
			in.Applicants[1].Tiebreak = []float64{1, 2}
			in.Applicants[2].Tiebreak = []float64{1}
		}, `applicant "A2" (applicants[1]): tiebreak of 2 numbers, but applicants[0] has 1`},
		{"tiebreak NaN", func(in *Instance) {
			for i := range in.Applicants {
				in.Applicants[i].Tiebreak = []float64{1, 2}
			}
			in.Applicants[2].Tiebreak[1] = nan()
		}, `applicant "A3" (applicants[2]): tiebreak[1] NaN`},
		{"first problem in document order", func(in *Instance) {
			in.Applicants[2].ID = "A1"
			in.Applicants[1].Preferences = []string{"S7"}
		}, `applicant "A2" (applicants[1]): preferences[0]: unknown school "S7"`},
		{"id that would break the line", func(in *Instance) {
			in.Applicants[2].ID = "A1\nrooted: fine"
			in.Applicants[2].Preferences = []string{"S0"}
		}, `applicant "A1\nrooted: fine" (applicants[2])`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := validInstance()
			tt.break_(in)
			err := in.Validate()
			_, aerr := Allocate(in)
			switch {
			case tt.want == "" && (err != nil || aerr != nil):
				t.Fatalf("got errors %v, %v; want none", err, aerr)
			case tt.want == "":
				return
			case err == nil:
				t.Fatalf("got no error, want %q", tt.want)
			case !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n"):
				t.Fatalf("got %q\nwant one line containing %q", err, tt.want)
			case !apperr.Is(err, apperr.Invalid):
				t.Fatalf("got code %s, want invalid", apperr.CodeOf(err))
			case aerr == nil || aerr.Error() != err.Error():
				t.Fatalf("Allocate's error %v differs from Validate's %v", aerr, err)
			}
		})
	}
}

func TestParseInstanceErrors(t *testing.T) {
	const a1 = `{"id":"A1","points":1,"preferences":["S1"]}`
	const s1 = `{"id":"S1","capacity":1}`
	doc := func(schools, applicants string) string {
		return `{"round":"r","seed":"s","schools":[` + schools + `],"applicants":[` + applicants + `]}`
	}
	for _, tt := range []struct {
		name, in, want string
	}{
		{"empty", ``, "document: want an object, found the end of the input (line 1, column 1)"},
		{"not an object", `[]`, "document: want an object, found an array"},
		{"truncated", doc(s1, a1)[:40], "found the end of the input (line 1, column 41)"},
		{"trailing data", doc(s1, a1) + ` {}`, "unexpected an object after the document"},
		{"trailing comma", `{"seed":"s","schools":[],"applicants":[],}`, "want a field name in quotes"},
		{"unknown top field", `{"seed":"s","schools":[],"applicants":[],"sed":1}`, `document: unknown field "sed"`},
		{"repeated field", `{"seed":"s","seed":"t","schools":[],"applicants":[]}`, `document: field "seed" given twice`},
		{"missing seed", `{"schools":[],"applicants":[]}`, `document: missing field "seed"`},
		{"empty seed", `{"seed":"","schools":[],"applicants":[]}`, `missing seed`},
		{"null seed", `{"seed":null,"schools":[],"applicants":[]}`, `seed: want a string, found null`},
		{"missing schools", `{"seed":"s","applicants":[]}`, `document: missing field "schools"`},
		{"typo in capacity", doc(`{"id":"S1","capacty":4}`, ``), `school "S1" (schools[0]): unknown field "capacty"`},
		{"case in capacity", doc(`{"id":"S1","Capacity":4}`, ``), `unknown field "Capacity"`},
		{"missing capacity", doc(`{"id":"S1"}`, ``), `school "S1" (schools[0]): missing field "capacity"`},
		{"fractional capacity", doc(`{"id":"S1","capacity":2.5}`, ``), `school "S1" (schools[0]): capacity: 2.5: want a whole number`},
		{"negative capacity", doc(`{"id":"S1","capacity":-1}`, ``), `school "S1" (schools[0]): capacity: -1: want a whole number`},
		{"string capacity", doc(`{"id":"S1","capacity":"4"}`, ``), `school "S1" (schools[0]): capacity: want a number, found a string`},
		{"huge capacity", doc(`{"id":"S1","capacity":1e300}`, ``), `capacity: 1e300: want a whole number from 0 to 2147483647`},
		{"duplicate school", doc(s1+`,`+s1, ``), `school "S1" (schools[1]): duplicate school id, first at schools[0]`},
		{"missing points", doc(s1, `{"id":"A1","preferences":[]}`), `applicant "A1" (applicants[0]): missing field "points"`},
		{"string points", doc(s1, `{"id":"A1","points":"80"}`), `applicant "A1" (applicants[0]): points: want a number, found a string`},
		{"points out of range", doc(s1, `{"id":"A1","points":1e999}`), `points: number 1e999 is out of range`},
		{"bad number", doc(s1, `{"id":"A1","points":01}`), `points: a number may not start with 0`},
		{"bad number 2", doc(s1, `{"id":"A1","points":1.}`), `points: want digits after the decimal point`},
		{"NaN literal", doc(s1, `{"id":"A1","points":NaN}`), `points: want a number, found 'N'`},
		{"missing preferences", doc(s1, `{"id":"A1","points":1}`), `applicant "A1" (applicants[0]): missing field "preferences"`},
		{"preferences not strings", doc(s1, `{"id":"A1","points":1,"preferences":[1]}`), `applicant "A1" (applicants[0]): preferences[0]: want a string, found a number`},
		{"unknown school", doc(s1, `{"id":"A1","points":1,"preferences":["S1","S2"]}`), `applicant "A1" (applicants[0]): preferences[1]: unknown school "S2"`},
		{"school twice", doc(s1, `{"id":"A1","points":1,"preferences":["S1","S1"]}`), `applicant "A1" (applicants[0]): preferences[1]: school "S1" listed twice`},
		{"duplicate applicant", doc(s1, a1+`,`+a1), `applicant "A1" (applicants[1]): duplicate applicant id, first at applicants[0]`},
		{"tiebreak lengths", doc(s1, `{"id":"A1","points":1,"tiebreak":[1,2],"preferences":[]},{"id":"A2","points":1,"tiebreak":[1],"preferences":[]}`), `applicant "A2" (applicants[1]): tiebreak of 1 numbers, but applicants[0] has 2`},
		{"tiebreak on some", doc(s1, `{"id":"A1","points":1,"preferences":[]},{"id":"A2","points":1,"tiebreak":[1],"preferences":[]}`), `applicant "A2" (applicants[1]): has a tiebreak but applicants[0] has none`},
		{"tiebreak element", doc(s1, `{"id":"A1","points":1,"tiebreak":[1,"x"],"preferences":[]}`), `applicant "A1" (applicants[0]): tiebreak[1]: want a number, found a string`},
		{"invalid UTF-8", doc(s1, `{"id":"A`+"\xff"+`","points":1,"preferences":[]}`), `applicants[0]: id: invalid UTF-8 in a string`},
		{"control character", doc(s1, `{"id":"A`+"\t"+`","points":1,"preferences":[]}`), `applicants[0]: id: control character 0x09 in a string`},
		{"lone surrogate", doc(s1, `{"id":"A\ud800","points":1,"preferences":[]}`), `applicants[0]: id: bad \u escape: unpaired surrogate`},
		{"bad escape", doc(s1, `{"id":"A\x","points":1,"preferences":[]}`), `applicants[0]: id: bad escape "\\x" in a string`},
		{"line and column", "{\"seed\":\"s\",\n\"schools\":[\n  {\"id\":\"S1\",\"capacity\":true}]}", `school "S1" (schools[0]): capacity: want a number, found a boolean (line 3, column 25)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseInstance([]byte(tt.in))
			if err == nil {
				err = in.Validate()
			}
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got  %q\nwant one line containing %q", err, tt.want)
			}
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("got code %s, want invalid", apperr.CodeOf(err))
			}
		})
	}
}

// TestInstanceErrorsInChinese checks that a refused document's error is
// rendered in the reader's language, the location and the token found
// included, while Error() stays the English sentence.
func TestInstanceErrorsInChinese(t *testing.T) {
	for _, tt := range []struct {
		name, in, zh string
	}{
		{"syntax", "{\"seed\":\"s\",\n\"schools\":[\n  {\"id\":\"S1\",\"capacity\":true}]}", `学校 "S1"（schools[0]）：capacity：需要数字，实际为布尔值（第 3 行，第 25 列）`},
		{"validation", `{"seed":"s","schools":[{"id":"S1","capacity":1}],"applicants":[{"id":"A1","points":1,"preferences":["S2"]}]}`, `申请人 "A1"（applicants[0]）：preferences[0]：未知学校 "S2"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseInstance([]byte(tt.in))
			if err == nil {
				err = in.Validate()
			}
			got, ok := apperr.Render(err, msg.ZH)
			if !ok || got != tt.zh {
				t.Errorf("Render(zh) = %q, %v; want %q", got, ok, tt.zh)
			}
			if en, _ := apperr.Render(err, msg.EN); en != err.Error() {
				t.Errorf("Render(en) = %q, Error() = %q; want the same", en, err.Error())
			}
		})
	}
}

func TestParseInstanceAccepts(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		check    func(in *Instance) bool
	}{
		{"whole capacity written with a point", `{"seed":"s","schools":[{"id":"S","capacity":45.0}],"applicants":[]}`,
			func(in *Instance) bool { return in.Schools[0].Capacity == 45 }},
		{"capacity in exponent form", `{"seed":"s","schools":[{"id":"S","capacity":4.5E1}],"applicants":[]}`,
			func(in *Instance) bool { return in.Schools[0].Capacity == 45 }},
		{"nulls for optional fields", `{"round":null,"seed":"s","schools":[{"id":"S","capacity":0,"district":null}],"applicants":[{"id":"A","points":-1.5,"district":null,"tiebreak":null,"preferences":["S"]}]}`,
			func(in *Instance) bool {
				a := in.Applicants[0]
				return in.Round == "" && in.Schools[0].District == "" && a.District == "" && a.Tiebreak == nil && a.Points == -1.5
			}},
		{"escapes", `{"seed":"s\u00e9\"\\\/\ud83d\ude00","schools":[],"applicants":[]}`,
			func(in *Instance) bool { return in.Seed == "sé\"\\/😀" }},
		{"white space and field order", " \r\n\t{ \"applicants\" : [ ] , \"schools\" : [ ] , \"seed\" : \"s\" } \n",
			func(in *Instance) bool { return in.Seed == "s" && len(in.Applicants) == 0 }},
		{"empty tiebreaks", `{"seed":"s","schools":[],"applicants":[{"id":"A","points":1,"tiebreak":[],"preferences":[]}]}`,
			func(in *Instance) bool {
				return in.Applicants[0].Tiebreak != nil && len(in.Applicants[0].Tiebreak) == 0
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseInstance([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(in) {
				t.Errorf("got %+v", in)
			}
		})
	}
}
