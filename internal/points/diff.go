package points

import (
	"cmp"
	"math"
	"slices"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// Group is what a reform simulation breaks results down by: nothing that
// names a person.
type Group struct {
	Town     string // town code of the current residence; "" when none
	Province string // 2-digit province of origin (from the ID number)
	Sex      string // registry.Male or registry.Female
	Age      string // age band key, see registry.AgeBands
}

// ageIndex orders age band keys; unknown last.
func ageIndex(key string) int {
	for i, b := range registry.AgeBands {
		if b.Key == key {
			return i
		}
	}
	return len(registry.AgeBands)
}

// GroupOf returns the groups of the person of h as of asOf. The current
// residence is chosen as Derive chooses it (covering asOf, latest since).
func GroupOf(h *registry.PersonHistory, asOf date.Date) Group {
	g := Group{Sex: string(h.Person.Sex)}
	if o := h.Person.Origin; len(o) >= 2 {
		g.Province = o[:2]
	}
	var since date.Date
	for _, r := range h.Residences {
		if !r.Since.IsZero() && r.Since <= asOf && (date.Interval{From: r.Since, To: r.Until}).Contains(asOf) && r.Since >= since {
			g.Town, since = r.Town, r.Since
		}
	}
	if b := h.Person.BirthDate; !b.IsZero() && b <= asOf {
		age := date.YearsBetween(b, asOf)
		for _, band := range registry.AgeBands {
			if band.Holds(age) {
				g.Age = band.Key
				break
			}
		}
	}
	return g
}

// Dimensions of a breakdown, in report order.
const (
	ByTown     = "town"
	ByProvince = "province"
	BySex      = "sex"
	ByAge      = "age"
)

var dimensions = []struct{ key, label string }{
	{ByTown, both("diff.by_town")}, {ByProvince, both("diff.by_province")}, {BySex, both("diff.by_sex")}, {ByAge, both("diff.by_age")},
}

// both is the catalogue's words under key in Chinese, then in English: the
// report's labels are read in both.
func both(key string) string {
	return bilingual(policy.Text{ZH: msg.T(msg.ZH, key), EN: msg.T(msg.EN, key)})
}

// simulation accumulates a reform simulation (Compare): every person scored under scheme
// version A and under B on the same day. Add persons, then Report. Services
// are matched by name; a service only one version has counts 0 under the
// other.
type simulation struct {
	a, b     *policy.Version
	asOf     date.Date
	towns    map[string]string
	services []diffService
	total    acc
	histA    []int
	histB    []int
	groups   [4]map[string]*acc
}

type diffService struct {
	name   string
	label  string
	ia, ib int // index in A's and B's Services, or -1
}

// acc sums one group.
type acc struct {
	n, gainers, losers   int
	sumA, sumB, sumDelta float64
	eligA, eligB         []int // by simulation.services
}

// newSimulation returns an empty simulation of a against b as of asOf; towns maps
// town codes to names for labels.
func newSimulation(a, b *policy.Version, asOf date.Date, towns map[string]string) *simulation {
	d := &simulation{a: a, b: b, asOf: asOf, towns: towns}
	add := func(svc policy.Named) {
		if slices.ContainsFunc(d.services, func(s diffService) bool { return s.name == svc.Name }) {
			return
		}
		d.services = append(d.services, diffService{
			name: svc.Name, label: bilingual(svc.Label),
			ia: slices.IndexFunc(a.Services, func(n policy.Named) bool { return n.Name == svc.Name }),
			ib: slices.IndexFunc(b.Services, func(n policy.Named) bool { return n.Name == svc.Name }),
		})
	}
	for _, s := range a.Services {
		add(s)
	}
	for _, s := range b.Services {
		add(s)
	}
	for i := range d.groups {
		d.groups[i] = map[string]*acc{}
	}
	return d
}

func bilingual(t policy.Text) string {
	if t.EN == "" || t.EN == t.ZH {
		return t.ZH
	}
	return t.ZH + " " + t.EN
}

// Add counts one person of group g: row ra of batch a (scored under A) and
// row rb of batch b (under B), both evaluated.
func (d *simulation) Add(g Group, a *policy.Batch, ra int, b *policy.Batch, rb int) {
	ta, tb := a.Total(ra, "total"), b.Total(rb, "total")
	elig := func(bt *policy.Batch, row, i int) bool { return i >= 0 && bt.Eligible(row, i) }
	add := func(x *acc) {
		if x.eligA == nil {
			x.eligA, x.eligB = make([]int, len(d.services)), make([]int, len(d.services))
		}
		x.n++
		x.sumA += ta
		x.sumB += tb
		x.sumDelta += tb - ta
		switch delta := round2(tb - ta); {
		case delta > 0:
			x.gainers++
		case delta < 0:
			x.losers++
		}
		for i, s := range d.services {
			if elig(a, ra, s.ia) {
				x.eligA[i]++
			}
			if elig(b, rb, s.ib) {
				x.eligB[i]++
			}
		}
	}
	add(&d.total)
	for i, key := range []string{g.Town, g.Province, g.Sex, g.Age} {
		x := d.groups[i][key]
		if x == nil {
			x = &acc{}
			d.groups[i][key] = x
		}
		add(x)
	}
	d.histA = bump(d.histA, ta)
	d.histB = bump(d.histB, tb)
}

func bump(h []int, total float64) []int {
	bin := max(0, int(math.Floor(total/10)))
	for len(h) <= bin {
		h = append(h, 0)
	}
	h[bin]++
	return h
}

// DiffReport is the outcome of a reform simulation. Labels are Chinese
// with English.
type DiffReport struct {
	AsOf       string         `json:"as_of"`
	From       SchemeRef      `json:"from"`
	To         SchemeRef      `json:"to"`
	Persons    int            `json:"persons"`
	MeanFrom   float64        `json:"mean_from"`
	MeanTo     float64        `json:"mean_to"`
	MeanChange float64        `json:"mean_change"`
	Gainers    int            `json:"gainers"`
	Losers     int            `json:"losers"`
	Unchanged  int            `json:"unchanged"`
	Histogram  []Bin          `json:"histogram"`
	Eligible   []ServiceCount `json:"eligible"`
	Breakdowns []Breakdown    `json:"breakdowns"`
}

// SchemeRef names a scheme version.
type SchemeRef struct {
	Scheme  string `json:"scheme"`
	Version string `json:"version"`
}

// Bin is one bar of the histogram of totals: From ≤ total < To.
type Bin struct {
	From int `json:"from"`
	To   int `json:"to"`
	A    int `json:"from_scheme"`
	B    int `json:"to_scheme"`
}

// ServiceCount is how many persons a service admits under each scheme.
type ServiceCount struct {
	Service string `json:"service"`
	Label   string `json:"label"`
	A       int    `json:"from_scheme"`
	B       int    `json:"to_scheme"`
	Change  int    `json:"change"`
}

// Breakdown is the simulation by one dimension (ByTown …).
type Breakdown struct {
	Dimension string     `json:"dimension"`
	Label     string     `json:"label"`
	Rows      []GroupRow `json:"rows"`
}

// GroupRow is one group of a breakdown.
type GroupRow struct {
	Key        string         `json:"key"`
	Label      string         `json:"label"`
	Persons    int            `json:"persons"`
	MeanFrom   float64        `json:"mean_from"`
	MeanTo     float64        `json:"mean_to"`
	MeanChange float64        `json:"mean_change"`
	Gainers    int            `json:"gainers"`
	Losers     int            `json:"losers"`
	Eligible   []ServiceCount `json:"eligible"`
}

// Report returns the simulation so far. Means are rounded to two decimals;
// groups are listed largest first, age bands in age order.
func (d *simulation) Report() DiffReport {
	t := &d.total
	r := DiffReport{
		AsOf: d.asOf.String(),
		From: SchemeRef{d.a.Scheme().Name, d.a.Name}, To: SchemeRef{d.b.Scheme().Name, d.b.Name},
		Persons: t.n, Gainers: t.gainers, Losers: t.losers, Unchanged: t.n - t.gainers - t.losers,
		MeanFrom: mean(t.sumA, t.n), MeanTo: mean(t.sumB, t.n), MeanChange: mean(t.sumDelta, t.n),
		Eligible: d.serviceCounts(t),
	}
	for i := range max(len(d.histA), len(d.histB)) {
		bin := Bin{From: i * 10, To: i*10 + 10}
		if i < len(d.histA) {
			bin.A = d.histA[i]
		}
		if i < len(d.histB) {
			bin.B = d.histB[i]
		}
		r.Histogram = append(r.Histogram, bin)
	}
	for i, dim := range dimensions {
		bd := Breakdown{Dimension: dim.key, Label: dim.label}
		for key, x := range d.groups[i] {
			bd.Rows = append(bd.Rows, GroupRow{
				Key: key, Label: d.label(dim.key, key), Persons: x.n,
				MeanFrom: mean(x.sumA, x.n), MeanTo: mean(x.sumB, x.n), MeanChange: mean(x.sumDelta, x.n),
				Gainers: x.gainers, Losers: x.losers, Eligible: d.serviceCounts(x),
			})
		}
		slices.SortFunc(bd.Rows, func(a, b GroupRow) int {
			if dim.key == ByAge { // in age order
				return cmp.Compare(ageIndex(a.Key), ageIndex(b.Key))
			}
			if c := cmp.Compare(b.Persons, a.Persons); c != 0 {
				return c
			}
			return cmp.Compare(a.Key, b.Key)
		})
		r.Breakdowns = append(r.Breakdowns, bd)
	}
	return r
}

func (d *simulation) serviceCounts(x *acc) []ServiceCount {
	out := make([]ServiceCount, len(d.services))
	for i, s := range d.services {
		out[i] = ServiceCount{Service: s.name, Label: s.label}
		if x.eligA != nil {
			out[i].A, out[i].B = x.eligA[i], x.eligB[i]
			out[i].Change = out[i].B - out[i].A
		}
	}
	return out
}

// label names a group key for people, Chinese with English.
func (d *simulation) label(dim, key string) string {
	switch {
	case key == "":
		return both("diff.unknown")
	case dim == ByTown:
		if name, ok := d.towns[key]; ok {
			return name + " " + key
		}
		return key
	case dim == ByProvince:
		if zh, ok := ident.ProvinceName(key); ok {
			return zh + " " + ident.ProvinceNameEN(key)
		}
		return key
	case dim == BySex:
		switch key {
		case string(registry.Male), string(registry.Female):
			return both(msg.Key("sex.", key))
		}
	case dim == ByAge:
		for _, b := range registry.AgeBands {
			if b.Key == key {
				return b.NameZH + " " + b.NameEN
			}
		}
	}
	return key
}

func mean(sum float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return round2(sum / float64(n))
}
