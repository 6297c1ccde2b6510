package demo

import (
	"math"
	"strconv"

	"github.com/newcitizens/rooted/internal/date"
)

type factKey struct {
	kind string
	d    date.Date
}

// fact writes one fact of the person being generated; a second fact of the
// same kind on the same day moves a day earlier so (id, kind, date) stays a
// key.
func (g *gen) fact(p *person, kind, value string, d date.Date) {
	for again := true; again; {
		again = false
		for _, k := range g.factKeys {
			if k.kind == kind && k.d == d {
				d--
				again = true
				break
			}
		}
	}
	g.factKeys = append(g.factKeys, factKey{kind, d})
	f := g.fFacts
	f.begin()
	f.str(p.id)
	f.str(kind)
	f.str(value)
	f.date(d)
	f.end()
}

var skillLevels = []weighted{{"5", 0.45}, {"4", 0.35}, {"3", 0.15}, {"2", 0.04}, {"1", 0.01}}

var skillDist = newDist(skillLevels)

var titleLevels = []weighted{{"junior", 0.70}, {"intermediate", 0.25}, {"senior", 0.05}}

var titleDist = newDist(titleLevels)

func itoa(n int) string { return strconv.Itoa(n) }

// writeAdultFacts writes the points-relevant facts of an adult, dated within
// the stay [a.join, limit].
func (g *gen) writeAdultFacts(a *person, limit date.Date) {
	r := g.r
	lo, hi := a.join, limit
	day := func() date.Date { return g.between(lo, hi) }
	graduate := a.edu == "college" || a.edu == "bachelor" || a.edu == "master"
	employed := a.status == "employed"
	self := a.status == "self"

	if employed {
		p := rateSkill
		if a.edu == "vocational" || a.edu == "senior" {
			p *= 1.5
		}
		if g.chance(p) {
			lv := skillLevels[skillDist.pick(r)].key
			d := day()
			g.fact(a, "skill_level", lv, d)
			if lv != "1" && g.chance(0.15) && d < hi {
				// An upgrade later in the stay.
				n, _ := strconv.Atoi(lv)
				g.fact(a, "skill_level", itoa(n-1), g.between(d+1, hi))
			}
		}
		if g.chance(rateShortage) {
			g.fact(a, "shortage_job", "", day())
		}
		pTax := rateIncomeTax
		if graduate {
			pTax *= 3
		}
		if g.chance(pTax) {
			g.yearly(a, "income_tax", lo, hi, func() string { return itoa(300 + r.IntN(197)*100) })
		}
	}
	if self {
		if g.chance(rateBusinessTax) {
			g.yearly(a, "business_tax", lo, hi, func() string {
				return itoa(int(2000 * math.Pow(150, r.Float64())))
			})
		}
		if g.chance(rateHired) {
			n := 1 + int(r.ExpFloat64()*3)
			if n > 40 {
				n = 40
			}
			g.fact(a, "employees_hired", itoa(n), day())
		}
	}
	pTitle := 0.007
	if graduate {
		pTitle = 0.10
	}
	if g.chance(pTitle) {
		g.fact(a, "title", titleLevels[titleDist.pick(r)].key, day())
	}
	if g.chance(rateVolunteer) {
		for range 1 + r.IntN(3) {
			g.fact(a, "volunteer_hours", itoa(2+r.IntN(59)), day())
		}
	}
	if g.chance(rateBlood) {
		for range 1 + r.IntN(3) {
			g.fact(a, "blood_donation", "", day())
		}
	}
	if g.chance(rateDonation) {
		for range 1 + r.IntN(2) {
			g.fact(a, "donation", itoa((5+r.IntN(496))*10), day())
		}
	}
	switch u := r.Float64(); {
	case u < rateMarrowDon:
		d := day()
		g.fact(a, "marrow", "registered", g.between(lo, d))
		g.fact(a, "marrow", "donated", d)
	case u < rateMarrowDon+rateMarrowReg:
		g.fact(a, "marrow", "registered", day())
	}
	pInv, pUtil := rateInvention, rateUtility
	if graduate {
		pInv, pUtil = pInv*8, pUtil*5
	}
	if g.chance(pInv) {
		g.fact(a, "invention_patent", "1", day())
	}
	if g.chance(pUtil) {
		g.fact(a, "utility_patent", itoa(1+r.IntN(3)), day())
	}
	if g.chance(rateAwardCounty) {
		g.fact(a, "award_county", "", day())
	}
	if g.chance(rateAwardPref) {
		g.fact(a, "award_prefecture", "", day())
	}
	if g.chance(rateAwardProv) {
		g.fact(a, "award_province", "", day())
	}
	if g.chance(rateCommunity) {
		g.fact(a, "community_role", "", day())
	}
	if g.chance(rateSpecialPost) {
		g.fact(a, "special_post", itoa(1+r.IntN(10)), day())
	}
	if g.chance(rateHeroism) {
		g.fact(a, "heroism", "", day())
	}
	pTalent := rateTalent / 4
	if graduate {
		pTalent = rateTalent * 6
	}
	if g.chance(pTalent) {
		g.fact(a, "talent_category", "", day())
	}

	// Penalties and credit listings: rare.
	if g.chance(rateFalse) {
		g.fact(a, "false_materials", "", day())
	}
	if g.chance(rateDetention) {
		g.fact(a, "detention", "", day())
	}
	if g.chance(rateCriminal) {
		g.fact(a, "criminal", "", day())
	}
	if g.chance(rateSerious) {
		g.fact(a, "serious_crime", "", day())
	}
	pTax := rateTaxViolation
	if self {
		pTax *= 5
	}
	if g.chance(pTax) {
		g.fact(a, "tax_violation", "", day())
	}
	if g.chance(rateDishonest) {
		d := day()
		g.fact(a, "dishonest", "listed", d)
		if d < hi && g.chance(rateDishonestOff) {
			g.fact(a, "dishonest", "removed", g.between(d+1, hi))
		}
	}
}

// yearly writes one fact per full calendar year of the stay (the last five
// at most), dated 31 December.
func (g *gen) yearly(a *person, kind string, lo, hi date.Date, value func() string) {
	y0, _, _ := civil(lo)
	y1, _, _ := civil(hi)
	if y0 < g.asOfY-5 {
		y0 = g.asOfY - 5
	}
	for y := y0; y <= y1; y++ {
		d := fromCivil(y, 12, 31)
		if d < lo || d > hi {
			continue
		}
		g.fact(a, kind, value(), d)
	}
}
