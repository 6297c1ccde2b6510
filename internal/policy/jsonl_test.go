package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
)

var asOfTest = date.MustParse("2026-11-29")

// genPersons returns n synthetic persons as JSON lines, every field drawn
// at random within its range (a realistic mix of zeros and values).
func genPersons(s *Scheme, n int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, 1))
	lines := make([][]byte, n)
	for i := range lines {
		var b bytes.Buffer
		fmt.Fprintf(&b, `{"id":"p%07d"`, i)
		for _, in := range s.Inputs {
			if r.IntN(3) == 0 {
				continue // missing
			}
			fmt.Fprintf(&b, `,"%s":`, in.Name)
			switch in.Type {
			case Date:
				d := date.Of(1950+r.IntN(60), 1, 1).AddDays(r.IntN(365))
				fmt.Fprintf(&b, `"%s"`, d)
			case Bool:
				fmt.Fprintf(&b, "%v", r.IntN(4) == 0)
			case Level:
				fmt.Fprintf(&b, `"%s"`, in.Levels[r.IntN(len(in.Levels))].Code)
			case Int:
				hi := 20.0
				if !math.IsInf(in.Max, 1) {
					hi = in.Max
				}
				fmt.Fprintf(&b, "%d", r.IntN(int(hi)+1))
			case Number:
				hi := 200.0
				if strings.Contains(in.Name, "tax") || strings.Contains(in.Name, "yuan") {
					hi = 500000
				}
				hi = min(hi, in.Max)
				fmt.Fprintf(&b, "%g", math.Round(r.Float64()*hi*4)/4)
			}
		}
		b.WriteString("}")
		lines[i] = b.Bytes()
	}
	return lines
}

// evaluateStd scores one line through encoding/json and the Set methods,
// independently of the hand-written decoder.
func evaluateStd(t *testing.T, s *Scheme, line []byte) Result {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatal(err)
	}
	in := s.NewInputs()
	for k, x := range m {
		if k == "id" {
			continue
		}
		it, _ := s.Input(k)
		var err error
		switch it.Type {
		case Date:
			err = in.SetDate(k, date.MustParse(x.(string)))
		case Bool:
			err = in.SetBool(k, x.(bool))
		case Level:
			err = in.SetLevel(k, x.(string))
		default:
			err = in.SetNumber(k, x.(float64))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	r, err := s.Evaluate(in, asOfTest)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type outLine struct {
	ID           *string `json:"id"`
	Error        string  `json:"error"`
	Line         int     `json:"line"`
	Scheme       string  `json:"scheme"`
	Version      string  `json:"version"`
	AsOf         string  `json:"as_of"`
	Total        float64 `json:"total"`
	SchoolPoints float64 `json:"school_points"`
	Frozen       bool    `json:"frozen"`
	Layers       struct {
		Provincial, City, County float64
	} `json:"layers"`
	Deductions float64 `json:"deductions"`
	Items      []struct {
		Code    string  `json:"code"`
		Points  float64 `json:"points"`
		Explain string  `json:"explain"`
	} `json:"items"`
	Eligible map[string]bool `json:"eligible"`
}

// TestScoreJSONLMatchesEvaluate scores several chunks' worth of persons on
// two workers, with bad and blank lines among them, and checks every
// output line, in order, against the one-person path.
func TestScoreJSONLMatchesEvaluate(t *testing.T) {
	s := mustLoad(t, "")
	persons := genPersons(s, 3000, 7)
	var in bytes.Buffer
	type want struct {
		line   int
		person int // -1 for a bad line
		id     string
	}
	var wants []want
	line := 0
	for i, p := range persons {
		line++
		in.Write(p)
		in.WriteByte('\n')
		wants = append(wants, want{line, i, fmt.Sprintf("p%07d", i)})
		switch i % 500 {
		case 17:
			line++
			in.WriteString("\n") // blank: no output
		case 99:
			line++
			fmt.Fprintf(&in, "{\"id\":\"bad%d\",\"skill_level\":9}\r\n", i)
			wants = append(wants, want{line, -1, fmt.Sprintf("bad%d", i)})
		}
	}
	var out bytes.Buffer
	st, err := s.ScoreJSONL(context.Background(), &in, &out, ScoreOptions{AsOf: asOfTest, Lang: msg.EN, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed != 6 || st.Scored != 3000 {
		t.Errorf("stats %+v, want 3000 scored, 6 failed", st)
	}
	got := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
	if len(got) != len(wants) {
		t.Fatalf("got %d output lines, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		var o outLine
		if err := json.Unmarshal(got[i], &o); err != nil {
			t.Fatalf("output line %d: %v: %s", i+1, err, got[i])
		}
		if o.ID == nil || *o.ID != w.id {
			t.Fatalf("output line %d: id %v, want %s", i+1, o.ID, w.id)
		}
		if w.person < 0 {
			if o.Error == "" || o.Line != w.line {
				t.Errorf("line %d: got error %q line %d, want an error on line %d", w.line, o.Error, o.Line, w.line)
			}
			continue
		}
		r := evaluateStd(t, s, persons[w.person])
		if o.Total != r.Total || o.SchoolPoints != r.SchoolPoints || o.Deductions != r.Deductions || o.Frozen != r.Frozen ||
			o.Layers.Provincial != r.Provincial || o.Layers.City != r.City || o.Layers.County != r.County {
			t.Fatalf("person %d: got %s\nwant %+v", w.person, got[i], r)
		}
		for k, it := range o.Items {
			if it.Code != r.Items[k].Code || it.Points != r.Items[k].Points || it.Explain != r.Explain(k, msg.EN) {
				t.Fatalf("person %d item %d: got %+v, want %+v %q", w.person, k, it, r.Items[k], r.Explain(k, msg.EN))
			}
		}
		for k, n := range r.Version.Services {
			if o.Eligible[n.Name] != r.Eligible[k] {
				t.Fatalf("person %d: eligible.%s got %v, want %v", w.person, n.Name, o.Eligible[n.Name], r.Eligible[k])
			}
		}
	}
}

func TestDecodeLine(t *testing.T) {
	s := mustLoad(t, "")
	v, _ := s.Version(asOfTest)
	d := newDecoder(s)
	slot := func(name string) int { x, _ := s.Input(name); return x.Slot }
	for _, tt := range []struct {
		name, line string
		id, err    string // err: a substring of the message, "" for none
		field      string
		value      float64
	}{
		{"plain", `{"id":"a","insurance_months":36}`, `"a"`, "", "insurance_months", 36},
		{"spaces and CR", " { \"id\" : \"a\" , \"insurance_months\" : 1.25 }\r", `"a"`, "", "insurance_months", 1.25},
		{"exponent", `{"insurance_months":3.6e1}`, "", "", "insurance_months", 36},
		{"many digits", `{"income_tax_3y":12345.678901234567}`, "", "", "income_tax_3y", 12345.678901234567},
		{"null is missing", `{"insurance_months":null}`, "", "", "insurance_months", 0},
		{"escaped id kept as written", `{"id":"a\"b\u00e9"}`, `"a\"b\u00e9"`, "", "", 0},
		{"escaped key", `{"insurance\u005fmonths":5}`, "", "", "insurance_months", 5},
		{"unknown fields skipped", `{"name":"张三","tags":[1,{"a":[true,null]}],"skill_level":2}`, "", "", "skill_level", 2},
		{"duplicate key: last wins", `{"skill_level":2,"skill_level":3}`, "", "", "skill_level", 3},
		{"zh level label", `{"housing":"自有住房"}`, "", "", "housing", 4},
		{"empty object", `{}`, "", "", "", 0},
		{"id after a bad field", `{"skill_level":"x","id":"late"}`, `"late"`, "skill_level: want a number", "", 0},
		{"not an object", `[1]`, "", "invalid JSON at column 1", "", 0},
		{"truncated", `{"id":"a","skill_level":`, `"a"`, "invalid JSON", "", 0},
		{"trailing text", `{"id":"a"} x`, `"a"`, "unexpected text", "", 0},
		{"leading zero", `{"skill_level":01}`, "", "invalid JSON", "", 0},
		{"control char in string", "{\"id\":\"a\tb\"}", "", "invalid JSON", "", 0},
		{"id not a string", `{"id":7}`, "", "id: want a string", "", 0},
		{"birth date in the future", `{"birth_date":"2027-01-01"}`, "", "after the as-of date", "", 0},
		{"id number birth", `{"id_number":"52010219900101123X"}`, "", "", "birth_date", float64(date.MustParse("1990-01-01"))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := v.NewBatch(1, asOfTest)
			row := b.Add()
			id, msg := d.decodeLine([]byte(tt.line), b, row, asOfTest)
			if string(id) != tt.id {
				t.Errorf("id: got %s, want %s", id, tt.id)
			}
			if (tt.err == "") != (msg == "") || !strings.Contains(msg, tt.err) {
				t.Errorf("error: got %q, want %q", msg, tt.err)
			}
			if tt.field != "" {
				if got := b.regs[slot(tt.field)][row]; got != tt.value {
					t.Errorf("%s: got %v, want %v", tt.field, got, tt.value)
				}
			}
		})
	}
}

// TestLongLine checks a line longer than a reader chunk.
func TestLongLine(t *testing.T) {
	s := mustLoad(t, "")
	pad := strings.Repeat("x", 3*chunkSize)
	in := fmt.Sprintf("{\"id\":\"short\"}\n{\"id\":\"long\",\"note\":\"%s\",\"skill_level\":1}\n{\"id\":\"last\"}", pad)
	var out bytes.Buffer
	st, err := s.ScoreJSONL(context.Background(), strings.NewReader(in), &out, ScoreOptions{AsOf: asOfTest})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if st.Scored != 3 || len(lines) != 3 || !strings.HasPrefix(lines[1], `{"id":"long"`) || !strings.Contains(lines[1], `"code":"P3","points":10`) {
		t.Errorf("got %+v and %d lines: %.200s", st, len(lines), out.String())
	}
}

func TestParseDate(t *testing.T) {
	for _, s := range []string{"0001-01-01", "1900-02-28", "1970-01-01", "2000-02-29", "2026-11-29", "9999-12-31"} {
		got, ok := parseDate([]byte(s))
		if want := date.MustParse(s); !ok || got != want {
			t.Errorf("%s: got %v %v, want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"1900-02-29", "2026-13-01", "2026-04-31", "2026-1-01", "0000-01-01"} {
		if _, ok := parseDate([]byte(s)); ok {
			t.Errorf("%s: accepted", s)
		}
	}
}

func TestAgeTable(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		asOf := date.Of(2000+r.IntN(40), 1, 1).AddDays(r.IntN(366))
		birth := asOf.AddDays(-r.IntN(150 * 366))
		if got, want := ageTableFor(asOf).age(birth), date.YearsBetween(birth, asOf); got != want {
			t.Fatalf("born %s, on %s: got %d, want %d", birth, asOf, got, want)
		}
	}
}

// TestDecodeLineColumns pins whole messages, columns included, of the
// string and number faults the decoder shares with package alloc through
// jsonx: moving the scanner there must not move a column.
func TestDecodeLineColumns(t *testing.T) {
	s := mustLoad(t, "")
	v, _ := s.Version(asOfTest)
	d := newDecoder(s)
	for _, tt := range []struct{ line, want string }{
		{`{"id":"a\x","age":3}`, "invalid JSON at column 11: invalid value"},
		{`{"id":"a","name":"\u12g4"}`, "invalid JSON at column 21: invalid value"},
		{`{"id":"b","name":"\ud83d\u00"}`, "invalid JSON at column 27: invalid value"},
		{`{"id":"c","name":"\ud83dx","insurance_months":01}`, "invalid JSON at column 48: want , or } after a value"},
		{"{\"id\":\"d\",\"name\":\"a\tb\"}", "invalid JSON at column 20: invalid value"},
		{`{"id":"e","name":"abc`, "invalid JSON at column 22: invalid value"},
		{`{"id":"f","name":"a\`, "invalid JSON at column 20: invalid value"},
		{`{"id":"g","insurance_months":-}`, "invalid JSON at column 31: invalid value"},
		{`{"id":"h","insurance_months":1.}`, "invalid JSON at column 32: invalid value"},
		{`{"id":"i","insurance_months":1e+}`, "invalid JSON at column 33: invalid value"},
		{`{"id":"j","insurance_months":1e400}`, "insurance_months: not a finite number"},
		{`{"id":"k","x":{"a":[1,2,{"b":"\q"}]}}`, "invalid JSON at column 33: invalid value"},
		{`{"id":"l","x":[1,"\ud800","\ude00\ud83d\u0041"]}`, ""},
		{`{"i\d":"p"}`, "invalid JSON at column 6: want a field name"},
	} {
		b := v.NewBatch(1, asOfTest)
		if _, msg := d.decodeLine([]byte(tt.line), b, b.Add(), asOfTest); msg != tt.want {
			t.Errorf("%s: got %q, want %q", tt.line, msg, tt.want)
		}
	}
}
