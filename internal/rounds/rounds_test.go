package rounds

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/msg"
)

func TestMessagesBothLanguages(t *testing.T) {
	for _, k := range msg.Keys(reasonFamily) {
		zh, _ := msg.Format(msg.ZH, k)
		en, _ := msg.Format(msg.EN, k)
		key := k[len(reasonFamily):]
		if zh == "" || en == "" {
			t.Errorf("message %q: zh %q, en %q; want both", key, zh, en)
		}
		if strings.Count(zh, "%") != strings.Count(en, "%") {
			t.Errorf("message %q: zh and en take different arguments: %q / %q", key, zh, en)
		}
	}
	if got := T(msg.EN, "too_young", "5"); got != "the child is 5 on 31 August, below the entry age" {
		t.Errorf("T(en, too_young) = %q", got)
	}
	if got := T(msg.ZH, "no such key"); got != "no such key" {
		t.Errorf("T of an unknown key = %q, want the key", got)
	}
}

func TestExpectedWait(t *testing.T) {
	for _, tt := range []struct {
		position, units, rounds, days int
		wantRounds, wantDays          int
	}{
		{1, 3, 1, 0, 1, 0},
		{7, 3, 1, 0, 3, 0},
		{7, 6, 2, 90, 3, 270}, // 3 a round, every 90 days
		{10, 0, 2, 90, 0, 0},  // nothing allocated: no estimate
		{0, 3, 1, 0, 0, 0},
	} {
		w := ExpectedWait("one_bedroom", tt.position, tt.units, tt.rounds, tt.days)
		if w.Rounds != tt.wantRounds || w.Days != tt.wantDays {
			t.Errorf("ExpectedWait(position %d, %d units over %d rounds, %d days) = %d rounds %d days; want %d, %d",
				tt.position, tt.units, tt.rounds, tt.days, w.Rounds, w.Days, tt.wantRounds, tt.wantDays)
		}
	}
}

func TestWaitingList(t *testing.T) {
	apps := []Application{
		{Number: "A1", Status: Accepted, Choices: []string{"one"}, Points: 10, Ticket: 5},
		{Number: "A2", Status: Accepted, Choices: []string{"one"}, Points: 20, Ticket: 9},
		{Number: "A3", Status: Accepted, Choices: []string{"two"}, Points: 10, Ticket: 1},
		{Number: "A4", Status: Accepted, Choices: []string{"one"}, Points: 10, Ticket: 2},
		{Number: "A5", Status: Accepted, Choices: []string{"one"}, Points: 99, Placed: "one"},
		{Number: "A6", Status: Refused, Choices: []string{"one"}, Points: 99},
		{Number: "A7", Status: Accepted, Choices: []string{"one"}, Points: 10, Tiebreak: []float64{3}, Ticket: 7},
	}
	for i := range apps {
		if apps[i].Tiebreak == nil && apps[i].Number != "A5" {
			apps[i].Tiebreak = []float64{1}
		}
	}
	waitingList(apps)
	want := map[string]int{"A1": 4, "A2": 1, "A3": 1, "A4": 3, "A5": 0, "A6": 0, "A7": 2}
	for _, a := range apps {
		if a.WaitPosition != want[a.Number] {
			t.Errorf("%s: waiting position %d, want %d", a.Number, a.WaitPosition, want[a.Number])
		}
	}
}

func TestWhy(t *testing.T) {
	yes, no := true, false
	for _, tt := range []struct {
		name      string
		own, cut  Priority
		nilCutoff bool
		want      string
	}{
		{"no seats", Priority{}, Priority{}, true, "why_no_seats"},
		{"district", Priority{InDistrict: &no, Points: 99}, Priority{InDistrict: &yes, Points: 10}, false, "why_district"},
		{"points", Priority{InDistrict: &yes, Points: 9}, Priority{InDistrict: &yes, Points: 10}, false, "why_points"},
		{"tie-break", Priority{Points: 10, Tiebreak: []float64{5, 1}}, Priority{Points: 10, Tiebreak: []float64{5, 2}}, false, "why_tiebreak"},
		{"ticket", Priority{Points: 10, Tiebreak: []float64{5}, Ticket: "0x0000000000000009"}, Priority{Points: 10, Tiebreak: []float64{5}, Ticket: "0x0000000000000001"}, false, "why_ticket"},
	} {
		c := Comparison{Own: tt.own}
		if !tt.nilCutoff {
			c.Cutoff = &tt.cut
		}
		if got, _ := why(c, []string{"provincial"}); got != tt.want {
			t.Errorf("%s: why = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestUnitRules(t *testing.T) {
	if got := UnitTypesFor(DefaultUnitRules, 4); len(got) != 1 || got[0] != "two_bedroom" {
		t.Errorf("UnitTypesFor(4) = %v", got)
	}
	if got := UnitTypesFor(DefaultUnitRules, 9); len(got) != 1 || got[0] != "three_bedroom" {
		t.Errorf("UnitTypesFor(9) = %v", got)
	}
	for _, tt := range []struct {
		rules []UnitRule
		ok    bool
	}{
		{DefaultUnitRules, true},
		{[]UnitRule{{1, 3, "a"}, {3, 4, "b"}}, false},
		{[]UnitRule{{1, 0, "a"}, {5, 0, "b"}}, false},
		{[]UnitRule{{0, 2, "a"}}, false},
		{[]UnitRule{{3, 2, "a"}}, false},
	} {
		if err := checkUnitRules(tt.rules); (err == nil) != tt.ok {
			t.Errorf("checkUnitRules(%v) = %v, want ok %v", tt.rules, err, tt.ok)
		}
	}
}

// TestNoIO keeps the rounds domain free of HTTP, SQL and spreadsheets.
func TestNoIO(t *testing.T) {
	for _, pkg := range []string{"rounds", "ledger", "calendar"} {
		path := "github.com/newcitizens/rooted/internal/" + pkg
		out, err := exec.Command("go", "list", "-deps", path).CombinedOutput()
		if err != nil {
			t.Skipf("go list -deps %s: %v\n%s", path, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range []string{"net/http", "database/sql", "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/xuri/excelize"} {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
