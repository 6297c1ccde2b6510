package ingest

import (
	"strings"
)

// column is one column a kind knows, with its English and Chinese header.
type column struct {
	en, zh   string
	required bool
}

// kindSpec describes one kind of file. Its position in kinds is the order in
// which files are applied: what is referenced comes before what refers to it.
type kindSpec struct {
	name    string
	columns []column
	order   int
	// byName maps a normalised header cell to its column index.
	byName map[string]int
}

// Column indexes of each kind; validators read cells by them.
const (
	townCode = iota
	townName
	townKind
)

const (
	schoolCode = iota
	schoolName
	schoolTown
	schoolLevel
	schoolSeats
)

const (
	personID = iota
	personName
	personPhone
	personEducation
	personHukou
	personGuardian
)

const (
	resID = iota
	resTown
	resAddress
	resSince
	resUntil
	resKind
	resSource
)

const (
	jobID = iota
	jobUSCC
	jobEmployer
	jobSince
	jobUntil
	jobContract
)

const (
	insID = iota
	insKind
	insFrom
	insTo
	insUSCC
)

const (
	factID = iota
	factKind
	factValue
	factDate
)

// Kind names, as in the contract and in FileResult.Kind.
const (
	KindTowns      = "towns"
	KindSchools    = "schools"
	KindPersons    = "persons"
	KindResidences = "residences"
	KindJobs       = "jobs"
	KindInsurance  = "insurance"
	KindFacts      = "facts"
)

var kinds = []*kindSpec{
	{name: KindTowns, columns: []column{
		townCode: {"code", "代码", true},
		townName: {"name", "名称", true},
		townKind: {"kind", "类型", true},
	}},
	{name: KindSchools, columns: []column{
		schoolCode:  {"code", "学校代码", true},
		schoolName:  {"name", "学校名称", true},
		schoolTown:  {"town", "镇街", true},
		schoolLevel: {"level", "学段", true},
		schoolSeats: {"entry_seats", "起始年级学位数", true},
	}},
	{name: KindPersons, columns: []column{
		personID:        {"id_number", "身份证号", true},
		personName:      {"name", "姓名", true},
		personPhone:     {"phone", "手机号", false},
		personEducation: {"education", "学历", false},
		personHukou:     {"hukou_type", "户口性质", false},
		personGuardian:  {"guardian_id_number", "监护人身份证号", false},
	}},
	{name: KindResidences, columns: []column{
		resID:      {"id_number", "身份证号", true},
		resTown:    {"town", "镇街", true},
		resAddress: {"address", "地址", true},
		resSince:   {"since", "起始日期", true},
		resUntil:   {"until", "结束日期", false},
		resKind:    {"kind", "居住类型", true},
		resSource:  {"source", "来源", false},
	}},
	{name: KindJobs, columns: []column{
		jobID:       {"id_number", "身份证号", true},
		jobUSCC:     {"employer_uscc", "统一社会信用代码", true},
		jobEmployer: {"employer_name", "单位名称", true},
		jobSince:    {"since", "入职日期", true},
		jobUntil:    {"until", "离职日期", false},
		jobContract: {"contract", "劳动合同", false},
	}},
	{name: KindInsurance, columns: []column{
		insID:   {"id_number", "身份证号", true},
		insKind: {"kind", "险种", true},
		insFrom: {"from_month", "起始月份", true},
		insTo:   {"to_month", "截止月份", true},
		insUSCC: {"employer_uscc", "统一社会信用代码", false},
	}},
	{name: KindFacts, columns: []column{
		factID:    {"id_number", "身份证号", true},
		factKind:  {"kind", "类别", true},
		factValue: {"value", "数值", false},
		factDate:  {"date", "日期", true},
	}},
}

func init() {
	for i, k := range kinds {
		k.order = i
		k.byName = make(map[string]int, 2*len(k.columns))
		for c, col := range k.columns {
			k.byName[normHeader(col.en)] = c
			k.byName[normHeader(col.zh)] = c
		}
	}
}

// kindByName returns the kind called name (case-insensitive), or nil.
func kindByName(name string) *kindSpec {
	name = strings.ToLower(trim(name))
	for _, k := range kinds {
		if k.name == name {
			return k
		}
	}
	return nil
}

// KindNames returns the kinds Import knows, in the order files are applied.
func KindNames() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.name
	}
	return out
}

// normHeader makes a header cell comparable: BOM and spaces trimmed, English
// lower-cased, and "ID Number" or "id-number" read as id_number.
func normHeader(s string) string {
	s = trim(strings.TrimPrefix(s, "\uFEFF"))
	s = strings.ToLower(s)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, s)
}

// headerMatch is how one kind reads a header row.
type headerMatch struct {
	kind      *kindSpec
	pos       []int // column index → header cell index, -1 when absent
	known     int   // header cells recognised
	missing   []string
	duplicate string // a column named twice
	ignored   []string
}

// matchHeader reads header as a file of kind k.
func matchHeader(k *kindSpec, header []string) headerMatch {
	m := headerMatch{kind: k, pos: make([]int, len(k.columns))}
	for i := range m.pos {
		m.pos[i] = -1
	}
	for i, cell := range header {
		c, ok := k.byName[normHeader(cell)]
		switch {
		case !ok:
			if t := trim(strings.TrimPrefix(cell, "\uFEFF")); t != "" {
				m.ignored = append(m.ignored, t)
			}
		case m.pos[c] >= 0:
			if m.duplicate == "" {
				m.duplicate = trim(cell)
			}
		default:
			m.pos[c] = i
			m.known++
		}
	}
	for c, col := range k.columns {
		if col.required && m.pos[c] < 0 {
			m.missing = append(m.missing, col.en+" ("+col.zh+")")
		}
	}
	return m
}

// detectKind picks the kind of a header row: among the kinds whose required
// columns are all present, the one that recognises most cells (the first in
// apply order on a tie). ok is false when no kind fits.
func detectKind(header []string) (headerMatch, bool) {
	var best headerMatch
	found := false
	for _, k := range kinds {
		m := matchHeader(k, header)
		if len(m.missing) > 0 {
			continue
		}
		if !found || m.known > best.known {
			best, found = m, true
		}
	}
	return best, found
}

// enum is an enumeration column: English codes and their Chinese labels.
type enum struct {
	codes, labels []string
	lookup        map[string]string
}

func newEnum(codes, labels []string, aliases ...string) *enum {
	e := &enum{codes: codes, labels: labels, lookup: map[string]string{}}
	for i, c := range codes {
		e.lookup[c] = c
		e.lookup[labels[i]] = c
	}
	for i := 0; i+1 < len(aliases); i += 2 {
		e.lookup[aliases[i]] = aliases[i+1]
	}
	return e
}

// parse returns the code of s: a Chinese label as written, or an English code
// in any case, with spaces or hyphens for underscores.
func (e *enum) parse(s string) (string, bool) {
	if c, ok := e.lookup[s]; ok {
		return c, true
	}
	c, ok := e.lookup[normHeader(s)]
	return c, ok
}

// allowed lists the values for a reason, in the reason's language.
func (e *enum) allowed(en bool) string {
	if en {
		return strings.Join(e.codes, "/")
	}
	return strings.Join(e.labels, "/")
}

// The enumerations of the contract, in the registry's order.
var (
	educations = newEnum(
		[]string{"none", "primary", "junior", "senior", "vocational", "college", "bachelor", "master", "doctor"},
		[]string{"无", "小学", "初中", "高中", "中专", "大专", "本科", "硕士", "博士"})
	hukouTypes = newEnum(
		[]string{"agricultural", "non_agricultural"},
		[]string{"农业", "非农业"})
	residenceKinds = newEnum(
		[]string{"rented", "dormitory", "owned", "relative", "other"},
		[]string{"租赁", "单位宿舍", "自有", "亲友", "其他"})
	residenceSources = newEnum(
		[]string{"landlord", "employer", "self", "police"},
		[]string{"房东", "单位", "本人", "公安"})
	insuranceKinds = newEnum(
		[]string{"pension", "medical", "unemployment", "injury", "maternity"},
		[]string{"养老", "医疗", "失业", "工伤", "生育"})
	contracts = newEnum(
		[]string{"yes", "no"},
		[]string{"是", "否"},
		"有", "yes", "无", "no")
	schoolLevels = newEnum(
		[]string{"kindergarten", "primary", "junior"},
		[]string{"幼儿园", "小学", "初中"})
	townKinds = newEnum(
		[]string{"street", "town"},
		[]string{"街道", "镇"})
)
