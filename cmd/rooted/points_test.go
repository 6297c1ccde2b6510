package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestPointsFromRegistry generates a city of 2,000, imports it and issues
// permits on each engine, then: facts piped into score scores everyone;
// score --db stores everyone once and nothing the second time; explain
// shows one person masked; diff prints its breakdowns.
func TestPointsFromRegistry(t *testing.T) {
	const asOf = "2026-11-29"
	dir := t.TempDir()
	mustRooted(t, "gen", "--persons", "2000", "--seed", "11", "--as-of", asOf, "--out", dir)
	files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			mustRooted(t, "migrate", "--sandbox", "--db", db) // permits as of a past day
			mustRooted(t, append([]string{"import", "--db", db, "--quarantine", t.TempDir()}, files...)...)
			mustRooted(t, "permits", "--db", db, "--as-of", asOf)

			facts := mustRooted(t, "facts", "--db", db, "--as-of", asOf)
			lines := strings.Split(strings.TrimSpace(facts), "\n")
			if len(lines) != 2000 {
				t.Fatalf("facts printed %d lines, want 2000", len(lines))
			}
			// The scheme declares the derived inputs: naming the shipped
			// one changes nothing; a scheme that does not load is refused.
			if named := mustRooted(t, "facts", "--db", db, "--as-of", asOf, "--scheme", "../../policies/zhejiang-county-default.yaml"); named != facts {
				t.Errorf("facts --scheme (the shipped one) differs from facts")
			}
			if _, stderr, status := rooted(t, "facts", "--db", db, "--as-of", asOf, "--scheme", filepath.Join(dir, "none.yaml")); status != 2 || !strings.Contains(stderr, "facts: scheme refused") {
				t.Errorf("facts --scheme (missing file): status %d, %s", status, stderr)
			}
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{"score", "--as-of", asOf}, func(string) string { return "" }, strings.NewReader(facts), &out, &errb)
			if err != nil {
				t.Fatalf("facts | score: %v\n%s", err, errb.String())
			}
			scored, positive := 0, 0
			sc := bufio.NewScanner(&out)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var r struct {
					Total float64
					Error string
				}
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.Error != "" {
					t.Fatalf("score line %q: %v", sc.Text(), err)
				}
				scored++
				if r.Total > 0 {
					positive++
				}
			}
			if scored != 2000 || positive < 1000 {
				t.Errorf("facts | score: %d scored, %d with points", scored, positive)
			}

			type summary struct {
				Persons, Failed   int
				Stored, Unchanged int64
				Eligible          map[string]int
			}
			var first, second summary
			mustJSON(t, mustRooted(t, "score", "--db", db, "--as-of", asOf), &first)
			if first.Persons != 2000 || first.Stored != 2000 || first.Unchanged != 0 || first.Eligible["school_seat"] == 0 {
				t.Errorf("first score --db: %+v", first)
			}
			mustJSON(t, mustRooted(t, "score", "--db", db, "--as-of", asOf), &second)
			if second.Persons != 2000 || second.Stored != 0 || second.Unchanged != 2000 {
				t.Errorf("second score --db stored something: %+v", second)
			}

			if name != "sqlite" {
				return // explain and diff read the same histories on both engines
			}
			var id struct{ ID string }
			mustJSON(t, lines[0], &id)
			text := mustRooted(t, "policy", "explain", "--db", db, "--as-of", asOf, "--person", id.ID)
			if !strings.Contains(text, id.ID[:6]+"********"+id.ID[14:]) || strings.Contains(text, id.ID) || !strings.Contains(text, "P1") {
				t.Errorf("explain text:\n%s", text)
			}
			var ex struct {
				Person string
				Items  []struct{ Code string }
				Raise  []struct{ Action string }
			}
			if err := json.Unmarshal([]byte(mustRooted(t, "policy", "explain", "--db", db, "--as-of", asOf, "--person", id.ID, "--json", "--lang", "en")), &ex); err != nil {
				t.Fatal(err)
			}
			if len(ex.Items) != 24 || len(ex.Raise) == 0 {
				t.Errorf("explain --json: %d items, %d actions", len(ex.Items), len(ex.Raise))
			}
			if _, _, status := rooted(t, "policy", "explain", "--db", db, "--person", "520102199001011234"); status != 2 {
				t.Errorf("explain of an unknown person: exit %d, want 2", status)
			}

			from, to := "../../policies/zhejiang-county-default.yaml", "../../policies/zhejiang-county-insurance-weighted.yaml"
			table := mustRooted(t, "policy", "diff", "--db", db, "--as-of", asOf, "--from", from, "--to", to)
			for _, want := range []string{"上升 gainers", "by town", "by province", "by sex", "by age", "浙江省 Zhejiang", "school_seat"} {
				if !strings.Contains(table, want) {
					t.Errorf("diff table lacks %q:\n%s", want, table)
				}
			}
			var rep struct {
				Persons, Gainers, Losers, Unchanged int
				Histogram                           []struct{ A, B int } `json:"histogram"`
				Breakdowns                          []struct{ Dimension string }
			}
			mustJSON(t, mustRooted(t, "policy", "diff", "--db", db, "--as-of", asOf, "--from", from, "--to", to, "--json"), &rep)
			if rep.Persons != 2000 || rep.Gainers+rep.Losers+rep.Unchanged != 2000 || rep.Gainers == 0 || len(rep.Breakdowns) != 4 || len(rep.Histogram) < 5 {
				t.Errorf("diff --json: %+v", rep)
			}
		})
	}
}
