package alloc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// higher reports whether applicant x has priority over applicant y at
// school s: the contract's order, written out plainly and independently of
// the engine's packed keys.
func higher(in *Instance, s School, x, y *Applicant) bool {
	dx := s.District != "" && x.District == s.District
	dy := s.District != "" && y.District == s.District
	if dx != dy {
		return dx
	}
	if x.Points != y.Points {
		return x.Points > y.Points
	}
	for k := range x.Tiebreak {
		if x.Tiebreak[k] != y.Tiebreak[k] {
			return x.Tiebreak[k] > y.Tiebreak[k]
		}
	}
	tx, ty := Ticket(in.Seed, x.ID), Ticket(in.Seed, y.ID)
	if tx != ty {
		return tx < ty
	}
	return x.ID < y.ID
}

// matching is a school index per applicant, -1 for none.
type matching []int

func schoolIndexes(in *Instance) map[string]int {
	m := map[string]int{}
	for i, s := range in.Schools {
		m[s.ID] = i
	}
	return m
}

// rankOf is the position of school s in a's preferences, or len when absent
// (none, or a school not listed, is worse than every listed school).
func rankOf(in *Instance, a *Applicant, s int) int {
	if s < 0 {
		return len(a.Preferences)
	}
	if k := slices.Index(a.Preferences, in.Schools[s].ID); k >= 0 {
		return k
	}
	return len(a.Preferences)
}

// blockingPair returns a description of a pair that blocks m, or "".
func blockingPair(in *Instance, m matching) string {
	idx := schoolIndexes(in)
	held := make([][]int, len(in.Schools))
	for a, s := range m {
		if s >= 0 {
			held[s] = append(held[s], a)
		}
	}
	for a := range in.Applicants {
		ap := &in.Applicants[a]
		for k := 0; k < rankOf(in, ap, m[a]); k++ {
			s := idx[ap.Preferences[k]]
			if len(held[s]) < in.Schools[s].Capacity {
				return fmt.Sprintf("%s wants %s, which has a free seat", ap.ID, in.Schools[s].ID)
			}
			for _, b := range held[s] {
				if higher(in, in.Schools[s], ap, &in.Applicants[b]) {
					return fmt.Sprintf("%s wants %s, which holds %s of lower priority", ap.ID, in.Schools[s].ID, in.Applicants[b].ID)
				}
			}
		}
	}
	return ""
}

func toMatching(t *testing.T, in *Instance, r *Result) matching {
	t.Helper()
	idx := schoolIndexes(in)
	m := make(matching, len(r.Assignments))
	for i, as := range r.Assignments {
		m[i] = -1
		if as.School != "" {
			m[i] = idx[as.School]
		}
	}
	return m
}

// checkResult checks every invariant of r as the result of in: one
// assignment per applicant in order, with the right ticket and choice; a
// school only from the applicant's list; capacity kept; admitted counts and
// cutoffs right; no blocking pair (stable and non-wasteful).
func checkResult(t *testing.T, in *Instance, r *Result) {
	t.Helper()
	if len(r.Assignments) != len(in.Applicants) || len(r.Schools) != len(in.Schools) {
		t.Fatalf("%d assignments and %d schools, want %d and %d", len(r.Assignments), len(r.Schools), len(in.Applicants), len(in.Schools))
	}
	if r.SeedSHA256 != [32]byte(mustHex(t, SeedSHA256(in.Seed))) {
		t.Errorf("seed hash %x, want %s", r.SeedSHA256, SeedSHA256(in.Seed))
	}
	idx := schoolIndexes(in)
	held := make([][]int, len(in.Schools))
	for i, as := range r.Assignments {
		a := &in.Applicants[i]
		if as.Applicant != a.ID || as.Ticket != Ticket(in.Seed, a.ID) {
			t.Fatalf("assignments[%d] = %+v, want applicant %s ticket %#x", i, as, a.ID, Ticket(in.Seed, a.ID))
		}
		if as.School == "" {
			if as.Choice != 0 {
				t.Errorf("%s: no school but choice %d", a.ID, as.Choice)
			}
			continue
		}
		if as.Choice < 1 || as.Choice > len(a.Preferences) || a.Preferences[as.Choice-1] != as.School {
			t.Fatalf("%s: school %s as choice %d, preferences %v", a.ID, as.School, as.Choice, a.Preferences)
		}
		held[idx[as.School]] = append(held[idx[as.School]], i)
	}
	for s, sr := range r.Schools {
		sc := in.Schools[s]
		if sr.ID != sc.ID || sr.Capacity != sc.Capacity || sr.Admitted != len(held[s]) || sr.Admitted > sc.Capacity {
			t.Errorf("schools[%d] = %+v: want id %s capacity %d admitted %d", s, sr, sc.ID, sc.Capacity, len(held[s]))
		}
		if len(held[s]) == 0 {
			if sr.Cutoff != nil {
				t.Errorf("%s: cutoff %+v with nobody admitted", sc.ID, sr.Cutoff)
			}
			continue
		}
		last := held[s][0]
		for _, b := range held[s] {
			if higher(in, sc, &in.Applicants[last], &in.Applicants[b]) {
				last = b
			}
		}
		l := &in.Applicants[last]
		want := Cutoff{InDistrict: sc.District != "" && l.District == sc.District, Points: l.Points, Tiebreak: l.Tiebreak, Ticket: Ticket(in.Seed, l.ID)}
		if c := sr.Cutoff; c == nil || c.InDistrict != want.InDistrict || c.Points != want.Points || c.Ticket != want.Ticket || !slices.Equal(c.Tiebreak, want.Tiebreak) || (c.Tiebreak == nil) != (want.Tiebreak == nil) {
			t.Errorf("%s: cutoff %+v, want %+v (applicant %s)", sc.ID, c, want, l.ID)
		}
	}
	if bp := blockingPair(in, toMatching(t, in, r)); bp != "" {
		t.Errorf("not stable: %s", bp)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	var b []byte
	_, err := fmt.Sscanf(s, "%x", &b)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// referenceDA is the textbook round-based deferred acceptance: every free
// applicant proposes to their next school; each school keeps the best up to
// capacity among those it holds and the new proposers.
func referenceDA(in *Instance) matching {
	idx := schoolIndexes(in)
	next := make([]int, len(in.Applicants))
	m := make(matching, len(in.Applicants))
	for i := range m {
		m[i] = -1
	}
	for {
		proposals := make([][]int, len(in.Schools))
		any := false
		for a := range in.Applicants {
			if m[a] >= 0 || next[a] >= len(in.Applicants[a].Preferences) {
				continue
			}
			s := idx[in.Applicants[a].Preferences[next[a]]]
			next[a]++
			proposals[s] = append(proposals[s], a)
			any = true
		}
		if !any {
			return m
		}
		for s, ps := range proposals {
			if len(ps) == 0 {
				continue
			}
			for a := range m {
				if m[a] == s {
					ps = append(ps, a)
				}
			}
			slices.SortFunc(ps, func(x, y int) int {
				if higher(in, in.Schools[s], &in.Applicants[x], &in.Applicants[y]) {
					return -1
				}
				return 1
			})
			for k, a := range ps {
				if k < in.Schools[s].Capacity {
					m[a] = s
				} else {
					m[a] = -1
				}
			}
		}
	}
}

// smallOptions are random rounds small enough to enumerate.
func smallOptions(rng *rand.Rand) genOptions {
	return genOptions{
		applicants: 1 + rng.IntN(6), schools: 1 + rng.IntN(3), prefs: 3,
		seats: 0.3 + rng.Float64(), districts: rng.IntN(3), tiebreak: rng.IntN(3) - 1, pointLevels: 1 + rng.IntN(3),
	}
}

func mediumOptions(rng *rand.Rand) genOptions {
	return genOptions{
		applicants: 1 + rng.IntN(300), schools: 1 + rng.IntN(25), prefs: 1 + rng.IntN(8),
		seats: 0.2 + 1.2*rng.Float64(), districts: rng.IntN(5), tiebreak: rng.IntN(4) - 1, pointLevels: 1 + rng.IntN(20),
	}
}

func mustAllocate(t *testing.T, in *Instance) *Result {
	t.Helper()
	r, err := Allocate(in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestProperties checks the invariants, agreement with the textbook
// algorithm, determinism and independence of input order on random rounds.
func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 400 {
		o := mediumOptions(rng)
		if i%2 == 0 {
			o = smallOptions(rng)
		}
		in := genInstance(rng, o)
		r := mustAllocate(t, in)
		checkResult(t, in, r)
		if got, want := toMatching(t, in, r), referenceDA(in); !slices.Equal(got, want) {
			t.Fatalf("instance %d: got %v, textbook deferred acceptance gives %v", i, got, want)
		}
		out := r.AppendJSON(nil)
		if again := mustAllocate(t, in).AppendJSON(nil); !bytes.Equal(out, again) {
			t.Fatalf("instance %d: two runs differ", i)
		}

		// Shuffled applicants and schools: the same result, element by element.
		sh := *in
		sh.Applicants = slices.Clone(in.Applicants)
		sh.Schools = slices.Clone(in.Schools)
		rng.Shuffle(len(sh.Applicants), func(i, j int) { sh.Applicants[i], sh.Applicants[j] = sh.Applicants[j], sh.Applicants[i] })
		rng.Shuffle(len(sh.Schools), func(i, j int) { sh.Schools[i], sh.Schools[j] = sh.Schools[j], sh.Schools[i] })
		rs := mustAllocate(t, &sh)
		byApplicant := map[string]Assignment{}
		for _, as := range rs.Assignments {
			byApplicant[as.Applicant] = as
		}
		for _, as := range r.Assignments {
			if byApplicant[as.Applicant] != as {
				t.Fatalf("instance %d: %s got %+v, shuffled %+v", i, as.Applicant, as, byApplicant[as.Applicant])
			}
		}
		bySchool := map[string]string{}
		for _, s := range rs.Schools {
			bySchool[s.ID] = describeSchool(s)
		}
		for _, s := range r.Schools {
			if got := describeSchool(s); bySchool[s.ID] != got {
				t.Fatalf("instance %d: school %s: %s, shuffled %s", i, s.ID, got, bySchool[s.ID])
			}
		}

		// The published form reads back as the same round.
		back, err := ParseInstance(in.AppendJSON(nil))
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		if got, want := fmt.Sprintf("%+v", *back), fmt.Sprintf("%+v", *in); got != want {
			t.Fatalf("instance %d: round trip\ngot  %s\nwant %s", i, got, want)
		}
		checkAgainstStdlib(t, in.AppendJSON(nil), back)
	}
}

// allMatchings calls f with every matching of in that respects capacity and
// gives each applicant one of their listed schools or none.
func allMatchings(in *Instance, f func(matching)) {
	idx := schoolIndexes(in)
	m := make(matching, len(in.Applicants))
	load := make([]int, len(in.Schools))
	var rec func(a int)
	rec = func(a int) {
		if a == len(in.Applicants) {
			f(m)
			return
		}
		m[a] = -1
		rec(a + 1)
		for _, id := range in.Applicants[a].Preferences {
			s := idx[id]
			if load[s] < in.Schools[s].Capacity {
				load[s]++
				m[a] = s
				rec(a + 1)
				load[s]--
			}
		}
		m[a] = -1
	}
	rec(0)
}

// TestApplicantOptimal compares the engine with brute force on small
// rounds: of all stable matchings, the result is the one every applicant
// likes at least as well as any other.
func TestApplicantOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	for i := range 500 {
		in := genInstance(rng, smallOptions(rng))
		got := toMatching(t, in, mustAllocate(t, in))
		stable := 0
		allMatchings(in, func(m matching) {
			if blockingPair(in, m) != "" {
				return
			}
			stable++
			for a := range m {
				if ap := &in.Applicants[a]; rankOf(in, ap, m[a]) < rankOf(in, ap, got[a]) {
					t.Fatalf("instance %d: %s prefers stable matching %v to the result %v", i, ap.ID, m, got)
				}
			}
		})
		if stable == 0 {
			t.Fatalf("instance %d: brute force found no stable matching", i)
		}
	}
}

// preferenceLists returns every ordered list of distinct schools, of every
// length from 0 to all of them.
func preferenceLists(ids []string) [][]string {
	lists := [][]string{{}}
	var rec func(cur []string, used uint)
	rec = func(cur []string, used uint) {
		for i, id := range ids {
			if used&(1<<i) == 0 {
				l := append(slices.Clone(cur), id)
				lists = append(lists, l)
				rec(l, used|1<<i)
			}
		}
	}
	rec(nil, 0)
	return lists
}

// TestStrategyProof checks on small rounds that no applicant gets a school
// they truly prefer by submitting any other list.
func TestStrategyProof(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for i := range 150 {
		o := smallOptions(rng)
		o.applicants = 1 + rng.IntN(5)
		in := genInstance(rng, o)
		truthful := toMatching(t, in, mustAllocate(t, in))
		var ids []string
		for _, s := range in.Schools {
			ids = append(ids, s.ID)
		}
		lists := preferenceLists(ids)
		for a := range in.Applicants {
			truth := in.Applicants[a]
			honest := rankOf(in, &truth, truthful[a])
			for _, lie := range lists {
				in.Applicants[a].Preferences = lie
				got := toMatching(t, in, mustAllocate(t, in))
				if rankOf(in, &truth, got[a]) < honest {
					t.Fatalf("instance %d: %s gains by listing %v instead of %v", i, truth.ID, lie, truth.Preferences)
				}
			}
			in.Applicants[a] = truth
		}
	}
}

// checkAgainstStdlib decodes data, which ParseInstance accepted as in, with
// encoding/json, and fails if encoding/json refuses it or reads other values.
func checkAgainstStdlib(t *testing.T, data []byte, in *Instance) {
	t.Helper()
	var v struct {
		Round   *string `json:"round"`
		Seed    string  `json:"seed"`
		Schools []struct {
			ID       string  `json:"id"`
			Capacity float64 `json:"capacity"`
			District *string `json:"district"`
		} `json:"schools"`
		Applicants []struct {
			ID          string    `json:"id"`
			Points      float64   `json:"points"`
			District    *string   `json:"district"`
			Tiebreak    []float64 `json:"tiebreak"`
			Preferences []string  `json:"preferences"`
		} `json:"applicants"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("ParseInstance accepted what encoding/json refuses (%v):\n%q", err, data)
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	var diffs []string
	if str(v.Round) != in.Round || v.Seed != in.Seed || len(v.Schools) != len(in.Schools) || len(v.Applicants) != len(in.Applicants) {
		diffs = append(diffs, "document")
	}
	for i := range min(len(v.Schools), len(in.Schools)) {
		s, w := v.Schools[i], in.Schools[i]
		if s.ID != w.ID || s.Capacity != float64(w.Capacity) || str(s.District) != w.District {
			diffs = append(diffs, fmt.Sprintf("schools[%d]", i))
		}
	}
	for i := range min(len(v.Applicants), len(in.Applicants)) {
		a, w := v.Applicants[i], in.Applicants[i]
		if a.ID != w.ID || a.Points != w.Points || str(a.District) != w.District || !slices.Equal(a.Tiebreak, w.Tiebreak) ||
			(a.Tiebreak == nil) != (w.Tiebreak == nil) || !slices.Equal(a.Preferences, w.Preferences) {
			diffs = append(diffs, fmt.Sprintf("applicants[%d]", i))
		}
	}
	if len(diffs) > 0 {
		t.Fatalf("encoding/json reads other values in %s:\n%q", strings.Join(diffs, ", "), data)
	}
}

func describeSchool(s SchoolResult) string {
	c := "none"
	if s.Cutoff != nil {
		c = fmt.Sprintf("%+v", *s.Cutoff)
	}
	return fmt.Sprintf("%s capacity %d admitted %d cutoff %s", s.ID, s.Capacity, s.Admitted, c)
}
