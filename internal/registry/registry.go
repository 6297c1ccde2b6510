package registry

import (
	"github.com/newcitizens/rooted/internal/date"
)

// Sex as encoded in the resident ID number (odd sequence digit = male).
type Sex string

const (
	Male   Sex = "male"
	Female Sex = "female"
)

// Person is one resident, keyed by the 18-character resident ID number.
// Sex, BirthDate and Origin are derived from the ID number, never imported.
type Person struct {
	IDNumber  string    // GB 11643, upper-case X
	Name      string    // 1–50 characters
	Phone     string    // "" or 11 digits
	Education string    // "" or one of Educations
	HukouType string    // "" or agricultural / non_agricultural
	BirthDate date.Date // from the ID number
	Sex       Sex       // from the ID number
	Origin    string    // 6-digit region code of the ID number
}

// Guardianship links a child to one guardian (a parent). A child may have two.
type Guardianship struct {
	Child, Guardian string // ID numbers
}

// Residence is a registered address of a person for a span of days. Until is
// zero while the person still lives there.
type Residence struct {
	IDNumber string
	Town     string // town code, see Town
	Address  string
	Since    date.Date
	Until    date.Date
	Kind     string // one of ResidenceKinds
	Source   string // "" or one of ResidenceSources
}

// Job is a registered employment. Until is zero while it lasts.
type Job struct {
	IDNumber     string
	EmployerUSCC string // GB 32100
	EmployerName string
	Since        date.Date
	Until        date.Date
	Contract     string // "" (unknown), "yes" or "no"
}

// Insurance is a period of social-insurance contributions of one kind, in
// whole months: From and To are the first days of the first and last month.
type Insurance struct {
	IDNumber     string
	Kind         string // one of InsuranceKinds
	From, To     date.Date
	EmployerUSCC string // "" when self-paid
}

// Fact is a dated, points-relevant record of a person: a skill certificate,
// volunteer hours, a donation, an honour, a penalty, a credit listing. The
// kinds and their value types are declared by the points scheme in force.
type Fact struct {
	IDNumber string
	Kind     string
	Value    string // canonical text: a number, a level, or "" for kinds without a value
	Date     date.Date
}

// Town is a town or street (镇/街道) of the deployment; residences and schools
// name one.
type Town struct {
	Code string // short stable code, e.g. "zeguo"
	Name string // full Chinese name, e.g. "泽国镇"
	Kind string // "street" (街道) or "town" (镇)
}

// School is a public school with its entry-grade capacity.
type School struct {
	Code       string
	Name       string
	Town       string // town code
	Level      string // one of SchoolLevels
	EntrySeats int    // seats in the entry grade (grade 1, grade 7, or the first kindergarten year)
}

// Permit is a residence permit (居住证). Issued on the day its holder first
// met the rule; endorsed each anniversary while the rule still holds; lapsed
// on the first anniversary at which it does not. A lapsed permit stays
// lapsed: re-qualifying issues a new permit with a new number.
type Permit struct {
	Number    string    // "330781-" + issue date + holder's masked sequence; unique
	IDNumber  string    // holder
	Town      string    // town of the residence on the issue day
	IssuedOn  date.Date // first day of validity
	ValidTo   date.Date // last day of the current year of validity
	Status    string    // PermitActive or PermitLapsed
	LapsedOn  date.Date // zero while active
	UpdatedOn date.Date // the as-of date of the last change
}

// Permit statuses.
const (
	PermitActive = "active"
	PermitLapsed = "lapsed"
)

// PermitEvent is one recorded change of a permit: issue, endorse or lapse.
type PermitEvent struct {
	Permit   string
	IDNumber string
	Kind     string // "issue", "endorse", "lapse"
	On       date.Date
	Reason   string // why, in a short sentence (the rule that held or failed)
}

// Permit event kinds.
const (
	EventIssue   = "issue"
	EventEndorse = "endorse"
	EventLapse   = "lapse"
)

// Allowed enumerations. The import contract lists the Chinese labels beside
// them; see ingest for the mapping.
var (
	Educations       = []string{"none", "primary", "junior", "senior", "vocational", "college", "bachelor", "master", "doctor"}
	HukouTypes       = []string{"agricultural", "non_agricultural"}
	ResidenceKinds   = []string{"rented", "dormitory", "owned", "relative", "other"}
	ResidenceSources = []string{"landlord", "employer", "self", "police"}
	InsuranceKinds   = []string{"pension", "medical", "unemployment", "injury", "maternity"}
	SchoolLevels     = []string{"kindergarten", "primary", "junior"}
	TownKinds        = []string{"street", "town"}
)
