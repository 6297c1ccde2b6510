package rounds_test

import (
	"context"
	"slices"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/rounds"
)

// TestOpenRoundsByClosingDay: the open rounds of a kind come by planned
// closing day, those without one last, whatever order they were created
// in; rounds not open and rounds of the other kind are left out.
func TestOpenRoundsByClosingDay(t *testing.T) {
	ctx := context.Background()
	svc, now := publishedRound(t) // g1 is published, not open
	at(now, "2026-06-02")
	for _, r := range []struct{ id, closes string }{{"a-late", "2026-07-01"}, {"b-none", ""}, {"c-early", "2026-06-10"}} {
		req := rounds.CreateRequest{ID: r.id, Name: r.id, Kind: rounds.Grade1, Year: 2027}
		if r.closes != "" {
			req.ClosesOn = date.MustParse(r.closes)
		}
		if _, err := svc.Create(ctx, req); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Open(ctx, r.id, testSeed); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		housing bool
		want    []string
	}{{false, []string{"c-early", "a-late", "b-none"}}, {true, nil}} {
		rs, err := svc.OpenRounds(ctx, tt.housing)
		var got []string
		for _, r := range rs {
			got = append(got, r.ID)
			if r.Seed != "" {
				t.Errorf("round %s: the seed of an open round is shown", r.ID)
			}
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("open rounds (housing %v): %v, %v; want %v", tt.housing, got, err, tt.want)
		}
	}
}

// TestApplicationsFollowed: the family follows its application as the
// round goes: refused at close with the reason, its 公示 window open for
// objections and then closed, with the objections filed about it, by
// either guardian, and nobody else's.
func TestApplicationsFollowed(t *testing.T) {
	ctx := context.Background()
	svc, now := publishedRound(t)
	at(now, "2026-06-02")
	for _, who := range []string{guardian, guardian2} {
		if _, err := svc.FileObjection(ctx, rounds.ObjectRequest{Round: "g1", Applicant: who, Number: "A00001", Text: "请核查 " + who[:6]}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name      string
		day       string
		ids       []string
		canObject bool
		n         int // applications
	}{
		{"the guardian, in the window", "2026-06-02", []string{guardian, kid}, true, 1},
		{"the child alone", "2026-06-05", []string{kid}, true, 1},
		{"after the window", "2026-06-08", []string{guardian}, false, 1},
		{"a stranger", "2026-06-02", []string{stranger}, false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			at(now, tt.day)
			list, err := svc.ApplicationsFor(ctx, tt.ids, msg.EN)
			if err != nil || len(list) != tt.n {
				t.Fatalf("%d applications, %v; want %d", len(list), err, tt.n)
			}
			if tt.n == 0 {
				return
			}
			pa := list[0]
			if pa.Round.ID != "g1" || pa.Application.Number != "A00001" || pa.Status != rounds.FollowRefused || pa.Result != "" || pa.Text == "" || len(pa.Lines) != 0 {
				t.Errorf("application: status %q, result %q, text %q, lines %v; want A00001 of g1 refused, saying why", pa.Status, pa.Result, pa.Text, pa.Lines)
			}
			if pa.CanObject != tt.canObject || len(pa.Objections) != 2 || pa.Objections[0].Applicant != guardian || pa.Objections[1].Applicant != guardian2 {
				t.Errorf("can object %v (want %v), objections %+v; want both guardians'", pa.CanObject, tt.canObject, pa.Objections)
			}
		})
	}
}
