package demo

import (
	"strconv"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
)

// person is one member of the household being generated.
type person struct {
	id       string
	name     string
	surname  string
	male     bool
	adult    bool
	birth    date.Date
	county   string // region code of the ID number's origin (the household's)
	edu      string
	hukou    string
	phone    string
	guardian string
	join     date.Date // first day in the city
	status   string    // adults: employed, self, none
}

// spell is one residence of the household.
type spell struct {
	town         int
	addr         string
	since, until date.Date
	kind, source string
}

// household generates one household and writes all its rows.
func (g *gen) household() {
	r := g.r
	remaining := g.opt.Persons - g.persons

	// Make-up.
	u := r.Float64()
	nAdults, nKids := 1, 0
	headMale := g.chance(g.pSingleMale)
	switch {
	case u < shareSingles:
	case u < shareSingles+shareCouples:
		nAdults, headMale = 2, true
	default:
		nKids = 1
		if g.chance(shareTwoChildren) {
			nKids = 2
		}
		if g.chance(shareSingleParent) {
			headMale = !g.chance(shareSingleMother)
		} else {
			nAdults, headMale = 2, true
		}
	}
	for nAdults+nKids > remaining {
		if nKids > 0 {
			nKids--
		} else {
			nAdults--
		}
	}
	family := nKids > 0

	// Origin, adults, arrival, departure and children. A family whose
	// children cannot fit (it left before they were born, the parents are
	// too old) is drawn again, so that the share of families holds.
	var (
		adults         []*person
		kids           []*person
		arrive, depart date.Date
		limit          date.Date // last day in the city
	)
	for attempt := 0; ; attempt++ {
		// Arrival first: the adults' ages are drawn on that day.
		var leave date.Date
		arrive, leave = g.arrival()
		depart = 0
		if leave < g.asOf {
			depart = leave
		}
		// The household comes from one county, a spouse now and then from
		// another county of the same province or elsewhere.
		headCounty := g.originCounty()
		head := g.adult(headMale, headCounty, family, arrive)
		adults = append(adults[:0], head)
		if nAdults == 2 {
			county := headCounty
			switch u := r.Float64(); {
			case u < 0.55:
			case u < 0.85:
				cs := originCounties[headCounty[:2]]
				county = cs[r.IntN(len(cs))]
			default:
				county = g.originCounty()
			}
			adults = append(adults, g.spouse(head, county, arrive))
		}
		limit = g.asOf
		if depart != 0 {
			limit = depart
		}
		kids = nil
		planned := false
		if nKids > 0 {
			kids, planned = g.children(adults, nKids, arrive, leave)
		}
		if planned {
			break
		}
		if nKids == 0 || attempt == 7 {
			break
		}
	}

	// Residences of the household.
	spells := g.spells(len(adults) == 1 && len(kids) == 0, arrive, depart)

	g.stats.households++
	if len(kids) > 0 {
		g.stats.withChildren++
	}

	for _, a := range adults {
		a.join = arrive
		if a.male {
			a.status = []string{"employed", "self", "none"}[g.empMale.pick(r)]
		} else {
			a.status = []string{"employed", "self", "none"}[g.empFemale.pick(r)]
		}
	}
	if len(kids) > 0 {
		// One parent is every child's guardian (the mother more often).
		gd := adults[0]
		if len(adults) == 2 && g.chance(0.6) {
			gd = adults[1]
		}
		for _, k := range kids {
			// A child of a household that has been here long may be an
			// adult today: the registry links guardians of minors only.
			if yearsBetween(k.birth, g.asOf) < 18 {
				k.guardian = gd.id
			}
			k.hukou = gd.hukou
		}
	}

	// persons.csv: adults before their children.
	for _, p := range adults {
		g.writePerson(p)
	}
	for _, p := range kids {
		g.writePerson(p)
	}

	// Everything else, person by person.
	for _, a := range adults {
		g.resetPerson()
		g.writeResidences(a, spells)
		g.writeJobs(a, spells, limit, depart)
		g.writeAdultFacts(a, limit)
	}
	if g.chance(rateIncomeBelow) {
		lo := limit - 3*365
		if lo < arrive {
			lo = arrive
		}
		d := g.between(lo, limit)
		for _, a := range adults {
			g.resetPerson()
			g.fact(a, "income_below_limit", "", d)
		}
	}
	for _, k := range kids {
		g.resetPerson()
		g.writeResidences(k, spells)
		if g.chance(childMedical) {
			g.ins(k.id, insMedical, monthOf(k.join), g.endMonth(depart), "")
		}
		if depart == 0 {
			g.countDemand(k, spells[len(spells)-1].town)
		}
	}
}

// originCounty draws the county of origin of a household.
func (g *gen) originCounty() string {
	prov := "33"
	if !g.chance(intraProvinceShare) {
		i := g.originDist.pick(g.r)
		prov = originProvinces[i].key
		if prov == "other" {
			prov = otherProvinces[g.otherDist.pick(g.r)].key
		}
	}
	cs := originCounties[prov]
	return cs[g.r.IntN(len(cs))]
}

// birthForAge returns a birth date that makes a person age years old on
// day on (and born by the as-of date).
func (g *gen) birthForAge(age int, on date.Date) date.Date {
	y, m, d := civil(on)
	if m == 2 && d == 29 {
		d = 28
	}
	lo := fromCivil(y-age-1, m, d) + 1
	hi := fromCivil(y-age, m, d)
	if hi > g.asOf {
		hi = g.asOf
	}
	return g.between(lo, hi)
}

func (g *gen) adultAge(d dist) int {
	b := ageBands[d.pick(g.r)]
	return b.lo + g.r.IntN(b.hi-b.lo+1)
}

// adult makes an adult who arrives on day arrive. The age is drawn from
// today's mix (parents of children in the city cut at maxParentAge, other
// adults making up for it, see newGen) and taken arrivalAgeShift years
// younger on the arrival day (see calibration.go).
func (g *gen) adult(male bool, county string, parent bool, arrive date.Date) *person {
	if !parent {
		return g.newAdult(male, county, arrivalAge(g.adultAge(g.ageOthers)), arrive)
	}
	age := g.adultAge(g.ageDist)
	for age > maxParentAge {
		age = g.adultAge(g.ageDist)
	}
	return g.newAdult(male, county, arrivalAge(age), arrive)
}

// arrivalAge is the age on arrival of an adult of age in today's mix.
func arrivalAge(age int) int { return max(18, age-arrivalAgeShift) }

func (g *gen) spouse(head *person, county string, arrive date.Date) *person {
	hy, _, _ := civil(head.birth)
	ay, _, _ := civil(arrive)
	age := ay - hy - 2 + int(g.r.NormFloat64()*2.5)
	if age < 18 {
		age = 18
	}
	if age > 60 {
		age = 60
	}
	p := g.newAdult(false, county, age, arrive)
	if g.chance(0.1) {
		p.hukou = head.hukou
	}
	return p
}

func (g *gen) newAdult(male bool, county string, age int, on date.Date) *person {
	birth := g.birthForAge(age, on)
	p := &person{male: male, adult: true, birth: birth, county: county}
	p.id = g.newID(county, birth, male)
	p.surname = surnames[g.surnameDist.pick(g.r)].key
	p.name = p.surname + g.givenName(male, birth)
	p.edu = educationMix[g.eduDist.pick(g.r)].key
	p.hukou = "agricultural"
	switch p.edu {
	case "college", "bachelor", "master":
		if g.chance(0.5) {
			p.hukou = "non_agricultural"
		}
	default:
		if g.chance(0.07) {
			p.hukou = "non_agricultural"
		}
	}
	if g.chance(0.98) {
		p.phone = g.phone()
	}
	return p
}

// children makes up to n children of the adults (at most 17 on arrival,
// born when their mother was 20–40, before the household leaves), who live
// with the household. Births are reckoned against the household's own stay
// (leave may be after the as-of date), not against the as-of date: a child
// due after it is not born yet and is not returned, and planned is still
// true. (Squeezing every child of today's families before the as-of date
// gave today more young children than any past year had, a growth the
// forecast carried forward.) planned is false when no child can fit (the
// household leaves before any could be born).
func (g *gen) children(adults []*person, n int, arrive, leave date.Date) (kids []*person, planned bool) {
	mother, father := adults[0], (*person)(nil)
	if adults[0].male {
		father = adults[0]
		if len(adults) == 2 {
			mother = adults[1]
		} else {
			mother = nil
		}
	}
	var pb date.Date // the birth the children's dates are reckoned from
	minAge, maxAge := 20, 40
	if mother != nil {
		pb = mother.birth
	} else {
		pb, minAge, maxAge = father.birth, 21, 45
	}
	py, pm, pd := civil(pb)
	// Children who live here are minors during the stay: at most 17 on
	// arrival (reckoned from the arrival day, not the as-of date, so that
	// the children of past years are like today's).
	ay, am, ad := civil(arrive)
	if am == 2 && ad == 29 {
		ad = 28
	}
	lo := fromCivil(ay-18, am, ad) + 1
	if l := fromCivil(py+minAge, pm, pd); l > lo {
		lo = l
	}
	hi := leave - 30
	if h := fromCivil(py+maxAge, pm, pd); h < hi {
		hi = h
	}
	if hi < lo {
		return nil, false
	}
	surname := ""
	switch {
	case father != nil:
		surname = father.surname
	case g.chance(0.1):
		surname = mother.surname
	default:
		surname = surnames[g.surnameDist.pick(g.r)].key
	}
	origin := mother
	if father != nil {
		origin = father
	}

	var births []date.Date
	first := pb + date.Date(int((20+(g.r.Float64()+g.r.Float64())*9)*365.25)) + date.Date(g.r.IntN(365))
	if first < lo || first > hi {
		first = g.between(lo, hi)
	}
	births = append(births, first)
	if n == 2 {
		gap := date.Date(550 + g.r.IntN(6*365))
		if g.chance(0.5) {
			gap = -gap
		}
		second := first + gap
		if second < lo || second > hi {
			second = first - gap
		}
		if second >= lo && second <= hi {
			births = append(births, second)
		}
	}
	if len(births) == 2 && births[1] < births[0] {
		births[0], births[1] = births[1], births[0]
	}

	kids = make([]*person, 0, len(births))
	for _, b := range births {
		if b > g.asOf-30 {
			continue // not born yet (or not yet registered)
		}
		k := &person{birth: b, male: g.chance(0.53)} // sex ratio at birth ≈113 in the 2000s–2010s
		region := origin.county
		if b >= arrive {
			k.join = b
			if g.chance(shareBornInWenling) {
				region = wenlingRegion
			}
		} else {
			k.join = arrive
			if g.chance(shareJoinLater) {
				j := arrive + date.Date(180+g.r.IntN(4*365))
				if j < leave-30 {
					k.join = j
				}
			}
		}
		if k.join > g.asOf-30 {
			continue // not here yet
		}
		k.county = region
		k.id = g.newID(region, b, k.male)
		k.surname = surname
		k.name = surname + g.givenName(k.male, b)
		age := yearsBetween(b, g.asOf)
		switch {
		case age >= 16:
			k.edu = "junior"
		case age >= 13:
			k.edu = "primary"
		}
		if age >= 14 && g.chance(0.4) {
			k.phone = g.phone()
		}
		kids = append(kids, k)
	}
	return kids, true
}

// yearsBetween is date.YearsBetween without time.Time.
func yearsBetween(birth, on date.Date) int {
	by, bm, bd := civil(birth)
	y, m, d := civil(on)
	age := y - by
	if m < bm || (m == bm && d < bd) {
		age--
	}
	return age
}

// arrival draws the household's arrival and leaving days; the leaving day
// may be after the as-of date (still here: no departure recorded), and is
// what the children's births are reckoned against, so that a household's
// children do not depend on when the registry was read.
// A household that came before the registry's window was still here at its
// start (else it would not be in the registry); stays are exponential, so
// from the window's start it stays as long as any other household.
func (g *gen) arrival() (arrive, leave date.Date) {
	start := g.registryStart()
	if i := g.arrivalDist.pick(g.r); i < len(g.arrivalYears) {
		lo, hi := g.yearSpan(g.arrivalYears[i], start)
		arrive = g.between(lo, hi)
		leave = arrive + date.Date(30+g.expDays(1/departureRate))
	} else {
		// At most 25 years before the window (e^−2.5 of them would be
		// older): no one in the registry came as a young worker 60
		// years ago.
		arrive = start - date.Date(1+min(g.expDays(1/departureRate), 25*365))
		leave = start + date.Date(g.expDays(1/departureRate))
	}
	return arrive, leave
}

// spells draws the household's residences from arrival to departure (or
// open at the as-of date), with moves within and between towns.
func (g *gen) spells(single bool, arrive, depart date.Date) []spell {
	kinds := g.resFamily
	ks := residenceKindsFamily
	if single {
		kinds, ks = g.resSingle, residenceKindsSingle
	}
	end := g.asOf - 40
	if depart != 0 {
		end = depart
	}
	newSpell := func(town int, since date.Date, prevKind string) spell {
		kind := ks[kinds.pick(g.r)].key
		if prevKind == "owned" && g.chance(0.8) {
			kind = "owned"
		}
		src := g.sourceKeys[kind][g.sourceDist[kind].pick(g.r)]
		return spell{town: town, addr: g.address(town, kind), since: since, kind: kind, source: src}
	}
	out := []spell{newSpell(g.townDist.pick(g.r), arrive, "")}
	t := arrive
	for {
		t += date.Date(30 + g.expDays(1/moveRate))
		gap := date.Date(1 + g.r.IntN(moveGapMaxDays))
		if t+gap >= end {
			break
		}
		cur := &out[len(out)-1]
		cur.until = t
		town := cur.town
		if g.chance(moveOtherTown) {
			for town == cur.town {
				town = g.townDist.pick(g.r)
			}
		}
		t += gap
		out = append(out, newSpell(town, t, cur.kind))
	}
	if depart != 0 {
		out[len(out)-1].until = depart
	}
	return out
}

// newID returns an unused ID number for region, birth and sex.
func (g *gen) newID(region string, birth date.Date, male bool) string {
	reg, _ := strconv.Atoi(region)
	for {
		y, m, d := civil(birth)
		ymd := y*10000 + m*100 + d
		base := uint64(reg)*100_000_000_000 + uint64(ymd)*1000
		par := 0
		if male {
			par = 1
		}
		seq := -1
		for try := 0; try < 20; try++ {
			s := g.r.IntN(499)*2 + 2 - par // male: 1..997 odd; female: 2..998 even
			if _, dup := g.used[base+uint64(s)]; !dup {
				seq = s
				break
			}
		}
		if seq < 0 {
			for s := 2 - par; s < 1000; s += 2 {
				if _, dup := g.used[base+uint64(s)]; !dup {
					seq = s
					break
				}
			}
		}
		if seq < 0 {
			birth-- // every sequence of that day is taken: a day earlier
			continue
		}
		g.used[base+uint64(seq)] = struct{}{}
		var b [18]byte
		copy(b[:6], region)
		b[6], b[7], b[8], b[9] = byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
		b[10], b[11], b[12], b[13] = byte('0'+m/10), byte('0'+m%10), byte('0'+d/10), byte('0'+d%10)
		b[14], b[15], b[16] = byte('0'+seq/100), byte('0'+seq/10%10), byte('0'+seq%10)
		b[17] = ident.IDCheckChar(string(b[:17]))
		return string(b[:])
	}
}

// phonePrefixes are mobile number blocks of the three carriers.
var phonePrefixes = []string{
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"150", "151", "152", "153", "155", "156", "157", "158", "159",
	"166", "173", "175", "176", "177", "178",
	"180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
	"191", "193", "195", "198", "199",
}

func (g *gen) phone() string {
	var b [11]byte
	copy(b[:3], phonePrefixes[g.r.IntN(len(phonePrefixes))])
	n := g.r.IntN(100_000_000)
	for i := 10; i >= 3; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[:])
}

func (g *gen) givenName(male bool, birth date.Date) string {
	y, _, _ := civil(birth)
	newStyle := y >= 2008 || (y >= 1990 && g.chance(float64(y-1990)/18))
	var pool []rune
	switch {
	case male && newStyle:
		pool = givenMaleNew
	case male:
		pool = givenMaleOld
	case newStyle:
		pool = givenFemaleNew
	default:
		pool = givenFemaleOld
	}
	if g.chance(0.25) {
		return string(g.runeOf(pool))
	}
	return string([]rune{g.runeOf(pool), g.runeOf(pool)})
}

// --- rows ---

func (g *gen) writePerson(p *person) {
	f := g.fPersons
	f.begin()
	f.str(p.id)
	f.str(p.name)
	f.str(p.phone)
	f.str(p.edu)
	f.str(p.hukou)
	f.str(p.guardian)
	f.end()
	g.persons++
}

func (g *gen) writeResidences(p *person, spells []spell) {
	f := g.fRes
	for _, s := range spells {
		if s.until != 0 && s.until < p.join {
			continue
		}
		since := s.since
		if since < p.join {
			since = p.join
		}
		f.begin()
		f.str(p.id)
		f.str(g.towns[s.town].Code)
		f.str(s.addr)
		f.date(since)
		f.date(s.until)
		f.str(s.kind)
		f.str(s.source)
		f.end()
	}
}

// townAt returns the town of the spell the household lived in on day d.
func townAt(spells []spell, d date.Date) int {
	t := spells[0].town
	for _, s := range spells {
		if s.since > d {
			break
		}
		t = s.town
	}
	return t
}

// endMonth is the last month of insurance: the month of departure, or the
// month before the as-of date.
func (g *gen) endMonth(depart date.Date) int {
	if depart != 0 {
		return monthOf(depart)
	}
	return g.paidMonth
}

func (g *gen) resetPerson() {
	g.factKeys = g.factKeys[:0]
	g.lastTo = [5]int{}
}

// writeJobs writes an adult's jobs and the insurance periods that follow
// them; self-employed and non-working adults may pay insurance themselves.
func (g *gen) writeJobs(a *person, spells []spell, limit, depart date.Date) {
	r := g.r
	switch a.status {
	case "self":
		if g.chance(selfPaidPensionSelf) {
			g.ins(a.id, insPension, monthOf(a.join)+3+r.IntN(22), g.endMonth(depart), "")
		}
		if g.chance(selfPaidMedicalOther) {
			g.ins(a.id, insMedical, monthOf(a.join)+r.IntN(12), g.endMonth(depart), "")
		}
		return
	case "none":
		if g.chance(selfPaidMedicalOther) {
			g.ins(a.id, insMedical, monthOf(a.join)+r.IntN(12), g.endMonth(depart), "")
		}
		return
	}
	since := a.join + date.Date(r.IntN(60))
	for n := 0; n < jobMaxCount && since <= limit; n++ {
		ii := g.industryDs.pick(r)
		if industries[ii].code == "construction" && !a.male && g.chance(0.8) {
			ii = g.industryDs.pick(r)
		}
		in := &industries[ii]
		fm := g.pickFirm(ii, townAt(spells, since))
		until := since + date.Date(45+g.expDays(jobMeanYears))
		last := n == jobMaxCount-1 || until >= limit
		if last {
			until = depart // open while the household stays
		}
		contract := "no"
		if g.chance(in.contract) {
			contract = "yes"
		}
		f := g.fJobs
		f.begin()
		f.str(a.id)
		f.str(fm.uscc)
		f.str(fm.name)
		f.date(since)
		f.date(until)
		f.str(contract)
		f.end()

		g.jobInsurance(a, in, fm, since, until, contract == "yes")
		if last {
			break
		}
		// The next job, after a gap or straight away.
		gap := r.IntN(8)
		if g.chance(0.5) {
			gap = 8 + r.IntN(113)
		}
		since = until + 1 + date.Date(gap)
	}
}

// jobInsurance writes the insurance periods an employer paid for one job.
func (g *gen) jobInsurance(a *person, in *industry, fm *firm, since, until date.Date, contract bool) {
	r := g.r
	to := g.paidMonth
	if until != 0 {
		to = monthOf(until)
	}
	from := monthOf(since)
	p := insuredNoContract
	if contract {
		p = insuredWithContract
	}
	if !g.chance(p) {
		// Injury insurance alone is common for factory and building work.
		q := 0.0
		if in.code == "construction" {
			q = injuryOnlyBuild
		} else if in.factory {
			q = injuryOnlyFactory
		}
		if g.chance(q) {
			g.ins(a.id, insInjury, from, to, fm.uscc)
		}
		return
	}
	if !g.chance(0.6) {
		from += 1 + r.IntN(3) // paid from the end of probation
	}
	if from > to {
		return
	}
	periods := [][2]int{{from, to}}
	if to-from >= 24 && g.chance(insuranceGapShare) {
		cut := from + 6 + r.IntN(to-from-12)
		resume := cut + 3 + r.IntN(7)
		periods = [][2]int{{from, cut}}
		if resume <= to {
			periods = append(periods, [2]int{resume, to})
		}
	}
	unemp := g.chance(unemploymentInsured)
	mat := g.chance(maternityInsured)
	injury := in.factory && g.chance(injuryIfInsured)
	for _, pr := range periods {
		g.ins(a.id, insPension, pr[0], pr[1], fm.uscc)
		g.ins(a.id, insMedical, pr[0], pr[1], fm.uscc)
		if unemp {
			g.ins(a.id, insUnemployment, pr[0], pr[1], fm.uscc)
		}
		if injury {
			g.ins(a.id, insInjury, pr[0], pr[1], fm.uscc)
		}
		if mat {
			g.ins(a.id, insMaternity, pr[0], pr[1], fm.uscc)
		}
	}
}

// ins writes one insurance period, moved past the person's previous period
// of the same kind so that periods never overlap.
func (g *gen) ins(id string, kind, from, to int, uscc string) {
	if from <= g.lastTo[kind] {
		from = g.lastTo[kind] + 1
	}
	if to > g.asOfMonth {
		to = g.asOfMonth
	}
	if from > to {
		return
	}
	g.lastTo[kind] = to
	f := g.fIns
	f.begin()
	f.str(id)
	f.str(insuranceKinds[kind])
	f.month(from)
	f.month(to)
	f.str(uscc)
	f.end()
}

// countDemand counts a current child in the school cohorts of its town.
func (g *gen) countDemand(k *person, town int) {
	for li, lv := range schoolLevels {
		lo, hi := g.cohort(lv.entryAge)
		if k.birth >= lo && k.birth <= hi {
			g.stats.demand[li][town]++
		}
	}
}

// intakeYear is the year of the next September intake.
func (g *gen) intakeYear() int {
	if g.asOfM >= 9 {
		return g.asOfY + 1
	}
	return g.asOfY
}

// cohort returns the birth dates of the children who reach age by 31 August
// of the intake year.
func (g *gen) cohort(age int) (date.Date, date.Date) {
	y := g.intakeYear()
	return fromCivil(y-age-1, 9, 1), fromCivil(y-age, 8, 31)
}
