package rounds_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/rounds"
	"github.com/newcitizens/rooted/internal/store"
)

// The registry of the objection tests: a child with two guardians, and a
// stranger to the family.
const (
	guardian  = "520102198503033311" // applies for child
	guardian2 = "520102198604043322" // the child's other registered guardian
	kid       = "520102202005050126"
	stranger  = "430102199001011234"
)

// testSeed is a seed that passes rounds.CheckSeed, as a random one would.
const testSeed = "4f1c9e07b2a86d53e0c7a9f2814b6d3e5a0f9c2b7e1d8a46"

// publishedRound returns a service on a fresh SQLite store whose clock
// reads *now, with grade-1 round g1 allocated (the guardian's application
// for the child refused at close: nobody holds a residence permit) and
// published on Monday 1 June 2026, so that its 公示 window of 5 working
// days ends on Friday 5 June.
func publishedRound(t *testing.T) (*rounds.Service, *time.Time) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := st.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := date.MustParse
	for _, err := range []error{
		b.PutPerson(ctx, registry.Person{IDNumber: guardian, Name: "测试", BirthDate: d("1985-03-03"), Sex: registry.Male, Origin: "520102"}),
		b.PutPerson(ctx, registry.Person{IDNumber: guardian2, Name: "测二", BirthDate: d("1986-04-04"), Sex: registry.Female, Origin: "520102"}),
		b.PutPerson(ctx, registry.Person{IDNumber: kid, Name: "测小", BirthDate: d("2020-05-05"), Sex: registry.Female, Origin: "520102"}),
		b.PutPerson(ctx, registry.Person{IDNumber: stranger, Name: "王五六", BirthDate: d("1990-01-01"), Sex: registry.Male, Origin: "430102"}),
		b.PutGuardian(ctx, registry.Guardianship{Child: kid, Guardian: guardian}),
		b.PutGuardian(ctx, registry.Guardianship{Child: kid, Guardian: guardian2}),
		b.PutTown(ctx, registry.Town{Code: "zeguo", Name: "泽国镇", Kind: "town"}),
		b.PutSchool(ctx, registry.School{Code: "zg-p1", Name: "泽国镇第一小学", Town: "zeguo", Level: "primary", EntrySeats: 90}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(ctx, registry.ImportRun{File: "t"}); err != nil {
		t.Fatal(err)
	}
	scheme, err := policy.Load("")
	if err != nil {
		t.Fatal(err)
	}
	now := new(time.Time)
	svc := &rounds.Service{Store: st, Scheme: scheme, Files: ingest.PublicationFiles{}, Now: func() time.Time { return *now }}
	at(now, "2026-05-01")
	if _, err := svc.Create(ctx, rounds.CreateRequest{ID: "g1", Name: "一年级", Kind: rounds.Grade1, Year: 2026}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Open(ctx, "g1", testSeed); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Apply(ctx, rounds.ApplyRequest{Round: "g1", Applicant: guardian, Child: kid, Choices: []string{"zg-p1"}}); err != nil {
		t.Fatal(err)
	}
	at(now, "2026-05-29")
	if _, err := svc.Close(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	at(now, "2026-06-01")
	if _, err := svc.Allocate(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Object(ctx, "g1", guardian, "too early"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("objection to an allocated round not published: %v, want a conflict", err)
	}
	pub, err := svc.Publish(ctx, "g1")
	if err != nil || pub.WindowEnds != "2026-06-05" {
		t.Fatalf("publish: window ends %s, %v; want 2026-06-05", pub.WindowEnds, err)
	}
	return svc, now
}

// at sets the clock to 10:00 UTC (18:00 in China) on day.
func at(now *time.Time, day string) {
	*now = date.MustParse(day).Time().Add(10 * time.Hour)
}

// TestObjectionsAnswered runs objections through a round: filed by the
// applicant and by the child's other guardian (not by a stranger),
// answered once each, finalisation refused before the window ends and
// while one is unanswered; the export verifies, counts the answers, and a
// changed answer fails verification.
func TestObjectionsAnswered(t *testing.T) {
	ctx := context.Background()
	svc, now := publishedRound(t)
	at(now, "2026-06-02")

	for _, tt := range []struct {
		name string
		req  rounds.ObjectRequest
		code string // "" for success
		seq  int
	}{
		{"own application", rounds.ObjectRequest{Round: "g1", Applicant: guardian, Text: "  我家住在泽国，为何不符合条件？ "}, "", 1},
		{"the child's other guardian", rounds.ObjectRequest{Round: "g1", Applicant: guardian2, Number: "A00001", Text: "同上"}, "", 2},
		{"a stranger about the family's application", rounds.ObjectRequest{Round: "g1", Applicant: stranger, Number: "A00001", Text: "x"}, apperr.Forbidden, 0},
		{"a stranger without an application", rounds.ObjectRequest{Round: "g1", Applicant: stranger, Text: "x"}, apperr.NotFound, 0},
		{"an unknown application", rounds.ObjectRequest{Round: "g1", Applicant: guardian, Number: "A00009", Text: "x"}, apperr.NotFound, 0},
		{"no text", rounds.ObjectRequest{Round: "g1", Applicant: guardian, Text: "  "}, apperr.Invalid, 0},
		{"too long", rounds.ObjectRequest{Round: "g1", Applicant: guardian, Text: strings.Repeat("异", rounds.MaxObjectionText+1)}, apperr.Invalid, 0},
		{"unknown round", rounds.ObjectRequest{Round: "nope", Applicant: guardian, Text: "x"}, apperr.NotFound, 0},
	} {
		o, err := svc.FileObjection(ctx, tt.req)
		switch {
		case tt.code == "" && (err != nil || o.Seq != tt.seq || o.Number != "A00001"):
			t.Errorf("%s: %+v, %v; want objection %d about A00001", tt.name, o, err, tt.seq)
		case tt.code != "" && !apperr.Is(err, tt.code):
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		case err != nil && strings.Contains(err.Error(), stranger):
			t.Errorf("%s: the error shows a full ID number: %v", tt.name, err)
		}
	}

	answer := func(n int, d rounds.Decision, reply, by string) (rounds.Objection, error) {
		return svc.Answer(ctx, rounds.AnswerRequest{Round: "g1", Objection: n, Decision: d, Reply: reply, By: by})
	}
	for _, tt := range []struct {
		name     string
		n        int
		decision rounds.Decision
		reply    string
		by       string
		code     string
	}{
		{"no decision", 1, "", "答复", "education", apperr.Invalid},
		{"another decision", 1, "partly", "答复", "education", apperr.Invalid},
		{"no reply", 1, rounds.Upheld, " ", "education", apperr.Invalid},
		{"a reply too long", 1, rounds.Upheld, strings.Repeat("答", rounds.MaxObjectionText+1), "education", apperr.Invalid},
		{"nobody", 1, rounds.Upheld, "答复", "", apperr.Invalid},
		{"unknown objection", 3, rounds.Upheld, "答复", "education", apperr.NotFound},
		{"upheld", 1, rounds.Upheld, "异议成立：居住证数据迟报，已更正；将在补录轮次中安排学位。", "education", ""},
		{"answered twice", 1, rounds.Dismissed, "再答复", "education", apperr.Conflict},
	} {
		o, err := answer(tt.n, tt.decision, tt.reply, tt.by)
		if tt.code != "" && !apperr.Is(err, tt.code) || tt.code == "" && (err != nil || !o.Answered() || o.DecidedBy != "education") {
			t.Errorf("%s: %+v, %v; want %q", tt.name, o, err, tt.code)
		}
	}

	at(now, "2026-06-05")
	if _, err := svc.Finalize(ctx, "g1"); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "runs until 2026-06-05") {
		t.Errorf("finalize inside the window: %v, want a conflict naming the end", err)
	}
	at(now, "2026-06-08")
	if _, err := svc.Object(ctx, "g1", guardian, "late"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("objection after the window: %v, want forbidden", err)
	}
	if _, err := svc.Finalize(ctx, "g1"); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "1 of 2 objections not answered") {
		t.Errorf("finalize with an objection unanswered: %v, want a conflict saying how many", err)
	}
	ov, err := svc.Show(ctx, "g1")
	if err != nil || ov.Objections != 2 || ov.Unanswered != 1 || len(ov.ObjectionList) != 2 || ov.ObjectionList[0].Decision != rounds.Upheld || ov.ObjectionList[1].Decision != "" {
		t.Errorf("overview before the last answer: %+v, %v", ov, err)
	}
	if _, err := answer(2, rounds.Dismissed, "经核查，截止日无有效居住证，不符合条件。", "education2"); err != nil {
		t.Fatal(err)
	}
	if r, err := svc.Finalize(ctx, "g1"); err != nil || r.Status != rounds.Final {
		t.Fatalf("finalize: %+v, %v", r, err)
	}
	if _, err := answer(2, rounds.Upheld, "改判", "education"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("an answer to a final round: %v, want a conflict", err)
	}
	objs, err := svc.Objections(ctx, "g1")
	if err != nil || len(objs) != 2 || objs[0].Text != "我家住在泽国，为何不符合条件？" || objs[1].Decision != rounds.Dismissed || objs[1].DecidedBy != "education2" {
		t.Errorf("objections: %+v, %v", objs, err)
	}

	data, err := svc.Export(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rounds.Verify(data)
	if err != nil || !rep.OK() || rep.Objections != 2 || rep.Upheld != 1 || rep.Dismissed != 1 {
		t.Fatalf("verify: %+v, %v; want OK with 2 objections, 1 upheld, 1 dismissed", rep, err)
	}
	var kinds []string
	_, chain, _ := strings.Cut(string(data), `"ledger":[`)
	for _, line := range strings.Split(chain, "\n") {
		if _, rest, ok := strings.Cut(line, `"kind":"`); ok {
			kind, _, _ := strings.Cut(rest, `"`)
			kinds = append(kinds, kind)
		}
	}
	want := "config seed_commitment input seed_reveal output publish objection objection objection_decision objection_decision final"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("ledger kinds:\n got %s\nwant %s", got, want)
	}
	if bytes.Contains(data, []byte("异议成立")) || bytes.Contains(data, []byte("泽国，为何")) {
		t.Error("the export holds the text of an objection or a reply; it should hold their digests only")
	}

	// Turning the upheld objection into a dismissed one breaks the chain.
	bad := bytes.Replace(data, []byte(`"decision":"upheld"`), []byte(`"decision":"dismissed"`), 1)
	if bytes.Equal(bad, data) {
		t.Fatal("no upheld decision in the export")
	}
	rep, err = rounds.Verify(bad)
	if err != nil || rep.OK() || !strings.Contains(rep.Problems[0].Where, "objection_decision") || !strings.Contains(rep.Problems[0].What, "payload_sha256") {
		t.Errorf("verify of a changed answer: %+v, %v; want the decision entry's payload digest named", rep.Problems, err)
	}
}
