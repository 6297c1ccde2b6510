package rounds

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/newcitizens/rooted/internal/alloc"
)

// List is a published list (公示) to check against an export
// (VerifyLists): its file's SHA-256 and the cells read from it.
// internal/ingest.ReadList reads one from a CSV or XLSX file.
type List struct {
	Name      string // the file's name, for messages
	Format    string // "csv" or "xlsx"
	SHA256    string // of the file's bytes
	Title     string // XLSX: the title line
	Header    []string
	Rows      [][]string
	FirstLine int // the line (CSV) or sheet row (XLSX) of Rows[0]
}

// ListReport is what VerifyLists found of one list.
type ListReport struct {
	File   string `json:"file"`
	Format string `json:"format"`
	SHA256 string `json:"sha256"`
	// Recorded: the ledger's publish entry records this file's SHA-256,
	// and it is this one. False for a round published before the files'
	// digests were recorded: its content is checked, not its bytes.
	Recorded bool `json:"recorded"`
	Rows     int  `json:"rows"`
	Placed   int  `json:"placed"`
}

// VerifyLists is Verify, and checks each published list against the
// export: its SHA-256 against the publish entry of the export's chain (the
// CSV's against csv_sha256, the XLSX's against xlsx_sha256), and its
// content against the allocation the export recomputes — the header of
// the round's kind; every accepted application once, with its points,
// ticket, result, choice (and, for housing, waiting-list position) as the
// allocation gives them; every other row refused; as many rows as the
// chain recorded applications at close, and as many placed as the
// allocation placed. Each difference is a Problem naming the file and the
// line (CSV) or row (XLSX). A list of a round published before the files'
// digests were recorded cannot be checked byte for byte: a warning says
// so, and its rows are checked against the rows' digest (list_sha256)
// the chain does record.
func VerifyLists(data []byte, lists []List) (Report, error) {
	rep, err := Verify(data)
	if err != nil || len(lists) == 0 {
		return rep, err
	}
	var f exportFile
	if err := json.Unmarshal(data, &f); err != nil {
		return rep, unreadable(data, err)
	}
	// The parts of the export the lists are checked against. One that
	// does not read (Verify has said so for the configuration; a payload
	// may be JSON but not an object) leaves nothing to check the lists
	// against: each list says which, rather than differing from zero
	// values.
	var unread []string
	var cfg Config
	if err := json.Unmarshal(f.Round, &cfg); err != nil {
		unread = append(unread, fmt.Sprintf("round configuration (%v)", err))
	}
	payload := func(e *exportEntry) map[string]any {
		m, err := payloadObject(e.Payload)
		if err != nil {
			unread = append(unread, fmt.Sprintf("ledger[%d] (seq %d, %s) payload (%v)", e.Seq-1, e.Seq, e.Kind, err))
		}
		return m
	}
	var pub, input map[string]any
	var pubSeq int64
	var sawPub, sawInput bool
	for i := range f.Ledger {
		e := &f.Ledger[i]
		switch {
		case e.Kind == EntryPublish && !sawPub:
			sawPub, pubSeq, pub = true, e.Seq, payload(e)
		case e.Kind == EntryInput && !sawInput:
			sawInput, input = true, payload(e)
		}
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	var res *alloc.Result
	in, err := alloc.ParseInstance(f.Instance)
	if err == nil {
		res, err = alloc.Allocate(in)
	}
	for _, l := range lists {
		lr := ListReport{File: l.Name, Format: l.Format, SHA256: l.SHA256, Rows: len(l.Rows)}
		problem := func(where, format string, args ...any) {
			rep.Problems = append(rep.Problems, Problem{File: l.Name, Where: where, What: fmt.Sprintf(format, args...)})
		}
		if len(unread) > 0 {
			problem("file", "cannot be checked: the export's %s does not read", strings.Join(unread, "; "))
			rep.Lists = append(rep.Lists, lr)
			continue
		}
		switch {
		case !sawPub:
			problem("file", "the export's chain has no publish entry: the round was not published")
		case str(pub, l.Format+"_sha256") == "":
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: the round was published before the ledger recorded the files' SHA-256: this file cannot be checked byte for byte; its rows were checked against the rows' digest and the allocation", l.Name))
			if d := (&Publication{Header: l.Header, Rows: l.Rows}).Digest(); d != str(pub, "list_sha256") {
				problem("rows", "their SHA-256 (as JSON) is %s, ledger[%d] (seq %d, publish) recorded %s", d, pubSeq-1, pubSeq, str(pub, "list_sha256"))
			}
		case str(pub, l.Format+"_sha256") != l.SHA256:
			problem("file", "its SHA-256 is %s, not the published %s's %s that ledger[%d] (seq %d, publish) records", l.SHA256, l.Format, str(pub, l.Format+"_sha256"), pubSeq-1, pubSeq)
		default:
			lr.Recorded = true
		}
		if res != nil {
			lr.Placed = checkList(&l, &cfg, in, res, input, problem)
		} else {
			problem("file", "its content cannot be checked: the export's allocation does not run (%v)", err)
		}
		rep.Lists = append(rep.Lists, lr)
	}
	return rep, nil
}

// checkList checks the rows of l against the allocation and returns how
// many it shows placed.
func checkList(l *List, cfg *Config, in *alloc.Instance, res *alloc.Result, input map[string]any, problem func(where, format string, args ...any)) int {
	want := listHeader(cfg.Kind)
	if !slices.Equal(l.Header, want) {
		problem("header", "%q, want %q", l.Header, want)
		return 0
	}
	col := func(name string) int { return slices.Index(want, name) }
	cPoints, cTicket, cResult, cChoice, cWait := col("积分 points"), col("抽签号 ticket"), col("结果 result"), col("志愿 choice"), col("候补 waiting")
	names := map[string]string{}
	for _, p := range cfg.Places {
		names[p.Code] = p.Name
	}
	applicants := map[string]*alloc.Applicant{}
	for i := range in.Applicants {
		applicants[in.Applicants[i].ID] = &in.Applicants[i]
	}
	assigned := map[string]*alloc.Assignment{}
	for i := range res.Assignments {
		assigned[res.Assignments[i].Applicant] = &res.Assignments[i]
	}
	waits := waitPositions(cfg, in, res)
	unit := "line"
	if l.Format == "xlsx" {
		unit = "row"
	}
	seen := map[string]int{}
	placed := 0
	for i, row := range l.Rows {
		line := l.FirstLine + i
		if len(row) != len(want) {
			problem(fmt.Sprintf("%s %d", unit, line), "%d cells, want %d", len(row), len(want))
			continue
		}
		number := row[0]
		where := fmt.Sprintf("%s %d (application %s)", unit, line, number)
		if first, ok := seen[number]; ok {
			problem(where, "listed again (first on %s %d)", unit, first)
			continue
		}
		seen[number] = line
		cell := func(c int, what, wantValue string) {
			if row[c] != wantValue {
				problem(where, "%s %q, the allocation gives %q", what, row[c], wantValue)
			}
		}
		a, accepted := applicants[number]
		if !accepted {
			cell(cResult, "result", resultRefused)
			cell(cPoints, "points", "")
			cell(cTicket, "ticket", "")
			continue
		}
		as := assigned[number]
		result, choice := resultUnplaced, ""
		if cfg.Kind.Housing() {
			result = resultWaiting
		}
		if as.School != "" {
			result, choice = names[as.School], strconv.Itoa(as.Choice)
			if row[cResult] == result {
				placed++
			}
		}
		cell(cPoints, "points", strconv.FormatFloat(a.Points, 'f', -1, 64))
		cell(cTicket, "ticket", fmt.Sprintf(ticketFormat, as.Ticket))
		cell(cResult, "result", result)
		cell(cChoice, "choice", choice)
		if cWait >= 0 {
			cell(cWait, "waiting", waits[number])
		}
	}
	var missing []string
	for _, a := range in.Applicants {
		if _, ok := seen[a.ID]; !ok {
			missing = append(missing, a.ID)
		}
	}
	if len(missing) > 0 {
		problem("rows", "%d accepted applications of the allocation are not listed: %s", len(missing), clip(fmt.Sprint(missing)))
	}
	if n, ok := input["applications"].(float64); ok && int(n) != len(l.Rows) {
		problem("rows", "%d rows, the chain recorded %d applications at close", len(l.Rows), int(n))
	}
	allocated := 0
	for _, as := range res.Assignments {
		if as.School != "" {
			allocated++
		}
	}
	if placed != allocated {
		problem("rows", "%d rows placed, the allocation places %d", placed, allocated)
	}
	return placed
}

// waitPositions gives each accepted, unplaced applicant of a housing
// round its waiting-list entry as the list writes it: its first choice's
// name and its position there by priority (see waitingList).
func waitPositions(cfg *Config, in *alloc.Instance, res *alloc.Result) map[string]string {
	out := map[string]string{}
	if !cfg.Kind.Housing() {
		return out
	}
	names := map[string]string{}
	for _, p := range cfg.Places {
		names[p.Code] = p.Name
	}
	var waiting []*Application
	for i, a := range in.Applicants {
		as := res.Assignments[i]
		if as.School == "" && len(a.Preferences) > 0 {
			waiting = append(waiting, &Application{Number: a.ID, Points: a.Points, Tiebreak: a.Tiebreak, Ticket: as.Ticket, Choices: a.Preferences})
		}
	}
	sort.SliceStable(waiting, func(i, j int) bool { return higher(waiting[i], waiting[j]) })
	pos := map[string]int{}
	for _, a := range waiting {
		pos[a.Choices[0]]++
		out[a.Number] = names[a.Choices[0]] + " " + strconv.Itoa(pos[a.Choices[0]])
	}
	return out
}
