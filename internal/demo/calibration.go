package demo

// The figures the synthetic city is drawn from, kept as data so that a real
// city can replace them. Each table names its source; where no published
// figure was found the value is an assumption and says so. See
// /work/shared/context/calibration.md for the same figures with their sources.

// weighted is one entry of a discrete distribution.
type weighted struct {
	key string
	w   float64
}

// originProvinces are the provinces of origin of out-of-province migrants.
// Assumption shaped by Zhejiang's published top origins (Anhui, Henan,
// Guizhou, Jiangxi, Sichuan; then Hubei, Hunan, Yunnan) — Zhejiang 7th
// census, 2020. "other" is spread over otherProvinces.
var originProvinces = []weighted{
	{"52", 0.18}, // Guizhou
	{"34", 0.15}, // Anhui
	{"36", 0.14}, // Jiangxi
	{"51", 0.13}, // Sichuan
	{"41", 0.12}, // Henan
	{"53", 0.10}, // Yunnan
	{"43", 0.07}, // Hunan
	{"42", 0.06}, // Hubei
	{"50", 0.03}, // Chongqing
	{"other", 0.02},
}

// otherProvinces share the "other" origin weight.
var otherProvinces = []weighted{
	{"45", 0.40}, // Guangxi
	{"61", 0.25}, // Shaanxi
	{"62", 0.20}, // Gansu
	{"35", 0.15}, // Fujian
}

// intraProvinceShare is the share of migrants who come from another county of
// Zhejiang rather than another province. Assumption: Zhejiang counted 25.56
// million floating residents of whom 16.19 million from other provinces
// (7th census, 2020); in a manufacturing county the out-of-province share is
// higher, so about 15 % intra-province.
const intraProvinceShare = 0.15

// wenlingRegion is the GB/T 2260 code of Wenling (温岭市), the demo city: the
// region of its firms' credit codes and of some children born there.
const wenlingRegion = "331081"

// maleShareAdults is the share of men among migrant adults (Zhejiang 7th
// census, 2020).
const maleShareAdults = 0.60

// ageBands is the age mix of migrant adults (working ages 18–60).
// Assumption fitted to the national mean age ≈39 (national migrant worker
// survey, 2024).
var ageBands = []struct {
	lo, hi int
	w      float64
}{
	{18, 40, 0.55},
	{41, 50, 0.28},
	{51, 60, 0.17},
}

// educationMix is the highest completed education of migrant adults
// (national migrant worker survey, 2021: primary or less 15 %, junior 56 %,
// senior 17 %, college and above 12 %). The splits inside a group
// (none/primary, senior/vocational, college/bachelor/master) are assumptions.
var educationMix = []weighted{
	{"none", 0.02},
	{"primary", 0.13},
	{"junior", 0.56},
	{"senior", 0.09},
	{"vocational", 0.08},
	{"college", 0.07},
	{"bachelor", 0.045},
	{"master", 0.005},
}

// maxParentAge is the oldest age (at the as-of date) of a parent living
// with children under 18 in the city; other adults' ages are drawn so that
// all adults together still follow ageBands.
const maxParentAge = 52

// Household make-up. The 35 % of households with children living in the city
// is an assumption (calibration.md); the split of the others between single
// workers and couples is an assumption too.
const (
	shareFamilies      = 0.35 // households with 1–2 children in the city
	shareCouples       = 0.15 // couples without children in the city
	shareSingles       = 1 - shareFamilies - shareCouples
	shareSingleParent  = 0.10 // of families: one parent only
	shareSingleMother  = 0.70 // of single-parent families
	shareTwoChildren   = 0.45 // of families: two children in the city
	shareBornInWenling = 0.25 // of children born after arrival: ID issued in Wenling
	shareJoinLater     = 0.35 // of children born before arrival: joined later (left-behind children)
)

// Arrivals, departures and moves. Assumptions: about 10 % of households
// leave each year; a household moves about every 6–7 years, to another town
// in 30 % of moves. Arrivals come at a steady rate (with a dip in 2020,
// COVID-19), so that the city's migrant population is about as large in
// each of the registry's years as today: a registry of a city whose growth
// has levelled off, as Wenling's has since the 2010s. (An earlier generator
// drew every arrival within 12 years of the as-of date, more towards the
// present; its registry grew from nothing and the forecast, carrying that
// growth forward, warned in every town.) The registry holds the households
// present at any time in its last registryYears years: those who came
// before keep their real arrival date; those who left before are not in it.
// Adults' ages are drawn on their arrival day from ageBands less
// arrivalAgeShift years, the mean time today's residents have been in the
// city, so that today's adults keep about the published age mix.
const (
	registryYears   = 17
	arrivalDip2020  = 0.60 // weight multiplier of 2020
	arrivalAgeShift = 6
	departureRate   = 0.10 // per household and year
	moveRate        = 0.15 // per household and year
	moveOtherTown   = 0.30 // of moves
	moveGapMaxDays  = 30   // the new residence starts 1..this many days after the old one ends
)

// townWeights is where migrants live in the 16 towns. Assumption from where
// the shoe and pump clusters are (calibration.md).
var townWeights = []weighted{
	{"zeguo", 0.16},
	{"daxi", 0.13},
	{"hengfeng", 0.10},
	{"chengbei", 0.09},
	{"chengxi", 0.08},
	{"taiping", 0.07},
	{"chengdong", 0.06},
	{"wenqiao", 0.06},
	{"xinhe", 0.05},
	{"songmen", 0.04},
	{"ruoheng", 0.04},
	{"chengnan", 0.03},
	{"binhai", 0.03},
	{"shiqiaotou", 0.02},
	{"shitang", 0.02},
	{"wugen", 0.02},
}

// townPopulation is the total resident population (locals and migrants) of
// each town, which sizes the number of schools per town. Assumption: the
// town figures of the 2020 census were not at hand; these are shaped by town
// size and sum to Wenling's 1,416,200 residents (Taizhou 7th census summary,
// 2020).
var townPopulation = []weighted{
	{"taiping", 140000},
	{"chengdong", 80000},
	{"chengxi", 100000},
	{"chengbei", 95000},
	{"hengfeng", 90000},
	{"zeguo", 200000},
	{"daxi", 160000},
	{"songmen", 85000},
	{"ruoheng", 90000},
	{"xinhe", 95000},
	{"shitang", 40000},
	{"binhai", 45000},
	{"wenqiao", 70000},
	{"chengnan", 50000},
	{"shiqiaotou", 45000},
	{"wugen", 31200},
}

// Residence kinds by household type. Assumption: single workers mostly live
// in employer dormitories or rent; families rent; about 5 % own a home.
var (
	residenceKindsSingle = []weighted{{"dormitory", 0.50}, {"rented", 0.435}, {"relative", 0.03}, {"other", 0.02}, {"owned", 0.015}}
	residenceKindsFamily = []weighted{{"rented", 0.825}, {"owned", 0.045}, {"dormitory", 0.07}, {"relative", 0.04}, {"other", 0.02}}
)

// residenceSources is who registered a residence, by kind (assumption).
var residenceSources = map[string][]weighted{
	"rented":    {{"landlord", 0.70}, {"self", 0.20}, {"police", 0.10}},
	"dormitory": {{"employer", 0.85}, {"self", 0.10}, {"police", 0.05}},
	"owned":     {{"self", 0.90}, {"police", 0.10}},
	"relative":  {{"self", 0.60}, {"police", 0.40}},
	"other":     {{"self", 0.50}, {"police", 0.50}},
}

// Industries of migrant jobs. Assumption from cluster sizes: shoes ≈3,800
// firms and ≈120,000 workers; pumps and motors ≈2,700 firms (industry
// reports). Town weights locate each cluster: shoes in the western and
// northern streets, pumps and motors in 大溪 and 泽国, machine tools and
// tools in 温峤 and 泽国, hats and garments around 新河 and 箬横 (assumption).
type industry struct {
	code     string
	share    float64 // of migrant jobs (and of firms)
	words    []string
	factory  bool    // injury insurance is the rule
	contract float64 // share of jobs with a written contract
	towns    []weighted
}

var industries = []industry{
	{"shoes", 0.30, []string{"鞋业", "鞋业", "鞋业", "鞋材", "制鞋"}, true, 0.85, []weighted{
		{"chengxi", 0.24}, {"hengfeng", 0.24}, {"chengbei", 0.15}, {"taiping", 0.10}, {"chengdong", 0.06},
		{"zeguo", 0.06}, {"daxi", 0.04}, {"wenqiao", 0.04}, {"xinhe", 0.03}, {"chengnan", 0.02}, {"shiqiaotou", 0.02}}},
	{"pumps", 0.25, []string{"泵业", "泵业", "电机", "机电", "水泵"}, true, 0.88, []weighted{
		{"daxi", 0.38}, {"zeguo", 0.30}, {"chengdong", 0.06}, {"chengbei", 0.05}, {"wenqiao", 0.05},
		{"xinhe", 0.04}, {"hengfeng", 0.04}, {"binhai", 0.04}, {"shiqiaotou", 0.04}}},
	{"machinery", 0.15, []string{"汽摩配件", "机床", "工具", "机械", "汽车部件"}, true, 0.88, []weighted{
		{"wenqiao", 0.24}, {"zeguo", 0.22}, {"chengdong", 0.14}, {"xinhe", 0.12}, {"daxi", 0.10},
		{"hengfeng", 0.05}, {"chengxi", 0.05}, {"ruoheng", 0.04}, {"binhai", 0.04}}},
	{"light", 0.10, []string{"帽业", "服饰", "工艺品", "塑料制品", "食品"}, true, 0.80, []weighted{
		{"xinhe", 0.22}, {"ruoheng", 0.20}, {"songmen", 0.16}, {"shitang", 0.08}, {"daxi", 0.08},
		{"chengnan", 0.10}, {"binhai", 0.06}, {"wugen", 0.05}, {"taiping", 0.05}}},
	{"construction", 0.08, []string{"建设", "建筑工程", "建工", "装饰工程", "市政工程"}, true, 0.60, nil}, // nil: where migrants live
	{"services", 0.12, []string{"物流", "餐饮管理", "物业管理", "商贸", "酒店管理", "家政服务"}, false, 0.75, nil},
}

// Employment status of migrant adults by sex (assumption): employed with
// registered jobs, self-employed (no job rows), not working.
var (
	employmentMale   = []weighted{{"employed", 0.90}, {"self", 0.07}, {"none", 0.03}}
	employmentFemale = []weighted{{"employed", 0.78}, {"self", 0.06}, {"none", 0.16}}
)

// Jobs and social insurance (assumptions). Insurance coverage of migrant
// workers is well below that of locals; a sizable minority is uninsured or
// has gaps, which the points and compliance work needs.
const (
	jobMeanYears         = 3.5  // mean length of one job
	jobMaxCount          = 4    // jobs per person over a stay
	jobSameTown          = 0.70 // the employer is in the town of residence
	insuredWithContract  = 0.72 // pension and medical paid by the employer
	insuredNoContract    = 0.15
	insuranceGapShare    = 0.15 // of insured jobs over 2 years: a gap of 2–8 months
	injuryIfInsured      = 0.95 // factory and construction jobs
	injuryOnlyFactory    = 0.20 // uninsured factory jobs with injury insurance only
	injuryOnlyBuild      = 0.50 // uninsured construction jobs with injury insurance only
	unemploymentInsured  = 0.70
	maternityInsured     = 0.60
	selfPaidPensionSelf  = 0.35 // self-employed paying flexible-employment pension
	selfPaidMedicalOther = 0.50 // self-employed and not working: resident medical insurance
	childMedical         = 0.60 // children with resident medical insurance
)

// Schools. Zhejiang standard-school norm: primary 24–36 classes of 45,
// junior 24–36 classes of 50, entry-grade seats ≈ classes ÷ 6 × class size.
// Kindergartens (assumption): 9–15 classes of 30, entry seats classes ÷ 3 × 30.
// Seat targets against the migrant children's demand are assumptions:
// 15–35 % above it in most towns (room for a few years' swings), under it
// in the three busiest, whose schools have not kept up: these are the towns
// a real city's early warning would name. A town with too few migrant
// children for a school of the norm's size gets places in a local school:
// at least one class's worth, except in the busiest towns.
type schoolLevel struct {
	level      string
	suffix     string // name suffix
	code       string // code letter
	minC, maxC int    // classes per school
	grades     int    // classes ÷ grades × classSize = entry seats
	classSize  int
	entryAge   int     // age reached by 31 August of the intake year
	ratioLo    float64 // seats ÷ demand, most towns
	ratioHi    float64
	tightLo    float64 // seats ÷ demand, the busiest towns
	tightHi    float64
	tightTowns int
}

var schoolLevels = []schoolLevel{
	{"kindergarten", "幼儿园", "k", 9, 15, 3, 30, 3, 1.15, 1.35, 0.88, 0.97, 3},
	{"primary", "小学", "p", 24, 36, 6, 45, 6, 1.15, 1.35, 0.85, 0.95, 3},
	{"junior", "中学", "j", 24, 36, 6, 50, 12, 1.15, 1.35, 0.88, 0.97, 3},
}

// Firms: about one firm per 300 persons of the demo city (a few thousand for a
// million), sizes heavy-tailed (Pareto). Assumption.
const (
	personsPerFirm = 300
	minFirms       = 40
	firmAlpha      = 1.3
	firmMaxWeight  = 60
)

// Fact rates per adult (assumptions; low, as in a real registry).
const (
	rateSkill        = 0.15 // of employed adults
	rateTitle        = 0.02 // of all; most among college graduates
	rateVolunteer    = 0.06
	rateBlood        = 0.04
	rateDonation     = 0.05
	rateMarrowReg    = 0.005
	rateMarrowDon    = 0.0002
	rateIncomeTax    = 0.08 // of employed: above the tax threshold
	rateBusinessTax  = 0.60 // of self-employed
	rateHired        = 0.35 // of self-employed
	rateInvention    = 0.001
	rateUtility      = 0.004
	rateAwardCounty  = 0.005
	rateAwardPref    = 0.0015
	rateAwardProv    = 0.0003
	rateCommunity    = 0.01
	rateShortage     = 0.08 // of employed
	rateSpecialPost  = 0.01
	rateHeroism      = 0.0002
	rateTalent       = 0.005
	rateIncomeBelow  = 0.30 // of households
	rateFalse        = 0.002
	rateDetention    = 0.003
	rateCriminal     = 0.001
	rateSerious      = 0.0002
	rateTaxViolation = 0.001
	rateDishonest    = 0.003
	rateDishonestOff = 0.40 // of listed: later removed
)
