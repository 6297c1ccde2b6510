package rounds

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/newcitizens/rooted/internal/alloc"
	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/msg"
)

// Outcome is one application's result with its explanation: for every
// place ranked above the one obtained (every ranked place when none was),
// that place's cutoff beside the applicant's own priority and why the
// applicant was behind it. ID numbers and names are masked.
type Outcome struct {
	Number       string       `json:"number"`
	Applicant    string       `json:"applicant"` // masked ID number
	Name         string       `json:"name"`      // masked name
	Child        string       `json:"child,omitempty"`
	ChildName    string       `json:"child_name,omitempty"`
	Household    int          `json:"household,omitempty"`
	Status       AppStatus    `json:"status"`
	Reason       string       `json:"reason,omitempty"` // message key when refused
	Choices      []string     `json:"choices"`
	Own          *Priority    `json:"own,omitempty"` // accepted applications of an allocated round
	Placed       string       `json:"placed,omitempty"`
	PlacedName   string       `json:"placed_name,omitempty"`
	Choice       int          `json:"choice,omitempty"`
	Above        []Comparison `json:"above,omitempty"`
	WaitPosition int          `json:"wait_position,omitempty"`
	Wait         *Wait        `json:"expected_wait,omitempty"`
	Text         []string     `json:"text"` // the explanation, one line each, in the language asked for
}

// Priority is an applicant's rank at a place: the district rule, points,
// tie-break values and ticket.
type Priority struct {
	InDistrict *bool     `json:"in_district,omitempty"` // nil at a place without a district
	Points     float64   `json:"points"`
	Tiebreak   []float64 `json:"tiebreak,omitempty"`
	Ticket     string    `json:"ticket"`
}

// Comparison is one place ranked above the result.
type Comparison struct {
	Rank     int       `json:"rank"` // 1-based, in the applicant's choices
	Place    string    `json:"place"`
	Name     string    `json:"name"`
	Seats    int       `json:"seats"`
	Admitted int       `json:"admitted"`
	Cutoff   *Priority `json:"cutoff"` // nil when nobody was admitted
	Own      Priority  `json:"own"`
	Why      string    `json:"why"` // message key
}

// Wait is the expected wait of a housing applicant on the waiting list,
// estimated from the turnover of past rounds of the same kind: units of
// the type allocated per round, and days between rounds.
type Wait struct {
	UnitType string  `json:"unit_type"`
	Position int     `json:"position"`
	PerRound float64 `json:"units_per_round"` // 0: none allocated yet, no estimate
	Rounds   int     `json:"rounds"`          // ⌈position ÷ per round⌉
	Days     int     `json:"days,omitempty"`  // rounds × mean days between rounds; 0 when unknown
	Basis    int     `json:"basis_rounds"`    // rounds the estimate is drawn from
}

// Results returns the outcomes of a round's applications — all of them, or
// those of one applicant (ID number; not_found when they have none) — with
// explanations in lang. Before allocation there are statuses and reasons
// only.
func (s *Service) Results(ctx context.Context, id, applicant string, lang msg.Lang) ([]Outcome, error) {
	r, err := s.round(ctx, id, "show results of")
	if err != nil {
		return nil, err
	}
	apps, err := s.Store.Applications(ctx, id)
	if err != nil {
		return nil, err
	}
	if applicant != "" {
		apps = slices.DeleteFunc(apps, func(a Application) bool { return a.Applicant != applicant })
		if len(apps) == 0 {
			return nil, apperr.E("round.results", apperr.NotFound, "error.no_application_of", id, ident.MaskID(applicant))
		}
	}
	var res *alloc.Result
	var tieNames []string
	var waits map[string]turnover
	if r.Status != Draft && r.Status != Open && r.Status != Closed {
		doc, err := s.Store.Document(ctx, id, DocInput)
		if err != nil {
			return nil, err
		}
		in, err := alloc.ParseInstance(doc)
		if err != nil {
			return nil, fmt.Errorf("round %s: results: stored input: %w", id, err)
		}
		in.Seed = r.Seed
		if res, err = alloc.Allocate(in); err != nil {
			return nil, fmt.Errorf("round %s: results: %w", id, err)
		}
		if v, err := s.Scheme.Version(r.ClosedOn); err == nil && r.Mode == ByPoints {
			for _, t := range v.TieBreaks {
				tieNames = append(tieNames, t.Label.In(lang))
			}
		}
		if r.Kind.Housing() {
			if waits, err = s.turnover(ctx, r.Kind); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Outcome, 0, len(apps))
	for i := range apps {
		out = append(out, explain(&r, &apps[i], res, tieNames, waits, lang))
	}
	return out, nil
}

// turnover is the units of one type allocated over past rounds.
type turnover struct {
	units, rounds int
	days          int // mean days between the allocations of those rounds; 0 with one round
}

// turnover returns, per unit type, the units allocated by the allocated
// rounds of kind so far.
func (s *Service) turnover(ctx context.Context, kind Kind) (map[string]turnover, error) {
	rs, err := s.Store.Rounds(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]turnover{}
	var first, last int
	n := 0
	for _, r := range rs {
		if r.Kind != kind || r.AllocatedOn.IsZero() {
			continue
		}
		apps, err := s.Store.Applications(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, p := range r.Places {
			t := out[p.Code]
			t.rounds++
			out[p.Code] = t
		}
		for _, a := range apps {
			if a.Placed != "" {
				t := out[a.Placed]
				t.units++
				out[a.Placed] = t
			}
		}
		if n == 0 || int(r.AllocatedOn) < first {
			first = int(r.AllocatedOn)
		}
		last = max(last, int(r.AllocatedOn))
		n++
	}
	if n > 1 {
		for k, t := range out {
			t.days = (last - first) / (n - 1)
			out[k] = t
		}
	}
	return out, nil
}

// ExpectedWait estimates how long the applicant at position on the waiting
// list of a unit type waits, given the units of the type allocated over
// rounds past rounds and the mean days between them (0: unknown).
func ExpectedWait(unitType string, position, units, rounds, days int) Wait {
	w := Wait{UnitType: unitType, Position: position, Basis: rounds}
	if units == 0 || rounds == 0 || position <= 0 {
		return w
	}
	w.PerRound = float64(units) / float64(rounds)
	w.Rounds = int(math.Ceil(float64(position) / w.PerRound))
	w.Days = w.Rounds * days
	return w
}

func ticketHex(t uint64) string { return fmt.Sprintf("0x%016x", t) }

func explain(r *Round, a *Application, res *alloc.Result, tieNames []string, waits map[string]turnover, lang msg.Lang) Outcome {
	o := Outcome{Number: a.Number, Applicant: ident.MaskID(a.Applicant), Name: ident.MaskName(a.ApplicantName), Household: a.Household,
		Status: a.Status, Choices: a.Choices, Placed: a.Placed, Choice: a.Choice, WaitPosition: a.WaitPosition}
	if a.Child != "" {
		o.Child, o.ChildName = ident.MaskID(a.Child), ident.MaskName(a.ChildName)
	}
	places := map[string]int{}
	for i, p := range r.Places {
		places[p.Code] = i
	}
	placeName := func(code string) string {
		if i, ok := places[code]; ok {
			return r.Places[i].Name
		}
		return code
	}
	switch {
	case a.Status == Refused:
		o.Reason = a.Reason
		o.Text = append(o.Text, T(lang, "refused", T(lang, a.Reason, reasonArgs(r.Kind, a)...)))
		return o
	case a.Status == Pending || res == nil:
		o.Text = append(o.Text, T(lang, "pending"))
		return o
	}
	own := Priority{Points: a.Points, Tiebreak: a.Tiebreak, Ticket: ticketHex(a.Ticket)}
	o.Own = &own
	o.Text = append(o.Text, T(lang, "own", priorityText(lang, own, tieNames)))
	switch {
	case a.Placed != "":
		o.PlacedName = placeName(a.Placed)
		o.Text = append(o.Text, T(lang, "placed", o.PlacedName, a.Choice))
	case r.Kind.Housing() && a.WaitPosition > 0:
		t := waits[a.Choices[0]]
		w := ExpectedWait(a.Choices[0], a.WaitPosition, t.units, t.rounds, t.days)
		o.Wait = &w
		est := T(lang, "wait_unknown")
		switch {
		case w.Rounds > 0 && w.Days > 0:
			est = T(lang, "wait_rounds", w.Rounds, w.Days)
		case w.Rounds > 0:
			est = T(lang, "wait_rounds_n", w.Rounds)
		}
		o.Text = append(o.Text, T(lang, "waiting", placeName(a.Choices[0]), a.WaitPosition, est))
	default:
		o.Text = append(o.Text, T(lang, "unplaced"))
	}
	above := a.Choices
	if a.Choice > 0 {
		above = a.Choices[:a.Choice-1]
	}
	for k, code := range above {
		i, ok := places[code]
		if !ok || i >= len(res.Schools) {
			continue
		}
		p, sr := r.Places[i], res.Schools[i]
		c := Comparison{Rank: k + 1, Place: code, Name: p.Name, Seats: sr.Capacity, Admitted: sr.Admitted, Own: own}
		hasDistrict := !r.Kind.Housing() && p.Town != ""
		if hasDistrict {
			in := a.District == p.Town
			c.Own.InDistrict = &in
		}
		if cut := sr.Cutoff; cut != nil {
			cp := Priority{Points: cut.Points, Tiebreak: cut.Tiebreak, Ticket: ticketHex(cut.Ticket)}
			if hasDistrict {
				in := cut.InDistrict
				cp.InDistrict = &in
			}
			c.Cutoff = &cp
		}
		var whyArgs []any
		c.Why, whyArgs = why(c, tieNames)
		cutText := "—"
		if c.Cutoff != nil {
			cutText = priorityText(lang, *c.Cutoff, tieNames)
		}
		o.Text = append(o.Text, T(lang, "above", c.Rank, c.Name, cutText, T(lang, c.Why, whyArgs...)))
		o.Above = append(o.Above, c)
	}
	return o
}

// why says what put the applicant behind a place's cutoff.
func why(c Comparison, tieNames []string) (string, []any) {
	cut, own := c.Cutoff, c.Own
	if cut == nil {
		return "why_no_seats", nil
	}
	if cut.InDistrict != nil && *cut.InDistrict && !*own.InDistrict {
		return "why_district", nil
	}
	if own.Points < cut.Points {
		return "why_points", nil
	}
	if own.Points == cut.Points {
		for k := range min(len(own.Tiebreak), len(cut.Tiebreak)) {
			if own.Tiebreak[k] < cut.Tiebreak[k] {
				name := strconv.Itoa(k + 1)
				if k < len(tieNames) {
					name = tieNames[k]
				}
				return "why_tiebreak", []any{name}
			}
			if own.Tiebreak[k] > cut.Tiebreak[k] {
				return "why_not_compared", nil
			}
		}
		if own.Ticket > cut.Ticket { // same width hex: text order is number order
			return "why_ticket", nil
		}
	}
	return "why_not_compared", nil
}

func priorityText(lang msg.Lang, p Priority, tieNames []string) string {
	d := T(lang, "no_district")
	if p.InDistrict != nil {
		d = T(lang, "out_district")
		if *p.InDistrict {
			d = T(lang, "in_district")
		}
	}
	tb := ""
	if len(p.Tiebreak) > 0 {
		parts := make([]string, len(p.Tiebreak))
		for k, v := range p.Tiebreak {
			name := strconv.Itoa(k + 1)
			if k < len(tieNames) {
				name = tieNames[k]
			}
			parts[k] = name + " " + strconv.FormatFloat(v, 'f', -1, 64)
		}
		tb = T(lang, "tiebreak", strings.Join(parts, T(lang, "list_sep")))
	}
	return T(lang, "priority", d, strconv.FormatFloat(p.Points, 'f', -1, 64), tb, p.Ticket)
}
