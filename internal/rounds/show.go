package rounds

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/newcitizens/rooted/internal/ledger"
)

// Overview is a round at a glance: what `rooted round show` prints and the
// web layer can render. Nothing personal.
type Overview struct {
	ID            string          `json:"id"`
	Name          string          `json:"name"`
	Kind          Kind            `json:"kind"`
	Year          int             `json:"year"`
	Town          string          `json:"town,omitempty"`
	Mode          Mode            `json:"mode"`
	Choices       int             `json:"choices"`
	Status        Status          `json:"status"`
	SeedSHA256    string          `json:"seed_sha256,omitempty"`
	Seed          string          `json:"seed,omitempty"` // once allocated
	Scheme        string          `json:"scheme"`
	SchemeVersion string          `json:"scheme_version,omitempty"`
	OpenedOn      string          `json:"opened_on,omitempty"`
	ClosedOn      string          `json:"closed_on,omitempty"`
	AllocatedOn   string          `json:"allocated_on,omitempty"`
	PublishedOn   string          `json:"published_on,omitempty"`
	WindowDays    int             `json:"window_days"`
	WindowEnds    string          `json:"window_ends,omitempty"`
	FinalOn       string          `json:"final_on,omitempty"`
	UnitRules     []UnitRule      `json:"unit_rules,omitempty"`
	Places        []PlaceView     `json:"places"`
	Applications  map[string]int  `json:"applications"` // by status, and "total"
	Refusals      map[string]int  `json:"refusals"`     // by reason
	Objections    int             `json:"objections"`
	Unanswered    int             `json:"objections_unanswered"` // objections waiting for the department's answer
	ObjectionList []ObjectionView `json:"objection_status"`      // by number; without texts, which may be personal
	Ledger        []EntryView     `json:"ledger"`
}

// ObjectionView is an objection and whether it is answered, without the
// texts or who objected.
type ObjectionView struct {
	Objection int      `json:"objection"` // its number
	Number    string   `json:"number"`    // the application objected about
	FiledAt   string   `json:"filed_at"`
	Decision  Decision `json:"decision,omitempty"` // upheld or dismissed once answered
	DecidedAt string   `json:"decided_at,omitempty"`
}

// PlaceView is a place with its demand and admissions.
type PlaceView struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Town        string `json:"town,omitempty"`
	Seats       int    `json:"seats"`
	FirstChoice int    `json:"first_choice"` // applications (not refused) ranking it first
	Admitted    int    `json:"admitted"`
	// Cutoff is the priority of the last applicant admitted, once the
	// round is allocated; nil before, or when nobody was admitted.
	Cutoff *Priority `json:"cutoff,omitempty"`
}

// EntryView is a ledger entry without its payload.
type EntryView struct {
	Seq  int64  `json:"seq"`
	Kind string `json:"kind"`
	At   string `json:"at"`
	Hash string `json:"hash"`
}

func dateText(d interface {
	IsZero() bool
	String() string
}) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// Show returns the overview of a round.
func (s *Service) Show(ctx context.Context, id string) (Overview, error) {
	r, err := s.Store.Round(ctx, id)
	if err != nil {
		return Overview{}, err
	}
	r = public(r)
	apps, err := s.Store.Applications(ctx, id)
	if err != nil {
		return Overview{}, err
	}
	objs, err := s.Store.Objections(ctx, id)
	if err != nil {
		return Overview{}, err
	}
	entries, err := s.Store.Ledger(ctx, id)
	if err != nil {
		return Overview{}, err
	}
	o := Overview{ID: r.ID, Name: r.Name, Kind: r.Kind, Year: r.Year, Town: r.Town, Mode: r.Mode, Choices: r.Choices, Status: r.Status,
		SeedSHA256: r.SeedSHA256, Seed: r.Seed, Scheme: r.Scheme, SchemeVersion: r.SchemeVersion,
		OpenedOn: dateText(r.OpenedOn), ClosedOn: dateText(r.ClosedOn), AllocatedOn: dateText(r.AllocatedOn),
		PublishedOn: dateText(r.PublishedOn), WindowDays: r.WindowDays, WindowEnds: dateText(r.WindowEnds), FinalOn: dateText(r.FinalOn),
		UnitRules: r.UnitRules, Applications: map[string]int{"total": len(apps)}, Refusals: map[string]int{}, Objections: len(objs)}
	index := map[string]int{}
	for i, p := range r.Places {
		index[p.Code] = i
		o.Places = append(o.Places, PlaceView{Code: p.Code, Name: p.Name, Town: p.Town, Seats: p.Seats})
	}
	for _, a := range apps {
		o.Applications[string(a.Status)]++
		if a.Status == Refused {
			o.Refusals[a.Reason]++
			continue
		}
		if len(a.Choices) > 0 {
			if i, ok := index[a.Choices[0]]; ok {
				o.Places[i].FirstChoice++
			}
		}
		if i, ok := index[a.Placed]; ok && a.Placed != "" {
			o.Places[i].Admitted++
		}
	}
	if r.Status != Draft && r.Status != Open && r.Status != Closed {
		if err := s.cutoffs(ctx, &r, o.Places); err != nil {
			return Overview{}, err
		}
	}
	o.ObjectionList = []ObjectionView{}
	for _, ob := range objs {
		v := ObjectionView{Objection: ob.Seq, Number: ob.Number, FiledAt: ledger.FormatTime(ob.At), Decision: ob.Decision}
		if ob.Answered() {
			v.DecidedAt = ledger.FormatTime(ob.DecidedAt)
		} else {
			o.Unanswered++
		}
		o.ObjectionList = append(o.ObjectionList, v)
	}
	for _, e := range entries {
		o.Ledger = append(o.Ledger, EntryView{Seq: e.Seq, Kind: e.Kind, At: ledger.FormatTime(e.At), Hash: e.Hash})
	}
	return o, nil
}

// cutoffs sets the cutoff of each place of an allocated round from its
// stored allocation output.
func (s *Service) cutoffs(ctx context.Context, r *Round, places []PlaceView) error {
	doc, err := s.Store.Document(ctx, r.ID, DocOutput)
	if err != nil {
		return err
	}
	var out struct {
		Schools []struct {
			ID     string `json:"id"`
			Cutoff *struct {
				InDistrict bool      `json:"in_district"`
				Points     float64   `json:"points"`
				Tiebreak   []float64 `json:"tiebreak"`
				Ticket     string    `json:"ticket"`
			} `json:"cutoff"`
		} `json:"schools"`
	}
	if err := json.Unmarshal(doc, &out); err != nil {
		return fmt.Errorf("round %s: show: stored output: %w", r.ID, err)
	}
	for _, sc := range out.Schools {
		for i := range places {
			if places[i].Code != sc.ID || sc.Cutoff == nil {
				continue
			}
			c := &Priority{Points: sc.Cutoff.Points, Tiebreak: sc.Cutoff.Tiebreak, Ticket: sc.Cutoff.Ticket}
			if !r.Kind.Housing() && places[i].Town != "" {
				in := sc.Cutoff.InDistrict
				c.InDistrict = &in
			}
			places[i].Cutoff = c
		}
	}
	return nil
}
