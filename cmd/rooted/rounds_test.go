package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/msg"
)

// roundCity is a generated city of 4,000 persons as of 2026-05-20, made
// once per test binary.
var roundCity struct {
	once  sync.Once
	dir   string
	files []string
	err   error
}

const roundCityAsOf = "2026-05-20"

func cityFiles(t *testing.T) (dir string, files []string) {
	t.Helper()
	roundCity.once.Do(func() {
		roundCity.dir, roundCity.err = os.MkdirTemp("", "rooted-rounds-city-")
		if roundCity.err != nil {
			return
		}
		var out, errb bytes.Buffer
		// 6,500 registry rows: the generator's 17-year history holds about
		// 2,400 residents today (4,000 rows of the old 12-year history held
		// about as many), enough applicants for the rounds tested here.
		roundCity.err = run(t.Context(), []string{"gen", "--persons", "6500", "--seed", "7", "--as-of", roundCityAsOf, "--out", roundCity.dir},
			func(string) string { return "" }, strings.NewReader(""), &out, &errb)
		roundCity.files, _ = filepath.Glob(filepath.Join(roundCity.dir, "*.csv"))
	})
	if roundCity.err != nil {
		t.Fatalf("gen: %v", roundCity.err)
	}
	return roundCity.dir, roundCity.files
}

// cityDB imports the city into a fresh sandbox database and issues
// permits as of the city's day.
func cityDB(t *testing.T, open func(t *testing.T) string) string {
	t.Helper()
	_, files := cityFiles(t)
	db := open(t)
	// The rounds are walked through their weeks as of past days: only a
	// sandbox takes --as-of on steps that change state.
	mustRooted(t, "migrate", "--sandbox", "--db", db)
	mustRooted(t, append([]string{"import", "--db", db, "--quarantine", t.TempDir()}, files...)...)
	mustRooted(t, "permits", "--db", db, "--as-of", roundCityAsOf)
	return db
}

// family is a child of the generated city with a guardian.
type family struct{ child, guardian string }

// families reads the guardian links of the generated persons file.
func families(t *testing.T) []family {
	t.Helper()
	dir, _ := cityFiles(t)
	f, err := os.Open(filepath.Join(dir, "persons.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var fs []family
	for _, r := range rows[1:] {
		if r[5] != "" {
			fs = append(fs, family{child: r[0], guardian: r[5]})
		}
	}
	return fs
}

// ageOn31August is the age of the holder of id on 31 August 2026.
func ageOn31August(t *testing.T, id string) int {
	t.Helper()
	birth, err := date.Parse(id[6:10] + "-" + id[10:12] + "-" + id[12:14])
	if err != nil {
		t.Fatal(err)
	}
	return date.YearsBetween(birth, date.MustParse("2026-08-31"))
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

type roundShow struct {
	ID, Status, Seed, WindowEnds string
	SeedSHA256                   string `json:"seed_sha256"`
	Applications                 map[string]int
	Refusals                     map[string]int
	Objections                   int
	Unanswered                   int `json:"objections_unanswered"`
	ObjectionStatus              []struct {
		Objection int
		Number    string
		Decision  string
	} `json:"objection_status"`
	Ledger []struct {
		Seq  int
		Kind string
	}
}

// TestEnrollmentRound runs a whole grade-1 round through the command line
// on each engine: create, open, apply-all and single applications (some
// refused), close, allocate, publish (masked XLSX and CSV), object inside
// and after the window, finalize before and after the window, results with
// explanations, export and verify — and a flipped byte fails verify.
func TestEnrollmentRound(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			db := cityDB(t, open)
			r := func(args ...string) string { return mustRooted(t, append(args, "--db", db)...) }
			created := decode[roundShow](t, r("round", "create", "--kind", "grade1", "--name", "2026 全市一年级", "--seat-share", "0.023", "--id", "g1", "--as-of", "2026-02-08"))
			if created.Status != "draft" || len(created.Ledger) != 1 {
				t.Fatalf("created: %+v", created)
			}
			opened := decode[roundShow](t, r("round", "open", "g1", "--as-of", "2026-02-08"))
			if opened.Status != "open" || len(opened.SeedSHA256) != 64 || opened.Seed != "" {
				t.Fatalf("opened: %+v (the seed must stay secret)", opened)
			}

			all := decode[struct{ Applied, Candidates int }](t, r("round", "apply-all", "g1", "--as-of", "2026-05-01"))
			if all.Applied < 5 {
				t.Fatalf("apply-all applied %d", all.Applied)
			}
			// Single applications: a cohort child of a guardian apply-all left
			// out (not eligible: refused at close), a child too old, a
			// guardian of another child.
			applied := map[string]bool{}
			for _, line := range strings.Split(strings.TrimSpace(r("round", "results", "g1")), "\n") {
				applied[decode[struct{ Child string }](t, line).Child] = true
			}
			var ineligible, tooOld *family
			fams := families(t)
			for i := range fams {
				f := &fams[i]
				switch age := ageOn31August(t, f.child); {
				case age == 6 && !applied[ident.MaskID(f.child)] && ineligible == nil:
					ineligible = f
				case age >= 9 && tooOld == nil:
					tooOld = f
				}
			}
			if ineligible == nil || tooOld == nil {
				t.Fatalf("no ineligible family (%v) or older child (%v) in the city", ineligible, tooOld)
			}
			got := decode[struct{ Status, Reason string }](t, r("round", "apply", "g1", "--guardian", ineligible.guardian, "--child", ineligible.child, "--schools", "zeguo-p01", "--as-of", "2026-05-02"))
			if got.Status != "pending" {
				t.Errorf("application of an ineligible guardian: %+v, want pending until close", got)
			}
			got = decode[struct{ Status, Reason string }](t, r("round", "apply", "g1", "--guardian", tooOld.guardian, "--child", tooOld.child, "--schools", "zeguo-p01,daxi-p01", "--as-of", "2026-05-02"))
			if got.Status != "refused" || got.Reason != "too_old" {
				t.Errorf("application for a child of 9 or more: %+v, want refused too_old", got)
			}
			got = decode[struct{ Status, Reason string }](t, r("round", "apply", "g1", "--guardian", tooOld.guardian, "--child", ineligible.child, "--schools", "zeguo-p01", "--as-of", "2026-05-02"))
			if got.Status != "refused" || got.Reason != "not_guardian" {
				t.Errorf("application by someone else's guardian: %+v, want refused not_guardian", got)
			}
			for _, tt := range []struct {
				args   []string
				status int
				want   string
			}{
				{[]string{"--guardian", ineligible.guardian, "--child", ineligible.child, "--schools", "zeguo-p01"}, 1, msg.T(msg.ZH, "apply.conflict")},
				{[]string{"--guardian", ineligible.guardian, "--child", ineligible.child, "--schools", "nowhere"}, 2, `choice 1 "nowhere"`},
				{[]string{"--guardian", ineligible.guardian, "--child", ineligible.child, "--schools", "zeguo-p01,zeguo-p01"}, 2, "listed twice"},
			} {
				_, errOut, status := rooted(t, append(append([]string{"round", "apply", "g1"}, tt.args...), "--db", db)...)
				if status != tt.status || !strings.Contains(errOut, tt.want) || strings.Contains(errOut, ineligible.guardian) {
					t.Errorf("apply %v: exit %d, stderr %q; want exit %d naming %q, no full ID number", tt.args, status, errOut, tt.status, tt.want)
				}
			}

			closed := decode[struct {
				Accepted, Refused int
				Reasons           map[string]int
			}](t, r("round", "close", "g1", "--as-of", "2026-05-30"))
			if closed.Accepted != all.Applied || closed.Reasons["not_eligible"] != 1 || closed.Reasons["too_old"] != 1 || closed.Reasons["not_guardian"] != 1 {
				t.Errorf("close: %+v; want %d accepted, one refusal of each kind", closed, all.Applied)
			}
			if _, errOut, status := rooted(t, "round", "apply", "g1", "--db", db, "--guardian", ineligible.guardian, "--child", ineligible.child, "--schools", "zeguo-p01"); status != 1 || !strings.Contains(errOut, "closed") {
				t.Errorf("apply to a closed round: exit %d %q", status, errOut)
			}
			alloc := decode[struct {
				Seed       string
				SeedSHA256 string `json:"seed_sha256"`
				Placed     int
				Unplaced   int
			}](t, r("round", "allocate", "g1", "--as-of", "2026-06-01"))
			if alloc.SeedSHA256 != opened.SeedSHA256 || alloc.Seed == "" || alloc.Placed+alloc.Unplaced != all.Applied || alloc.Placed == 0 {
				t.Errorf("allocate: %+v", alloc)
			}

			// 公示 from Monday 1 June 2026: 5 working days end on Friday 5 June.
			out := t.TempDir()
			pub := decode[struct {
				WindowEnds string `json:"window_ends"`
				Rows       int
				Files      []string
			}](t, r("round", "publish", "g1", "--out", out, "--as-of", "2026-06-01"))
			if pub.WindowEnds != "2026-06-05" || pub.Rows != all.Applied+3 || len(pub.Files) != 2 {
				t.Errorf("publish: %+v", pub)
			}
			csvData, err := os.ReadFile(filepath.Join(out, "g1-publication.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(csvData, []byte("\ufeff申请编号")) {
				t.Errorf("CSV does not start with a BOM and the header: %q", csvData[:min(40, len(csvData))])
			}
			for _, f := range fams {
				for _, id := range []string{f.child, f.guardian} {
					if bytes.Contains(csvData, []byte(id)) {
						t.Fatalf("the published CSV holds a full ID number %s", ident.MaskID(id))
					}
				}
			}
			if !bytes.Contains(csvData, []byte(ident.MaskID(ineligible.child))) || !regexp.MustCompile(`,[^,]\*+[^,]?,`).Match(csvData) {
				t.Errorf("the published CSV lacks masked ID numbers or names")
			}
			if st, err := os.Stat(filepath.Join(out, "g1-publication.xlsx")); err != nil || st.Size() < 1000 {
				t.Errorf("XLSX: %v", err)
			}

			// Objections during the window only; finalize only after it,
			// once every objection is answered.
			filed := decode[struct{ Objection int }](t, r("round", "object", "g1", "--applicant", ineligible.guardian, "--text", "我家住在泽国，为何不符合条件？", "--as-of", "2026-06-05"))
			if filed.Objection != 1 {
				t.Errorf("objection: number %d, want 1", filed.Objection)
			}
			if _, errOut, status := rooted(t, "round", "object", "g1", "--db", db, "--applicant", ineligible.guardian, "--text", "late", "--as-of", "2026-06-06"); status != 1 || !strings.Contains(errOut, "closed on 2026-06-05") {
				t.Errorf("objection after the window: exit %d %q", status, errOut)
			}
			if _, errOut, status := rooted(t, "round", "finalize", "g1", "--db", db, "--as-of", "2026-06-05"); status != 1 || !strings.Contains(errOut, "runs until 2026-06-05") {
				t.Errorf("finalize inside the window: exit %d %q", status, errOut)
			}
			if _, errOut, status := rooted(t, "round", "finalize", "g1", "--db", db, "--as-of", "2026-06-08"); status != 1 || !strings.Contains(errOut, "1 of 1 objections not answered") {
				t.Errorf("finalize with an objection unanswered: exit %d %q", status, errOut)
			}
			if _, errOut, status := rooted(t, "round", "answer", "g1", "--db", db, "--objection", "1", "--decision", "maybe", "--reply", "x", "--as-of", "2026-06-08"); status != 2 || !strings.Contains(errOut, "upheld or dismissed") {
				t.Errorf("answer with another decision: exit %d %q", status, errOut)
			}
			answered := decode[struct {
				Objection    int
				Decision, By string
			}](t, r("round", "answer", "g1", "--objection", "1", "--decision", "dismissed",
				"--reply", "经核查，申请人截止日无有效居住证，不符合入学资格条件。", "--by", "education", "--as-of", "2026-06-08"))
			if answered.Objection != 1 || answered.Decision != "dismissed" || answered.By != "education" {
				t.Errorf("answer: %+v", answered)
			}
			if _, errOut, status := rooted(t, "round", "answer", "g1", "--db", db, "--objection", "1", "--decision", "upheld", "--reply", "again", "--as-of", "2026-06-08"); status != 1 || !strings.Contains(errOut, "answer is given once") {
				t.Errorf("a second answer: exit %d %q", status, errOut)
			}
			final := decode[roundShow](t, r("round", "finalize", "g1", "--as-of", "2026-06-08"))
			kinds := []string{}
			for _, e := range final.Ledger {
				kinds = append(kinds, e.Kind)
			}
			if final.Status != "final" || final.Objections != 1 || final.Unanswered != 0 || len(final.ObjectionStatus) != 1 || final.ObjectionStatus[0].Decision != "dismissed" ||
				strings.Join(kinds, " ") != "config seed_commitment input seed_reveal output publish objection objection_decision final" {
				t.Errorf("final: status %s, %d objections (%d unanswered, %+v), ledger %v", final.Status, final.Objections, final.Unanswered, final.ObjectionStatus, kinds)
			}

			// Results with explanations, in both languages.
			var unplacedOrLater string
			for _, line := range strings.Split(strings.TrimSpace(r("round", "results", "g1", "--lang", "en")), "\n") {
				o := decode[struct {
					Choice int
					Status string
					Above  []struct{ Why string }
					Text   []string
				}](t, line)
				if o.Status == "accepted" && o.Choice != 1 {
					if len(o.Above) == 0 || o.Above[0].Why == "" {
						t.Errorf("result placed below the first choice without explanation: %s", line)
					}
					unplacedOrLater = strings.Join(o.Text, "\n")
				}
			}
			if unplacedOrLater != "" && !strings.Contains(unplacedOrLater, "cutoff") {
				t.Errorf("explanation without cutoffs:\n%s", unplacedOrLater)
			}
			zh := r("round", "results", "g1", "--applicant", ineligible.guardian, "--lang", "zh")
			if !strings.Contains(zh, "不予受理") || !strings.Contains(zh, "不符合") || strings.Contains(zh, ineligible.guardian) {
				t.Errorf("results of the refused applicant (zh): %s", zh)
			}

			// Export and verify.
			file := filepath.Join(t.TempDir(), "g1.json")
			r("round", "export", "g1", "--out", file)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fams {
				if bytes.Contains(data, []byte(f.child)) || bytes.Contains(data, []byte(f.guardian)) {
					t.Fatal("the export holds a full ID number")
				}
			}
			rep := decode[struct{ Applicants, Placed, LedgerEntries, Objections, Dismissed int }](t, mustRooted(t, "verify", file))
			if rep.Applicants != all.Applied || rep.Placed != alloc.Placed || rep.Objections != 1 || rep.Dismissed != 1 {
				t.Errorf("verify: %+v", rep)
			}
			if name == "sqlite" {
				testFlippedBytes(t, data)
			}
		})
	}
}

// testFlippedBytes changes one byte of a good export at many places: every
// change must fail verify (exit 1, or 2 when the file no longer parses),
// saying where.
func testFlippedBytes(t *testing.T, data []byte) {
	t.Helper()
	dir := t.TempDir()
	positions := map[int]string{}
	for _, probe := range []struct{ after, where string }{
		{`"seed":"`, "instance"},
		{`"points":`, "instance"},
		{`"assignments":[` + "\n" + `{"applicant":"A0000`, "result"},
		{`"kind":"seed_reveal","at":"2026`, "ledger[3]"},
		{`"kind":"output","at":"2026-`, "ledger[4]"},
		{`"hash":"`, "ledger[0]"},
		{`"name":"2026 `, "round"},
		{`"seats":`, "round"},
	} {
		i := bytes.Index(data, []byte(probe.after))
		if i < 0 {
			t.Fatalf("export lacks %q", probe.after)
		}
		positions[i+len(probe.after)] = probe.where
	}
	for i := 0; i < len(data); i += max(1, len(data)/97) {
		if _, ok := positions[i]; !ok {
			positions[i] = ""
		}
	}
	positions[len(data)-3] = "" // white space between the last entry and the end
	for pos, where := range positions {
		bad := bytes.Clone(data)
		switch c := bad[pos]; {
		case c >= '0' && c <= '8', c >= 'a' && c <= 'e':
			bad[pos] = c + 1
		case c == '\n':
			bad[pos] = ' '
		default:
			bad[pos] ^= 0x01
		}
		file := filepath.Join(dir, "bad.json")
		if err := os.WriteFile(file, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		_, errOut, status := rooted(t, "verify", file)
		if status == 0 || !strings.Contains(errOut, "verify") {
			t.Errorf("byte %d (%q → %q) changed: verify exit %d, stderr %q; want a failure", pos, data[pos], bad[pos], status, errOut)
			continue
		}
		if where != "" && !strings.Contains(errOut, where) {
			t.Errorf("byte %d changed: stderr %q does not name %q", pos, errOut, where)
		}
	}
}

// TestHousingRound runs two public-rental rounds, by points and by lottery:
// those not housed get a waiting-list position per unit type, and an
// expected wait drawn from the rounds' turnover.
func TestHousingRound(t *testing.T) {
	db := cityDB(t, engines(t)["sqlite"])
	r := func(args ...string) string { return mustRooted(t, append(args, "--db", db)...) }
	for i, mode := range []string{"points", "lottery"} {
		id := "h" + mode
		month := []string{"2026-03-", "2026-05-"}[i]
		r("round", "create", "--kind", "public_rental", "--name", "公租房 "+mode, "--mode", mode, "--id", id,
			"--units", "one_bedroom=3,two_bedroom=2,three_bedroom=1", "--as-of", month+"01")
		r("round", "open", id, "--as-of", month+"01")
		all := decode[struct{ Applied int }](t, r("round", "apply-all", id, "--as-of", month+"02"))
		if all.Applied < 20 {
			t.Fatalf("%s: apply-all applied %d", id, all.Applied)
		}
		r("round", "close", id, "--as-of", month+"10")
		a := decode[struct{ Placed, Unplaced int }](t, r("round", "allocate", id, "--as-of", month+"11"))
		// Few households have 5 persons: the three-bedroom unit may stay empty.
		if a.Placed < 5 || a.Placed > 6 || a.Unplaced == 0 {
			t.Errorf("%s: placed %d, unplaced %d; want the one- and two-bedroom units filled and a waiting list", id, a.Placed, a.Unplaced)
		}
		positions := map[string][]int{}
		var waitText string
		for _, line := range strings.Split(strings.TrimSpace(r("round", "results", id, "--lang", "en", "--as-of", month+"12")), "\n") {
			o := decode[struct {
				Status       string
				Placed       string
				Choices      []string
				WaitPosition int `json:"wait_position"`
				Own          struct {
					Points   float64
					Tiebreak []float64
				}
				Wait *struct {
					Rounds, Days int
					Basis        int     `json:"basis_rounds"`
					PerRound     float64 `json:"units_per_round"`
				} `json:"expected_wait"`
				Text []string
			}](t, line)
			if o.Status != "accepted" || o.Placed != "" {
				continue
			}
			positions[o.Choices[0]] = append(positions[o.Choices[0]], o.WaitPosition)
			if mode == "lottery" && (o.Own.Points != 0 || o.Own.Tiebreak != nil) {
				t.Errorf("lottery round: points %v, tie-break %v; want none", o.Own.Points, o.Own.Tiebreak)
			}
			if o.Wait == nil || o.Wait.Rounds < 1 || o.Wait.Basis != i+1 || (i == 1) != (o.Wait.Days > 0) {
				t.Errorf("%s: expected wait %+v (want rounds ≥ 1 over %d rounds, days once there are two)", id, o.Wait, i+1)
			}
			waitText = strings.Join(o.Text, " | ")
		}
		for typ, ps := range positions {
			for k, p := range ps {
				if p < 1 || p > len(ps) {
					t.Errorf("%s: %s waiting positions %v are not 1…%d", id, typ, ps, len(ps))
					break
				}
				_ = k
			}
		}
		if !strings.Contains(waitText, "waiting list") || !strings.Contains(waitText, "rounds") {
			t.Errorf("%s: waiting text %q", id, waitText)
		}
		file := filepath.Join(t.TempDir(), id+".json")
		r("round", "export", id, "--out", file)
		mustRooted(t, "verify", file)
	}
}

// BenchmarkRoundCity times a city-wide grade-1 round on a generated city
// of ROOTED_BENCH_PERSONS persons (default 20,000), SQLite: apply-all,
// close and allocate per iteration, each on a new round. The city is
// generated, imported and given permits outside the timer.
//
//	ROOTED_BENCH_PERSONS=100000 go test ./cmd/rooted -run '^$' -bench RoundCity -benchtime 3x
func BenchmarkRoundCity(b *testing.B) {
	persons := "20000"
	if v := os.Getenv("ROOTED_BENCH_PERSONS"); v != "" {
		persons = v
	}
	dir := b.TempDir()
	db := filepath.Join(dir, "city.db")
	do := func(args ...string) string {
		var out, errb bytes.Buffer
		err := run(b.Context(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
		if err != nil {
			b.Fatalf("rooted %s: %v\n%s", strings.Join(args, " "), err, errb.String())
		}
		return out.String()
	}
	do("gen", "--persons", persons, "--seed", "1", "--as-of", roundCityAsOf, "--out", filepath.Join(dir, "city"))
	files, _ := filepath.Glob(filepath.Join(dir, "city", "*.csv"))
	do(append([]string{"import", "--db", db, "--quarantine", filepath.Join(dir, "q")}, files...)...)
	do("permits", "--db", db, "--as-of", roundCityAsOf)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		id := "bench-" + strconv.Itoa(i)
		do("round", "create", "--db", db, "--kind", "grade1", "--name", "bench", "--id", id, "--seat-share", "0.2", "--as-of", "2026-02-08")
		do("round", "open", id, "--db", db, "--as-of", "2026-02-08")
		do("round", "apply-all", id, "--db", db, "--as-of", "2026-05-01")
		do("round", "close", id, "--db", db, "--as-of", "2026-05-30")
		do("round", "allocate", id, "--db", db, "--as-of", "2026-06-01")
	}
}
