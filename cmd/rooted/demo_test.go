package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/rounds"
)

// TestDemoRounds: the demo gets last year's grade-7 round published and a
// grade-1 round open four weeks, twice without harm; the demo citizen has
// a child of the open round's cohort, whose application the round takes.
func TestDemoRounds(t *testing.T) {
	db := cityDB(t, func(t *testing.T) string { return filepath.Join(t.TempDir(), "rooted.db") })
	st, err := openStore(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := config{AsOf: date.MustParse(roundCityAsOf)}
	e := &env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard}
	scheme, err := policy.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := demoRounds(t.Context(), e, st, c, scheme); err != nil {
			t.Fatal(err)
		}
	}
	svc := &rounds.Service{Store: st, Scheme: scheme, Files: ingest.PublicationFiles{}, Now: clockAt(c.AsOf)}
	rs, err := svc.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]rounds.Round{}
	for _, r := range rs {
		got[r.ID] = r
	}
	if len(rs) != 2 || got["2025-grade7-city"].Status != rounds.Published || got["2026-grade1-city"].Status != rounds.Open ||
		got["2026-grade1-city"].ClosesOn != "2026-06-17" {
		t.Fatalf("demo rounds: %+v", rs)
	}
	if sh, err := svc.Show(t.Context(), "2025-grade7-city"); err != nil || sh.Applications["accepted"] == 0 {
		t.Errorf("last year's round: %v, applications %v", err, sh.Applications)
	}
	// A family of last year's round sees its result explained, in English.
	apps, err := st.Applications(t.Context(), "2025-grade7-city")
	if err != nil || len(apps) == 0 {
		t.Fatalf("last year's applications: %v, %d", err, len(apps))
	}
	list, err := svc.ApplicationsFor(t.Context(), []string{apps[0].Child}, msg.EN)
	if err != nil || len(list) != 1 || (list[0].Status != "allocated" && list[0].Status != "unplaced") ||
		len(list[0].Lines) < 2 || !strings.HasPrefix(list[0].Lines[0], "your priority") {
		t.Errorf("a family's view of last year's round: %v, %+v", err, list)
	}

	id, err := demoCitizen(t.Context(), st, c, scheme)
	if err != nil {
		t.Fatal(err)
	}
	h, err := st.History(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range h.Children {
		if date.YearsBetween(ch.BirthDate, date.Of(2026, time.August, 31)) != 6 {
			continue
		}
		a, err := svc.Apply(t.Context(), rounds.ApplyRequest{Round: "2026-grade1-city", Applicant: id, Child: ch.IDNumber, Choices: []string{got["2026-grade1-city"].Places[0].Code}})
		if err != nil || a.Status != rounds.Pending {
			t.Fatalf("the demo citizen's application: %v, %+v", err, a)
		}
		return
	}
	t.Fatalf("the demo citizen %s has no child of 6 on 31 August 2026: %+v", id[:6], h.Children)
}
