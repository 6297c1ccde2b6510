package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// allocate runs `rooted allocate args...` in-process with stdin as standard
// input and returns its output and exit status.
func allocate(t *testing.T, stdin string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"allocate"}, args...), func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	// exitStatus prints the error: take stderr after it, not in the same
	// return list (operands are evaluated left to right).
	status = exitStatus(err, &errb)
	return out.String(), errb.String(), status
}

const exampleIn = `{"round":"r","seed":"rooted-example-seed",
"schools":[{"id":"S1","capacity":1,"district":"d"},{"id":"S2","capacity":1}],
"applicants":[
{"id":"A1","points":80,"preferences":["S1","S2"]},
{"id":"A2","points":70,"district":"d","preferences":["S1"]},
{"id":"A3","points":60,"preferences":[]}]}`

// allocateOutput is the contract's output document, read strictly.
type allocateOutput struct {
	Round       string `json:"round"`
	SeedSHA256  string `json:"seed_sha256"`
	Assignments []struct {
		Applicant string  `json:"applicant"`
		School    *string `json:"school"`
		Choice    *int    `json:"choice"`
		Ticket    string  `json:"ticket"`
	} `json:"assignments"`
	Schools []struct {
		ID       string `json:"id"`
		Capacity int    `json:"capacity"`
		Admitted int    `json:"admitted"`
		Cutoff   *struct {
			InDistrict bool      `json:"in_district"`
			Points     float64   `json:"points"`
			Tiebreak   []float64 `json:"tiebreak"`
			Ticket     string    `json:"ticket"`
		} `json:"cutoff"`
	} `json:"schools"`
}

func TestAllocate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "round.json")
	if err := os.WriteFile(file, []byte(exampleIn), 0o644); err != nil {
		t.Fatal(err)
	}
	fromFile, errOut, status := allocate(t, "", file)
	if status != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", status, errOut)
	}
	for _, args := range [][]string{nil, {"-"}} {
		if out, _, _ := allocate(t, exampleIn, args...); out != fromFile {
			t.Errorf("allocate %v from stdin:\n%s\ndiffers from file:\n%s", args, out, fromFile)
		}
	}
	var got allocateOutput
	dec := json.NewDecoder(strings.NewReader(fromFile))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("output: %v\n%s", err, fromFile)
	}
	str := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	num := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	var summary []string
	for _, a := range got.Assignments {
		summary = append(summary, a.Applicant+"→"+str(a.School)+"#"+string(rune('0'+num(a.Choice))))
		if len(a.Ticket) != 18 || !strings.HasPrefix(a.Ticket, "0x") || strings.ToLower(a.Ticket) != a.Ticket {
			t.Errorf("%s: ticket %q: want 0x and 16 lowercase hex digits", a.Applicant, a.Ticket)
		}
	}
	// A2 is in S1's district: ahead of A1 despite fewer points.
	if got, want := strings.Join(summary, " "), "A1→S2#2 A2→S1#1 A3→null#0"; got != want {
		t.Errorf("assignments %s, want %s", got, want)
	}
	if got.Round != "r" || got.SeedSHA256 != "b8bbc2decb1f5fe3740b44eeb285a965eb279cac9e1ea254ddb6210da3d2e333" {
		t.Errorf("round %q seed_sha256 %q", got.Round, got.SeedSHA256)
	}
	if len(got.Schools) != 2 || got.Schools[0].Cutoff == nil || !got.Schools[0].Cutoff.InDistrict || got.Schools[0].Cutoff.Points != 70 ||
		got.Schools[1].Cutoff == nil || got.Schools[1].Cutoff.InDistrict || got.Schools[1].Admitted != 1 || got.Schools[0].Cutoff.Tiebreak != nil {
		t.Errorf("schools %+v", got.Schools)
	}
	if strings.Contains(fromFile, "tiebreak") {
		t.Errorf("tiebreak in the output of a round without tie-breaks:\n%s", fromFile)
	}
}

// TestAllocateBadInput: every kind of bad input in the contract exits 2 with
// one line on stderr naming what and where, and nothing on stdout.
func TestAllocateBadInput(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		args     []string
		want     string
	}{
		{"malformed JSON", `{"seed":"s",`, nil, `rooted: allocate: stdin: document: want a field name in quotes, found the end of the input (line 1, column 13)`},
		{"not JSON", `seed=s`, nil, `rooted: allocate: stdin: document: want an object, found 's'`},
		{"unknown field", strings.Replace(exampleIn, `"capacity":1,"district"`, `"capacty":1,"district"`, 1), nil, `school "S1" (schools[0]): unknown field "capacty"`},
		{"missing capacity", strings.Replace(exampleIn, `"capacity":1,"district":"d"`, `"district":"d"`, 1), nil, `school "S1" (schools[0]): missing field "capacity"`},
		{"unknown school", strings.Replace(exampleIn, `["S1","S2"]`, `["S1","S9"]`, 1), nil, `applicant "A1" (applicants[0]): preferences[1]: unknown school "S9"`},
		{"school twice", strings.Replace(exampleIn, `["S1","S2"]`, `["S1","S1"]`, 1), nil, `applicant "A1" (applicants[0]): preferences[1]: school "S1" listed twice`},
		{"duplicate applicant", strings.Replace(exampleIn, `"A3"`, `"A1"`, 1), nil, `applicant "A1" (applicants[2]): duplicate applicant id, first at applicants[0]`},
		{"duplicate school", strings.Replace(exampleIn, `"S2","capacity"`, `"S1","capacity"`, 1), nil, `school "S1" (schools[1]): duplicate school id, first at schools[0]`},
		{"negative capacity", strings.Replace(exampleIn, `"capacity":1}`, `"capacity":-3}`, 1), nil, `school "S2" (schools[1]): capacity: -3: want a whole number from 0 to 2147483647`},
		{"fractional capacity", strings.Replace(exampleIn, `"capacity":1}`, `"capacity":1.5}`, 1), nil, `school "S2" (schools[1]): capacity: 1.5: want a whole number`},
		{"missing seed", strings.Replace(exampleIn, `"seed":"rooted-example-seed",`, ``, 1), nil, `document: missing field "seed"`},
		{"empty seed", strings.Replace(exampleIn, `"rooted-example-seed"`, `""`, 1), nil, `missing seed`},
		{"tiebreak lengths", strings.Replace(strings.Replace(strings.Replace(exampleIn,
			`"points":80,`, `"points":80,"tiebreak":[1,2],`, 1),
			`"points":70,`, `"points":70,"tiebreak":[1],`, 1),
			`"points":60,`, `"points":60,"tiebreak":[1,2],`, 1), nil, `applicant "A2" (applicants[1]): tiebreak of 1 numbers, but applicants[0] has 2`},
		{"tiebreak on some", strings.Replace(exampleIn, `"points":70,`, `"points":70,"tiebreak":[1],`, 1), nil, `applicant "A2" (applicants[1]): has a tiebreak but applicants[0] has none`},
		{"points not a number", strings.Replace(exampleIn, `"points":70`, `"points":"70"`, 1), nil, `applicant "A2" (applicants[1]): points: want a number, found a string`},
		{"no such file", ``, []string{"/nonexistent/round.json"}, `rooted: allocate: cannot read /nonexistent/round.json`},
		{"two files", ``, []string{"a.json", "b.json"}, `rooted: allocate: at most one FILE`},
		{"bad flag", ``, []string{"--capacity"}, `rooted: allocate: flag provided but not defined: -capacity`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, status := allocate(t, tt.in, tt.args...)
			if status != 2 || out != "" {
				t.Fatalf("exit %d, stdout %q; want exit 2 and no output", status, out)
			}
			if !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
				t.Fatalf("stderr %q\nwant one line containing %q", errOut, tt.want)
			}
		})
	}
}

func TestAllocateHelp(t *testing.T) {
	out, _, status := allocate(t, "", "-h")
	if status != 0 || !strings.Contains(out, "usage: rooted allocate [FILE]") {
		t.Errorf("exit %d, stdout %q", status, out)
	}
}
