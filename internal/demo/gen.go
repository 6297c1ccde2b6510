package demo

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/registry"
)

// dist is a discrete distribution over indexes 0..n-1.
type dist struct{ cum []float64 }

func newDist(ws []weighted) dist {
	cum := make([]float64, len(ws))
	total := 0.0
	for _, w := range ws {
		total += w.w
	}
	acc := 0.0
	for i, w := range ws {
		acc += w.w / total
		cum[i] = acc
	}
	cum[len(cum)-1] = 1
	return dist{cum}
}

func (d dist) pick(r *rand.Rand) int {
	u := r.Float64()
	if len(d.cum) > 24 {
		i := sort.SearchFloat64s(d.cum, u)
		if i >= len(d.cum) {
			i = len(d.cum) - 1
		}
		return i
	}
	for i, c := range d.cum {
		if u < c {
			return i
		}
	}
	return len(d.cum) - 1
}

// stats are counts kept while generating, for tests.
type stats struct {
	households   int
	withChildren int
	demand       [][]int // school level → town → cohort of current children
}

// townPlaces are the generated place names of one town.
type townPlaces struct {
	villages, roads, estates, zones []string
}

type firm struct {
	uscc, name string
	industry   int
	town       int
}

// firmPicker draws firms by size weight.
type firmPicker struct {
	idx []int
	cum []float64
}

func (p *firmPicker) add(i int, w float64) {
	prev := 0.0
	if n := len(p.cum); n > 0 {
		prev = p.cum[n-1]
	}
	p.idx = append(p.idx, i)
	p.cum = append(p.cum, prev+w)
}

func (p *firmPicker) pick(r *rand.Rand) int {
	u := r.Float64() * p.cum[len(p.cum)-1]
	i := sort.SearchFloat64s(p.cum, u)
	if i >= len(p.idx) {
		i = len(p.idx) - 1
	}
	return p.idx[i]
}

// Insurance kinds by index.
var insuranceKinds = [5]string{"pension", "medical", "unemployment", "injury", "maternity"}

const (
	insPension = iota
	insMedical
	insUnemployment
	insInjury
	insMaternity
)

type gen struct {
	r    *rand.Rand
	opt  Options
	asOf date.Date
	// as-of parts
	asOfY, asOfM, asOfD  int
	asOfMonth, paidMonth int
	arrivalYears         []int
	arrivalDist          dist

	towns     []registry.Town
	townDist  dist
	townIndex map[string]int
	places    []townPlaces

	originDist, otherDist          dist
	ageDist, eduDist, surnameDist  dist
	ageOthers                      dist // age bands of adults who are not parents
	resSingle, resFamily           dist
	sourceDist                     map[string]dist
	sourceKeys                     map[string][]string
	empMale, empFemale, industryDs dist
	pSingleMale                    float64

	firms   []firm
	byInd   []firmPicker
	byIndTn [][]firmPicker // industry → town

	used map[uint64]struct{}

	fTowns, fSchools, fPersons, fRes, fJobs, fIns, fFacts *csvFile

	persons int
	stats   stats

	// per-person scratch
	factKeys []factKey
	lastTo   [5]int
	buf      []byte
}

func newGen(dir string, opt Options) (*gen, error) {
	g := &gen{
		r:         rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)),
		opt:       opt,
		asOf:      opt.AsOf,
		towns:     registry.DefaultTowns,
		townIndex: map[string]int{},
		used:      make(map[uint64]struct{}, opt.Persons+opt.Persons/8),
	}
	g.asOfY, g.asOfM, g.asOfD = civil(g.asOf)
	if g.asOfM == 2 && g.asOfD == 29 {
		// Anniversaries of a leap day fall on 28 February in other years.
		g.asOfD = 28
	}
	g.asOfMonth = monthOf(g.asOf)
	g.paidMonth = g.asOfMonth - 1
	for i, t := range g.towns {
		g.townIndex[t.Code] = i
	}
	g.townDist = g.townDistOf(townWeights)

	// Arrival years: steady, a dip in 2020, the current year counted by
	// the part of it that has passed; then the households that came before
	// the registry's window and were still here at its start: a mass of
	// 1 ÷ departureRate years of arrivals (the steady state), see arrival.
	start := g.registryStart()
	var aw []weighted
	for y := g.asOfY - registryYears; y <= g.asOfY; y++ {
		lo, hi := g.yearSpan(y, start)
		if hi < lo {
			continue
		}
		w := float64(hi-lo+1) / 365
		if y == 2020 {
			w *= arrivalDip2020
		}
		g.arrivalYears = append(g.arrivalYears, y)
		aw = append(aw, weighted{strconv.Itoa(y), w})
	}
	aw = append(aw, weighted{"before", 1 / departureRate})
	g.arrivalDist = newDist(aw)

	g.originDist = newDist(originProvinces)
	g.otherDist = newDist(otherProvinces)
	var ages []weighted
	for _, b := range ageBands {
		ages = append(ages, weighted{"", b.w})
	}
	g.ageDist = newDist(ages)
	g.ageOthers = newDist(othersAgeBands())
	g.eduDist = newDist(educationMix)
	g.surnameDist = newDist(surnames)
	g.resSingle = newDist(residenceKindsSingle)
	g.resFamily = newDist(residenceKindsFamily)
	g.sourceDist = map[string]dist{}
	g.sourceKeys = map[string][]string{}
	for k, ws := range residenceSources {
		g.sourceDist[k] = newDist(ws)
		for _, w := range ws {
			g.sourceKeys[k] = append(g.sourceKeys[k], w.key)
		}
	}
	g.empMale = newDist(employmentMale)
	g.empFemale = newDist(employmentFemale)
	var iw []weighted
	for _, in := range industries {
		iw = append(iw, weighted{in.code, in.share})
	}
	g.industryDs = newDist(iw)

	// The share of men among single workers that makes 60 % of all adults
	// men, given the household make-up (couples are one man and one woman).
	adults := shareSingles + 2*shareCouples + shareFamilies*(2*(1-shareSingleParent)+shareSingleParent)
	menElsewhere := shareCouples + shareFamilies*(1-shareSingleParent) + shareFamilies*shareSingleParent*(1-shareSingleMother)
	g.pSingleMale = (maleShareAdults*adults - menElsewhere) / shareSingles

	g.makePlaces()
	g.makeFirms()

	var err error
	open := func(name string, header ...string) *csvFile {
		if err != nil {
			return nil
		}
		var c *csvFile
		c, err = createCSV(dir, name, header...)
		return c
	}
	g.fTowns = open(FileTowns, "code", "name", "kind")
	g.fSchools = open(FileSchools, "code", "name", "town", "level", "entry_seats")
	g.fPersons = open(FilePersons, "id_number", "name", "phone", "education", "hukou_type", "guardian_id_number")
	g.fRes = open(FileResidences, "id_number", "town", "address", "since", "until", "kind", "source")
	g.fJobs = open(FileJobs, "id_number", "employer_uscc", "employer_name", "since", "until", "contract")
	g.fIns = open(FileInsurance, "id_number", "kind", "from_month", "to_month", "employer_uscc")
	g.fFacts = open(FileFacts, "id_number", "kind", "value", "date")
	if err != nil {
		// The error that matters is the failed open; closing the files
		// opened before it only releases them.
		_ = g.closeAll()
		return nil, err
	}
	return g, nil
}

func (g *gen) files() []*csvFile {
	return []*csvFile{g.fTowns, g.fSchools, g.fPersons, g.fRes, g.fJobs, g.fIns, g.fFacts}
}

func (g *gen) closeAll() error {
	var first error
	for _, f := range g.files() {
		if f == nil {
			continue
		}
		if err := f.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// townDistOf turns town weights keyed by code into a distribution over
// g.towns (towns not named get no weight).
func (g *gen) townDistOf(ws []weighted) dist {
	full := make([]weighted, len(g.towns))
	for i, t := range g.towns {
		full[i] = weighted{t.Code, 0}
	}
	for _, w := range ws {
		if i, ok := g.townIndex[w.key]; ok {
			full[i].w = w.w
		}
	}
	return newDist(full)
}

// registryStart is the first day of the registry's window.
func (g *gen) registryStart() date.Date {
	return fromCivil(g.asOfY-registryYears, g.asOfM, g.asOfD)
}

// yearSpan returns the days of year y that lie in [start, asOf].
func (g *gen) yearSpan(y int, start date.Date) (date.Date, date.Date) {
	lo, hi := fromCivil(y, 1, 1), fromCivil(y, 12, 31)
	if lo < start {
		lo = start
	}
	if hi > g.asOf {
		hi = g.asOf
	}
	return lo, hi
}

func (g *gen) run(ctx context.Context) error {
	for _, t := range g.towns {
		g.fTowns.begin()
		g.fTowns.str(t.Code)
		g.fTowns.str(t.Name)
		g.fTowns.str(t.Kind)
		g.fTowns.end()
	}
	g.stats.demand = make([][]int, len(schoolLevels))
	for i := range g.stats.demand {
		g.stats.demand[i] = make([]int, len(g.towns))
	}
	const progressEvery = 10000
	nextProgress := progressEvery
	for n := 0; g.persons < g.opt.Persons; n++ {
		if n&255 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		g.household()
		if g.opt.Progress != nil && g.persons >= nextProgress && g.persons < g.opt.Persons {
			g.opt.Progress(g.persons)
			nextProgress = (g.persons/progressEvery + 1) * progressEvery
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	g.writeSchools()
	return nil
}

// --- random helpers ---

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// between returns a uniform day in [lo, hi] (lo when hi < lo).
func (g *gen) between(lo, hi date.Date) date.Date {
	if hi <= lo {
		return lo
	}
	return lo + date.Date(g.r.IntN(int(hi-lo)+1))
}

// expDays returns an exponential duration in days with the given mean in years.
func (g *gen) expDays(meanYears float64) int {
	return int(g.r.ExpFloat64() * meanYears * 365.25)
}

func (g *gen) runeOf(pool []rune) rune { return pool[g.r.IntN(len(pool))] }

// --- places ---

func (g *gen) makePlaces() {
	g.places = make([]townPlaces, len(g.towns))
	for i := range g.towns {
		r := rand.New(rand.NewPCG(g.opt.Seed+uint64(i)+1, 0x5eed0f7))
		two := func(pool []rune) string {
			a := pool[r.IntN(len(pool))]
			b := pool[r.IntN(len(pool))]
			for b == a {
				b = pool[r.IntN(len(pool))]
			}
			return string([]rune{a, b})
		}
		p := &g.places[i]
		for range 40 {
			p.villages = append(p.villages, two(placeChars)+"村")
		}
		for range 20 {
			p.roads = append(p.roads, two(roadChars)+"路")
		}
		for range 12 {
			p.estates = append(p.estates, two(placeChars)+estateWords[r.IntN(len(estateWords))])
		}
		for range 6 {
			p.zones = append(p.zones, two(placeChars)+"工业区")
		}
	}
}

// address returns an address in town ti fitting the residence kind.
func (g *gen) address(ti int, kind string) string {
	p := &g.places[ti]
	b := g.buf[:0]
	b = append(b, g.towns[ti].Name...)
	switch kind {
	case "dormitory":
		b = append(b, p.zones[g.r.IntN(len(p.zones))]...)
		b = strconv.AppendInt(b, int64(1+g.r.IntN(200)), 10)
		b = append(b, "号宿舍"...)
		b = strconv.AppendInt(b, int64(g.floorRoom()), 10)
		b = append(b, "室"...)
	case "owned":
		b = append(b, p.estates[g.r.IntN(len(p.estates))]...)
		b = strconv.AppendInt(b, int64(1+g.r.IntN(30)), 10)
		b = append(b, "幢"...)
		b = strconv.AppendInt(b, int64(1+g.r.IntN(4)), 10)
		b = append(b, "单元"...)
		b = strconv.AppendInt(b, int64(g.floorRoom()), 10)
		b = append(b, "室"...)
	default:
		if g.chance(0.6) {
			b = append(b, p.villages[g.r.IntN(len(p.villages))]...)
			b = strconv.AppendInt(b, int64(1+g.r.IntN(400)), 10)
			b = append(b, "号"...)
			if g.chance(0.5) {
				b = strconv.AppendInt(b, int64(g.floorRoom()), 10)
				b = append(b, "室"...)
			}
		} else {
			b = append(b, p.roads[g.r.IntN(len(p.roads))]...)
			b = strconv.AppendInt(b, int64(1+g.r.IntN(500)), 10)
			b = append(b, "号"...)
			b = strconv.AppendInt(b, int64(g.floorRoom()), 10)
			b = append(b, "室"...)
		}
	}
	g.buf = b
	return string(b)
}

func (g *gen) floorRoom() int { return (1+g.r.IntN(6))*100 + 1 + g.r.IntN(8) }

// --- firms ---

func (g *gen) makeFirms() {
	n := g.opt.Persons / personsPerFirm
	if n < minFirms {
		n = minFirms
	}
	g.byInd = make([]firmPicker, len(industries))
	g.byIndTn = make([][]firmPicker, len(industries))
	usedCodes := map[string]bool{}
	usedNames := map[string]bool{}
	for ii, in := range industries {
		g.byIndTn[ii] = make([]firmPicker, len(g.towns))
		td := g.townDist
		if in.towns != nil {
			td = g.townDistOf(in.towns)
		}
		count := int(math.Round(in.share * float64(n)))
		if count < 1 {
			count = 1
		}
		for range count {
			f := firm{industry: ii, town: td.pick(g.r)}
			for {
				f.uscc = g.newUSCC()
				if !usedCodes[f.uscc] {
					break
				}
			}
			usedCodes[f.uscc] = true
			for try := 0; ; try++ {
				f.name = g.firmName(in, try >= 5)
				if !usedNames[f.name] {
					break
				}
			}
			usedNames[f.name] = true
			// Heavy-tailed size: a Pareto weight, capped.
			w := math.Pow(1-g.r.Float64(), -1/firmAlpha)
			if w > firmMaxWeight {
				w = firmMaxWeight
			}
			i := len(g.firms)
			g.firms = append(g.firms, f)
			g.byInd[ii].add(i, w)
			g.byIndTn[ii][f.town].add(i, w)
		}
	}
}

// orgCodeWeights are the GB 11714 organisation-code weights.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// newUSCC returns a credit code of a firm registered in Wenling: 9 (market
// regulation), 1 (enterprise), region 331081, a GB 11714 organisation code
// with its own check character, and the GB 32100 check character. Older
// firms keep the 8-digit organisation code they had; newer ones carry an
// "MA" code.
func (g *gen) newUSCC() string {
	b := make([]byte, 18)
	copy(b, "91"+wenlingRegion)
	org := b[8:16]
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	if g.chance(0.5) {
		org[0] = byte('5' + g.r.IntN(3)) // 5xxxxxxx..7xxxxxxx
		for i := 1; i < 8; i++ {
			org[i] = byte('0' + g.r.IntN(10))
		}
	} else {
		org[0], org[1] = 'M', 'A'
		for i := 2; i < 8; i++ {
			org[i] = chars[g.r.IntN(len(chars))]
		}
	}
	sum := 0
	for i, c := range org {
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * orgCodeWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		b[16] = 'X'
	case 11:
		b[16] = '0'
	default:
		b[16] = byte('0' + c)
	}
	b[17] = ident.USCCCheckChar(string(b[:17]))
	return string(b)
}

func (g *gen) firmName(in industry, long bool) string {
	trade := string([]rune{g.runeOf(tradeChars), g.runeOf(tradeChars)})
	if long {
		trade += string(g.runeOf(tradeChars))
	}
	word := in.words[g.r.IntN(len(in.words))]
	switch u := g.r.Float64(); {
	case u < 0.80:
		return "温岭市" + trade + word + "有限公司"
	case u < 0.92:
		return "浙江" + trade + word + "有限公司"
	default:
		return "浙江" + trade + word + "股份有限公司"
	}
}

// pickFirm returns a firm of industry ii, in town ti when the draw says so
// and the town has one.
func (g *gen) pickFirm(ii, ti int) *firm {
	if g.chance(jobSameTown) && len(g.byIndTn[ii][ti].idx) > 0 {
		return &g.firms[g.byIndTn[ii][ti].pick(g.r)]
	}
	return &g.firms[g.byInd[ii].pick(g.r)]
}

// othersAgeBands returns the band weights for adults who are not parents of
// children in the city, such that together with the parents (drawn from
// ageBands but at most maxParentAge, spouses about as old) all adults follow
// ageBands.
func othersAgeBands() []weighted {
	// Parents' band shares: ageBands cut at maxParentAge.
	parent := make([]float64, len(ageBands))
	total := 0.0
	for i, b := range ageBands {
		in := min(b.hi, maxParentAge) - b.lo + 1
		if in > 0 {
			parent[i] = b.w * float64(in) / float64(b.hi-b.lo+1)
			total += parent[i]
		}
	}
	// Share of adults who are parents.
	parents := shareFamilies * (2*(1-shareSingleParent) + shareSingleParent)
	adults := shareSingles + 2*shareCouples + parents
	f := parents / adults
	out := make([]weighted, len(ageBands))
	for i, b := range ageBands {
		w := (b.w - f*parent[i]/total) / (1 - f)
		out[i] = weighted{"", max(w, 0.01)}
	}
	return out
}
