package points

import (
	"fmt"
	"math"
	"slices"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/policy"
)

// Op is how a Change alters one input.
type Op string

// The operations of a Change. Numbers are capped at the input's maximum.
const (
	Add      Op = "add"       // number or int input: + Value
	AtLeast  Op = "at_least"  // number or int input: raised to Value if below
	SetTrue  Op = "set_true"  // bool input: true
	SetLevel Op = "set_level" // level input: Level
	LevelUp  Op = "level_up"  // level input: the next code of its list
	RankUp   Op = "rank_up"   // int input where 1 is best and 0 none (skill_level): 0 → its maximum, n → n−1, never below 1
)

// Change alters one input of a person's inputs.
type Change struct {
	Input string
	Op    Op
	Value float64 // Add, AtLeast
	Level string  // SetLevel
}

// Action is something a person can do to raise their points: one or more
// input changes, with a label for people.
type Action struct {
	Code    string
	Label   policy.Text
	Changes []Change
}

// Actions are the candidate actions `rooted policy explain` and the
// person's points API try, in the order they are listed when their gains
// tie. They are data: the scheme decides what each is worth, by evaluating
// a changed copy of the person's inputs; there is no per-rule code.
var Actions = []Action{
	{"insurance_12", label("raise.insurance_12"),
		[]Change{{Input: "insurance_months", Op: Add, Value: 12}, {Input: "local_pension_months_12", Op: AtLeast, Value: 12}, {Input: "insured_last_month", Op: SetTrue}}},
	{"residence_12", label("raise.residence_12"),
		[]Change{{Input: "residence_months", Op: Add, Value: 12}}},
	{"volunteer_20", label("raise.volunteer_20"),
		[]Change{{Input: "volunteer_hours_5y", Op: Add, Value: 20}}},
	{"blood_1", label("raise.blood_1"),
		[]Change{{Input: "blood_donations_5y", Op: Add, Value: 1}}},
	{"skill_up", label("raise.skill_up"),
		[]Change{{Input: "skill_level", Op: RankUp}}},
	{"title_up", label("raise.title_up"),
		[]Change{{Input: "title", Op: LevelUp}}},
	{"registered_job", label("raise.registered_job"),
		[]Change{{Input: "employment_months", Op: AtLeast, Value: 12}, {Input: "same_employer_months", Op: AtLeast, Value: 12}}},
	{"employer_year", label("raise.employer_year"),
		[]Change{{Input: "same_employer_months", Op: Add, Value: 12}, {Input: "employment_months", Op: Add, Value: 12}}},
	{"rented_home", label("raise.rented_home"),
		[]Change{{Input: "housing", Op: SetLevel, Level: "rented"}}},
	{"permit_12", label("raise.permit_12"),
		[]Change{{Input: "permit_valid", Op: SetTrue}, {Input: "local_permit_months", Op: Add, Value: 12}}},
	{"community_role", label("raise.community_role"),
		[]Change{{Input: "community_role", Op: SetTrue}}},
	{"donation_1000", label("raise.donation_1000"),
		[]Change{{Input: "donation_yuan", Op: Add, Value: 1000}}},
	{"marrow_register", label("raise.marrow_register"),
		[]Change{{Input: "marrow", Op: SetLevel, Level: "registered"}}},
}

// label is an action's label: the catalogue's words under key in both
// languages.
func label(key string) policy.Text {
	return policy.Text{ZH: msg.T(msg.ZH, key), EN: msg.T(msg.EN, key)}
}

// apply makes the changes of a on in (a copy) and reports whether any
// input changed. An input the scheme does not declare is skipped.
func (a *Action) apply(s *policy.Scheme, in *policy.Inputs) (bool, error) {
	changed := false
	for _, c := range a.Changes {
		x, ok := s.Input(c.Input)
		if !ok {
			continue
		}
		cur, _ := in.Value(c.Input)
		var err error
		switch c.Op {
		case Add, AtLeast:
			next := cur + c.Value
			if c.Op == AtLeast {
				next = math.Max(cur, c.Value)
			}
			next = math.Min(next, x.Max)
			if next != cur {
				err = in.SetNumber(c.Input, next)
				changed = true
			}
		case RankUp:
			next := cur - 1
			if cur == 0 {
				next = x.Max
			}
			if next >= 1 && next != cur && !math.IsInf(next, 0) {
				err = in.SetNumber(c.Input, next)
				changed = true
			}
		case SetTrue:
			if cur == 0 {
				err = in.SetBool(c.Input, true)
				changed = true
			}
		case SetLevel:
			if i := slices.IndexFunc(x.Levels, func(l policy.LevelOf) bool { return l.Code == c.Level }); i >= 0 && float64(i) != cur {
				err = in.SetLevel(c.Input, c.Level)
				changed = true
			}
		case LevelUp:
			if i := int(cur) + 1; i < len(x.Levels) {
				err = in.SetLevel(c.Input, x.Levels[i].Code)
				changed = true
			}
		default:
			err = fmt.Errorf("points: action %s: unknown operation %q", a.Code, c.Op)
		}
		if err != nil {
			return false, err
		}
	}
	return changed, nil
}

// Gain is what one action would bring a person.
type Gain struct {
	Action  string   `json:"action"`
	Label   string   `json:"label"`
	Points  float64  `json:"points"`            // total after the action − total now
	Total   float64  `json:"total"`             // total after the action
	Unlocks []string `json:"unlocks,omitempty"` // services that would become eligible
	// UnlockLabels names Unlocks for people, in the language asked for.
	UnlockLabels []string `json:"unlock_labels,omitempty"`
}

// Raise evaluates each action on a copy of in under v as of asOf and
// returns those that would add points or make a service eligible, the
// largest gain first (ties: more services unlocked, then the order of
// actions). in is not changed.
func Raise(v *policy.Version, in *policy.Inputs, asOf date.Date, actions []Action, lang msg.Lang) ([]Gain, error) {
	base := v.Evaluate(in, asOf)
	var gains []Gain
	for i := range actions {
		a := &actions[i]
		cp := in.Clone()
		changed, err := a.apply(v.Scheme(), cp)
		if err != nil {
			return nil, err
		}
		if !changed {
			continue
		}
		r := v.Evaluate(cp, asOf)
		g := Gain{Action: a.Code, Label: a.Label.In(lang), Points: round2(r.Total - base.Total), Total: r.Total}
		for k, svc := range v.Services {
			if r.Eligible[k] && !base.Eligible[k] {
				g.Unlocks = append(g.Unlocks, svc.Name)
				g.UnlockLabels = append(g.UnlockLabels, svc.Label.In(lang))
			}
		}
		if g.Points > 0 || len(g.Unlocks) > 0 {
			gains = append(gains, g)
		}
	}
	slices.SortStableFunc(gains, func(a, b Gain) int {
		if a.Points != b.Points {
			if a.Points > b.Points {
				return -1
			}
			return 1
		}
		return len(b.Unlocks) - len(a.Unlocks)
	})
	return gains, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Explanation is one person's points under one scheme version: each rule
// with its points and explanation, the totals, eligibility, and the actions
// that would raise them. The ID number is masked.
type Explanation struct {
	Person       string             `json:"person"` // masked ID number
	Scheme       string             `json:"scheme"`
	Version      string             `json:"version"`
	AsOf         string             `json:"as_of"`
	Total        float64            `json:"total"`
	SchoolPoints float64            `json:"school_points"`
	Frozen       bool               `json:"frozen"`
	Layers       map[string]float64 `json:"layers"`
	Deductions   float64            `json:"deductions"`
	Items        []ExplainedItem    `json:"items"`
	Eligible     []Service          `json:"eligible"`
	Raise        []Gain             `json:"raise"`
}

// ExplainedItem is one rule's outcome for people.
type ExplainedItem struct {
	Code    string  `json:"code"`
	Label   string  `json:"label"`
	Layer   string  `json:"layer"`
	Points  float64 `json:"points"`
	Explain string  `json:"explain"`
}

// Service is one eligibility gate and whether the person passes it.
type Service struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Eligible bool   `json:"eligible"`
}

// explain scores in (the inputs of the person idNumber) under v as of asOf
// and explains it in lang, with the gains of actions (Raise). Day.Explain
// is the way in.
func explain(v *policy.Version, in *policy.Inputs, idNumber string, asOf date.Date, lang msg.Lang, actions []Action) (Explanation, error) {
	r := v.Evaluate(in, asOf)
	e := Explanation{
		Person: ident.MaskID(idNumber), Scheme: v.Scheme().Name, Version: v.Name, AsOf: asOf.String(),
		Total: r.Total, SchoolPoints: r.SchoolPoints, Frozen: r.Frozen, Deductions: r.Deductions,
		Layers: map[string]float64{"provincial": r.Provincial, "city": r.City, "county": r.County},
		Items:  make([]ExplainedItem, len(r.Items)),
	}
	for i, it := range r.Items {
		e.Items[i] = ExplainedItem{Code: it.Code, Label: v.Rules[i].Label.In(lang), Layer: string(it.Layer), Points: it.Points, Explain: r.Explain(i, lang)}
	}
	for i, svc := range v.Services {
		e.Eligible = append(e.Eligible, Service{Name: svc.Name, Label: svc.Label.In(lang), Eligible: r.Eligible[i]})
	}
	gains, err := Raise(v, in, asOf, actions, lang)
	if err != nil {
		return Explanation{}, err
	}
	e.Raise = gains
	if e.Raise == nil {
		e.Raise = []Gain{}
	}
	return e, nil
}
