package store

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/calendar"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/rounds"
)

// TestRounds runs the rounds store tests against each engine.
func TestRounds(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, dsn string)
	}{
		{"Lifecycle", testRoundLifecycle},
		{"LedgerAppendOnly", testLedgerAppendOnly},
		{"Objections", testObjections},
		{"Calendar", testCalendarYears},
		{"Documents", testRoundDocuments},
		{"LedgerTimeOrder", testLedgerTimeOrder},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) { tt.fn(t, e.dsn(t)) })
			}
		})
	}
}

// roundCreated is when newRound's rounds are created: before every step
// the tests take on them, for the ledger stays in time order.
var roundCreated = time.Date(2026, 2, 8, 9, 0, 0, 0, time.UTC)

func newRound(t *testing.T, db *DB, id string) rounds.Round {
	t.Helper()
	r := rounds.Round{Config: rounds.Config{ID: id, Name: "测试 & test", Kind: rounds.Grade1, Year: 2026, Mode: rounds.ByPoints, Choices: 2, WindowDays: 5,
		Places: []rounds.Place{{Code: "S1", Name: "一小", Town: "zeguo", Seats: 2}, {Code: "S2", Name: "二小", Town: "daxi", Seats: 1}}},
		Status: rounds.Draft, CreatedAt: roundCreated}
	if err := db.CreateRound(ctx, r, ledger.Draft{Kind: rounds.EntryConfig, At: roundCreated, Payload: []byte(`{"id":"` + id + `"}`)}); err != nil {
		t.Fatalf("CreateRound: %v", err)
	}
	return r
}

func testRoundLifecycle(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	r := newRound(t, db, "r1")
	if err := db.CreateRound(ctx, r, ledger.Draft{Kind: "config", Payload: []byte(`{}`)}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second CreateRound: %v, want a conflict", err)
	}
	if _, err := db.Round(ctx, "nope"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Round of an unknown id: %v, want not_found", err)
	}
	// A change from the wrong status is a conflict and writes nothing.
	if _, err := db.Commit(ctx, "r1", rounds.Change{From: rounds.Open, Ledger: []ledger.Draft{{Kind: "x", Payload: []byte(`{}`)}}}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("Commit from open on a draft: %v, want a conflict", err)
	}
	r.Status, r.Seed, r.SeedSHA256, r.OpenedOn = rounds.Open, "s", "h", date.MustParse("2026-02-08")
	if _, err := db.Commit(ctx, "r1", rounds.Change{From: rounds.Draft, Round: &r, Ledger: []ledger.Draft{{Kind: rounds.EntryCommitment, At: roundCreated.Add(time.Hour), Payload: []byte(`{"seed_sha256":"h"}`)}}}); err != nil {
		t.Fatal(err)
	}
	apps := []rounds.Application{
		{Applicant: "G1", Child: "C1", Choices: []string{"S1", "S2"}, Status: rounds.Pending, AppliedOn: date.MustParse("2026-03-01")},
		{Applicant: "G2", Child: "C2", Choices: []string{"S2"}, Status: rounds.Refused, Reason: "too_young", Detail: "5"},
	}
	added, err := db.Commit(ctx, "r1", rounds.Change{From: rounds.Open, Add: apps})
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 2 || added[0].Number != "A00001" || added[1].Seq != 2 {
		t.Errorf("added = %+v, want numbers A00001, A00002", added)
	}
	// The same child again is a conflict; a refused one may apply again.
	if _, err := db.Commit(ctx, "r1", rounds.Change{From: rounds.Open, Add: apps[:1]}); !apperr.Is(err, apperr.Conflict) || strings.Contains(err.Error(), "C1") && len("C1") == 18 {
		t.Errorf("second application for C1: %v, want a conflict", err)
	}
	if _, err := db.Commit(ctx, "r1", rounds.Change{From: rounds.Open, Add: []rounds.Application{{Applicant: "G2", Child: "C2", Choices: []string{"S1"}, Status: rounds.Pending}}}); err != nil {
		t.Errorf("re-application after a refusal: %v", err)
	}
	got, err := db.Applications(ctx, "r1")
	if err != nil || len(got) != 3 {
		t.Fatalf("Applications = %d, %v; want 3", len(got), err)
	}
	a := got[0]
	a.Status, a.Points, a.Tiebreak, a.District, a.Placed, a.Choice, a.Ticket = rounds.Accepted, 86.25, []float64{12.5, 36, 0.1}, "zeguo", "S1", 1, 0xfedcba9876543210
	r.Status = rounds.Closed
	if _, err := db.Commit(ctx, "r1", rounds.Change{From: rounds.Open, Round: &r, Update: []rounds.Application{a},
		Documents: map[string][]byte{rounds.DocInput: []byte("{\"x\":1}\n")}}); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Applications(ctx, "r1")
	g := got[0]
	if g.Status != rounds.Accepted || g.Points != 86.25 || !slices.Equal(g.Tiebreak, a.Tiebreak) || g.Ticket != a.Ticket || g.Placed != "S1" ||
		!slices.Equal(g.Choices, []string{"S1", "S2"}) || g.AppliedOn.String() != "2026-03-01" {
		t.Errorf("application after update:\n got %+v\nwant %+v", g, a)
	}
	if doc, err := db.Document(ctx, "r1", rounds.DocInput); err != nil || string(doc) != "{\"x\":1}\n" {
		t.Errorf("Document = %q, %v", doc, err)
	}
	if _, err := db.Document(ctx, "r1", rounds.DocOutput); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("missing document: %v, want not_found", err)
	}
	rr, err := db.Round(ctx, "r1")
	if err != nil || rr.Status != rounds.Closed || rr.Name != "测试 & test" || rr.OpenedOn.String() != "2026-02-08" || len(rr.Places) != 2 {
		t.Errorf("Round = %+v, %v", rr, err)
	}
	es, err := db.Ledger(ctx, "r1")
	if err != nil || len(es) != 2 {
		t.Fatalf("Ledger = %d entries, %v; want 2", len(es), err)
	}
	if err := ledger.Verify("r1", es); err != nil {
		t.Errorf("stored chain does not verify: %v", err)
	}
}

func testLedgerAppendOnly(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	newRound(t, db, "r1")
	for _, stmt := range []string{`UPDATE ledger SET kind = 'x'`, `DELETE FROM ledger`} {
		if _, err := db.sql.ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", stmt, err)
		}
	}
	if es, _ := db.Ledger(ctx, "r1"); len(es) != 1 || es[0].Kind != rounds.EntryConfig {
		t.Errorf("ledger after refused changes: %+v", es)
	}
}

func testCalendarYears(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	y := calendar.Year{Year: 2027, Notice: "n", Holidays: []calendar.Holiday{{Name: "国庆节", From: date.MustParse("2027-10-01"), To: date.MustParse("2027-10-07")}}, Workdays: []date.Date{date.MustParse("2027-10-09")}}
	for range 2 { // stored twice: replaced
		if err := db.PutCalendarYear(ctx, y); err != nil {
			t.Fatal(err)
		}
	}
	ys, err := db.CalendarYears(ctx)
	if err != nil || len(ys) != 1 || ys[0].Year != 2027 || len(ys[0].Holidays) != 1 || ys[0].Workdays[0] != y.Workdays[0] {
		t.Errorf("CalendarYears = %+v, %v", ys, err)
	}
}

// testObjections: objections are numbered in the order filed (a number
// taken meanwhile is a conflict), answered once (a second answer is a
// conflict, also for a direct UPDATE), and read back with their answers.
func testObjections(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	r := newRound(t, db, "r1")
	r.Status, r.PublishedOn, r.WindowEnds = rounds.Published, date.MustParse("2026-06-01"), date.MustParse("2026-06-05")
	if _, err := db.Commit(ctx, "r1", rounds.Change{From: rounds.Draft, Round: &r}); err != nil {
		t.Fatal(err)
	}
	filed := time.Date(2026, 6, 2, 1, 2, 3, 456789000, time.UTC)
	object := func(seq int, text string) error {
		_, err := db.Commit(ctx, "r1", rounds.Change{From: rounds.Published, Objections: []rounds.Objection{{Seq: seq, Applicant: "G1", Number: "A00001", At: filed, Text: text}},
			Ledger: []ledger.Draft{{Kind: rounds.EntryObjection, At: filed, Payload: []byte(`{"objection":1}`)}}})
		return err
	}
	for _, tt := range []struct {
		seq  int
		code string // "" for success
	}{{1, ""}, {1, apperr.Conflict}, {3, apperr.Conflict}, {2, ""}} {
		if err := object(tt.seq, "异议 "+strconv.Itoa(tt.seq)); tt.code == "" && err != nil || tt.code != "" && !apperr.Is(err, tt.code) {
			t.Errorf("objection %d: %v, want %q", tt.seq, err, tt.code)
		}
	}
	decided := filed.Add(48 * time.Hour)
	answer := func(seq int, d rounds.Decision) error {
		_, err := db.Commit(ctx, "r1", rounds.Change{From: rounds.Published,
			Decisions: []rounds.Objection{{Seq: seq, Decision: d, Reply: "答复 & reply", DecidedBy: "education", DecidedAt: decided}},
			Ledger:    []ledger.Draft{{Kind: rounds.EntryDecision, At: decided, Payload: []byte(`{}`)}}})
		return err
	}
	for _, tt := range []struct {
		seq  int
		d    rounds.Decision
		code string
	}{{2, rounds.Dismissed, ""}, {2, rounds.Upheld, apperr.Conflict}, {9, rounds.Upheld, apperr.NotFound}} {
		if err := answer(tt.seq, tt.d); tt.code == "" && err != nil || tt.code != "" && !apperr.Is(err, tt.code) {
			t.Errorf("answer %s to objection %d: %v, want %q", tt.d, tt.seq, err, tt.code)
		}
	}
	if _, err := db.sql.ExecContext(ctx, `UPDATE round_objections SET decision = 'upheld' WHERE seq = 2`); err == nil || !strings.Contains(err.Error(), "answered objection is final") {
		t.Errorf("changing an answer: %v, want refused", err)
	}
	got, err := db.Objections(ctx, "r1")
	if err != nil || len(got) != 2 {
		t.Fatalf("Objections = %+v, %v; want 2", got, err)
	}
	if o := got[0]; o.Seq != 1 || o.Text != "异议 1" || o.Answered() || !o.At.Equal(filed) || o.Applicant != "G1" || o.Number != "A00001" {
		t.Errorf("objection 1: %+v", o)
	}
	if o := got[1]; o.Seq != 2 || o.Decision != rounds.Dismissed || o.Reply != "答复 & reply" || o.DecidedBy != "education" || !o.DecidedAt.Equal(decided) {
		t.Errorf("objection 2: %+v", o)
	}
	if es, _ := db.Ledger(ctx, "r1"); len(es) != 4 || ledger.Verify("r1", es) != nil {
		t.Errorf("ledger after objections: %d entries, want 4 verifying (refused changes write nothing)", len(es))
	}
}

// testRoundDocuments: documents come back byte for byte, text or binary
// (an XLSX: a zip with NUL bytes and bytes that are not UTF-8), each
// written once; LedgerHead is the chain's last entry.
func testRoundDocuments(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	newRound(t, db, "d1")
	if _, err := db.LedgerHead(ctx, "nope"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("LedgerHead of an unknown round: %v, want not_found", err)
	}
	docs := map[string][]byte{
		"text":   []byte("\ufeff申请编号 number,结果 result\r\nA00001,一小\r\n"),
		"binary": {'P', 'K', 3, 4, 0, 0, 0xff, 0xfe, 0x80, '\n', 0},
		"empty":  {},
	}
	if _, err := db.Commit(ctx, "d1", rounds.Change{From: rounds.Draft, Documents: docs,
		Ledger: []ledger.Draft{{Kind: "files", At: time.Now(), Payload: []byte(`{"n":3}`)}}}); err != nil {
		t.Fatal(err)
	}
	for kind, want := range docs {
		got, err := db.Document(ctx, "d1", kind)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Document %s = %q, %v; want %q", kind, got, err, want)
		}
	}
	if _, err := db.Commit(ctx, "d1", rounds.Change{From: rounds.Draft, Documents: map[string][]byte{"binary": {0}}}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("a document written twice: %v, want a conflict", err)
	}
	head, err := db.LedgerHead(ctx, "d1")
	es, _ := db.Ledger(ctx, "d1")
	if err != nil || len(es) != 2 || head.Seq != 2 || head.Hash != es[1].Hash || head.Kind != "files" {
		t.Errorf("LedgerHead = %+v, %v; want the second entry of %d", head, err, len(es))
	}
}

// testLedgerTimeOrder: a step dated before the round's last entry is a
// conflict and writes nothing, neither the entry nor the round's change;
// one at the same instant or later is appended.
func testLedgerTimeOrder(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	r := newRound(t, db, "o1")
	r.Status = rounds.Open
	_, err := db.Commit(ctx, "o1", rounds.Change{From: rounds.Draft, Round: &r,
		Ledger: []ledger.Draft{{Kind: rounds.EntryCommitment, At: roundCreated.Add(-time.Second), Payload: []byte(`{}`)}}})
	if !apperr.Is(err, apperr.Conflict) || !errors.Is(err, ledger.ErrOutOfOrder) {
		t.Errorf("a step dated before the last entry: %v, want a conflict", err)
	}
	if got, err := db.Round(ctx, "o1"); err != nil || got.Status != rounds.Draft {
		t.Errorf("after the refused step: %+v, %v; want the round still a draft", got.Status, err)
	}
	if es, _ := db.Ledger(ctx, "o1"); len(es) != 1 {
		t.Errorf("after the refused step the chain has %d entries, want 1", len(es))
	}
	for _, at := range []time.Time{roundCreated, roundCreated.Add(time.Minute)} {
		if _, err := db.Commit(ctx, "o1", rounds.Change{From: rounds.Draft,
			Ledger: []ledger.Draft{{Kind: "note", At: at, Payload: []byte(`{}`)}}}); err != nil {
			t.Errorf("a step at %s: %v", at, err)
		}
	}
}
