package points

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/policy"
)

// Facts is one person's input object of the points contract
// (shared/contracts/points.md), as derived from the registry by Derive. Its
// JSON form (AppendJSON) is exactly a line that `rooted score` reads.
// Numbers are in the contract's units (months, yuan, hours, counts); levels
// are the contract's codes, "" meaning none.
type Facts struct {
	ID        string    // the person's key: the ID number
	IDNumber  string    // GB 11643
	BirthDate date.Date // from the ID number; zero when unknown

	Education  string // none … doctor
	SkillLevel int    // 1 (highest) … 5; 0 none
	Title      string // "", junior, intermediate, senior

	InsuranceMonths      int
	ResidenceMonths      int
	EmploymentMonths     int
	SameEmployerMonths   int
	LocalPensionMonths12 int
	InsuredLastMonth     bool

	Housing        string // "", rented, dormitory, owned (the registry knows no public rental)
	OwnsHomeInCity bool

	ShortageJob      bool
	IncomeTax3y      float64
	BusinessTax3y    float64
	EmployeesHired   int
	InventionPatents int
	UtilityPatents   int
	AwardsCounty     int
	AwardsPrefecture int
	AwardsProvince   int
	VolunteerHours5y float64
	BloodDonations5y int
	DonationYuan     float64
	Marrow           string // "", registered, donated

	LocalPermitMonths  int
	PermitValid        bool
	ChildrenRegistered bool
	CommunityRole      bool
	SpecialPostYears   float64
	Heroism            bool
	TalentCategory     bool
	IncomeBelowLimit   bool

	FalseMaterials3y int
	Detentions3y     int
	Criminal5y       int
	TaxViolations    int
	SeriousCrime     bool
	DishonestListed  bool
}

// field is one input of the contract: its name and how to read it from
// Facts. The table below is the one list of inputs AppendJSON writes and
// Fill sets, in the contract's order.
type field struct {
	name string
	num  func(*Facts) float64 // number and int inputs
	flag func(*Facts) bool    // bool inputs
	lvl  func(*Facts) string  // level inputs ("" = the input's default)
}

func num(name string, get func(*Facts) float64) field  { return field{name: name, num: get} }
func flag(name string, get func(*Facts) bool) field    { return field{name: name, flag: get} }
func level(name string, get func(*Facts) string) field { return field{name: name, lvl: get} }
func count(name string, get func(*Facts) int) field {
	return num(name, func(f *Facts) float64 { return float64(get(f)) })
}

var fields = []field{
	level("education", func(f *Facts) string { return f.Education }),
	count("skill_level", func(f *Facts) int { return f.SkillLevel }),
	level("title", func(f *Facts) string { return f.Title }),
	count("insurance_months", func(f *Facts) int { return f.InsuranceMonths }),
	count("residence_months", func(f *Facts) int { return f.ResidenceMonths }),
	count("employment_months", func(f *Facts) int { return f.EmploymentMonths }),
	level("housing", func(f *Facts) string { return f.Housing }),
	flag("shortage_job", func(f *Facts) bool { return f.ShortageJob }),
	num("income_tax_3y", func(f *Facts) float64 { return f.IncomeTax3y }),
	num("business_tax_3y", func(f *Facts) float64 { return f.BusinessTax3y }),
	count("employees_hired", func(f *Facts) int { return f.EmployeesHired }),
	count("invention_patents", func(f *Facts) int { return f.InventionPatents }),
	count("utility_patents", func(f *Facts) int { return f.UtilityPatents }),
	count("awards_county", func(f *Facts) int { return f.AwardsCounty }),
	count("awards_prefecture", func(f *Facts) int { return f.AwardsPrefecture }),
	count("awards_province", func(f *Facts) int { return f.AwardsProvince }),
	num("volunteer_hours_5y", func(f *Facts) float64 { return f.VolunteerHours5y }),
	count("blood_donations_5y", func(f *Facts) int { return f.BloodDonations5y }),
	num("donation_yuan", func(f *Facts) float64 { return f.DonationYuan }),
	level("marrow", func(f *Facts) string { return f.Marrow }),
	count("local_permit_months", func(f *Facts) int { return f.LocalPermitMonths }),
	count("same_employer_months", func(f *Facts) int { return f.SameEmployerMonths }),
	flag("children_registered", func(f *Facts) bool { return f.ChildrenRegistered }),
	flag("community_role", func(f *Facts) bool { return f.CommunityRole }),
	num("special_post_years", func(f *Facts) float64 { return f.SpecialPostYears }),
	flag("heroism", func(f *Facts) bool { return f.Heroism }),
	count("false_materials_3y", func(f *Facts) int { return f.FalseMaterials3y }),
	count("detentions_3y", func(f *Facts) int { return f.Detentions3y }),
	count("criminal_5y", func(f *Facts) int { return f.Criminal5y }),
	count("tax_violations", func(f *Facts) int { return f.TaxViolations }),
	flag("serious_crime", func(f *Facts) bool { return f.SeriousCrime }),
	flag("dishonest_listed", func(f *Facts) bool { return f.DishonestListed }),
	flag("permit_valid", func(f *Facts) bool { return f.PermitValid }),
	count("local_pension_months_12", func(f *Facts) int { return f.LocalPensionMonths12 }),
	flag("insured_last_month", func(f *Facts) bool { return f.InsuredLastMonth }),
	flag("owns_home_in_city", func(f *Facts) bool { return f.OwnsHomeInCity }),
	flag("income_below_limit", func(f *Facts) bool { return f.IncomeBelowLimit }),
	flag("talent_category", func(f *Facts) bool { return f.TalentCategory }),
}

// AppendJSON appends f as one JSON object (no newline): id, id_number and
// birth_date first, then every input that is not at its default (zero,
// false, none), in the contract's order. The output is deterministic, so
// its SHA-256 (Digest) identifies the inputs.
func (f *Facts) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendString(dst, f.ID)
	if f.IDNumber != "" {
		dst = append(dst, `,"id_number":`...)
		dst = appendString(dst, f.IDNumber)
	}
	if !f.BirthDate.IsZero() {
		dst = append(dst, `,"birth_date":"`...)
		dst = append(dst, f.BirthDate.String()...)
		dst = append(dst, '"')
	}
	for i := range fields {
		fd := &fields[i]
		switch {
		case fd.num != nil:
			if x := fd.num(f); x != 0 {
				dst = append(dst, `,"`...)
				dst = append(dst, fd.name...)
				dst = append(dst, `":`...)
				dst = strconv.AppendFloat(dst, x, 'f', -1, 64)
			}
		case fd.flag != nil:
			if fd.flag(f) {
				dst = append(dst, `,"`...)
				dst = append(dst, fd.name...)
				dst = append(dst, `":true`...)
			}
		default:
			if s := fd.lvl(f); s != "" && s != "none" {
				dst = append(dst, `,"`...)
				dst = append(dst, fd.name...)
				dst = append(dst, `":`...)
				dst = appendString(dst, s)
			}
		}
	}
	return append(dst, '}')
}

// Digest returns the hex SHA-256 of f's JSON line (AppendJSON): the
// inputs_sha256 of a stored score. buf is scratch space, returned for reuse.
func (f *Facts) Digest(buf []byte) (string, []byte) {
	buf = f.AppendJSON(buf[:0])
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:]), buf
}

// Fill sets in from f: birth_date and every input of the contract that the
// scheme declares (a scheme may leave some out; those are skipped). The
// error names the input whose value the scheme refuses (out of its range,
// an unknown level).
func (f *Facts) Fill(in *policy.Inputs) error {
	if _, ok := in.Value("birth_date"); ok {
		if err := in.SetDate("birth_date", f.BirthDate); err != nil {
			return err
		}
	}
	for i := range fields {
		fd := &fields[i]
		if _, ok := in.Value(fd.name); !ok {
			continue
		}
		var err error
		switch {
		case fd.num != nil:
			err = in.SetNumber(fd.name, fd.num(f))
		case fd.flag != nil:
			err = in.SetBool(fd.name, fd.flag(f))
		default:
			if s := fd.lvl(f); s != "" {
				err = in.SetLevel(fd.name, s)
			}
		}
		if err != nil {
			return fmt.Errorf("points: %s: %w", ident.MaskID(f.IDNumber), err)
		}
	}
	return nil
}

// appendString appends s as a JSON string.
func appendString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
