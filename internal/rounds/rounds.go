package rounds

import (
	"context"
	"errors"
	"time"

	"github.com/newcitizens/rooted/internal/calendar"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/registry"
)

// Kind is what a round allocates.
type Kind string

// Kinds of rounds.
const (
	Grade1          Kind = "grade1"           // primary school, first year
	Grade7          Kind = "grade7"           // junior middle school, first year
	PublicRental    Kind = "public_rental"    // public rental housing (公共租赁住房)
	TalentApartment Kind = "talent_apartment" // talent apartments (人才公寓)
)

// Kinds lists every kind, in order.
// ErrAlreadyApplied is wrapped by the conflict the Store returns when an
// application is added for a child (or housing applicant) who already has
// a live one in the round: callers that speak to a person say so in the
// catalogue's words, never the database's.
var ErrAlreadyApplied = errors.New("already has an application")

var Kinds = []Kind{Grade1, Grade7, PublicRental, TalentApartment}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Housing reports whether k allocates housing units rather than school seats.
func (k Kind) Housing() bool { return k == PublicRental || k == TalentApartment }

// Service is the eligibility gate of the points scheme that k requires.
func (k Kind) Service() string {
	if k.Housing() {
		return string(k)
	}
	return "school_seat"
}

// EntryAge is the age a child must have reached by 31 August of the
// round's year: 6 for grade 1, 12 for grade 7; 0 for housing.
func (k Kind) EntryAge() int {
	switch k {
	case Grade1:
		return 6
	case Grade7:
		return 12
	}
	return 0
}

// SchoolLevel is the registry school level whose schools a school round
// offers.
func (k Kind) SchoolLevel() string {
	if k == Grade7 {
		return "junior"
	}
	return "primary"
}

// Status is where a round is in its life.
type Status string

// Statuses, in order.
const (
	Draft     Status = "draft"
	Open      Status = "open"
	Closed    Status = "closed"
	Allocated Status = "allocated"
	Published Status = "published"
	Final     Status = "final"
)

// Mode is how a round ranks applicants.
type Mode string

// Modes.
const (
	// ByPoints ranks by points (school rounds: the higher guardian's
	// school_points; housing: the applicant's total), then the scheme's
	// tie-breaks, then the lottery.
	ByPoints Mode = "points"
	// ByLottery gives every applicant the same points and no tie-break:
	// the tickets decide (within the district rule of school rounds).
	ByLottery Mode = "lottery"
)

// Place is one school of a school round, or one unit type of a housing
// round, with the seats (units) it offers.
type Place struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Town  string `json:"town,omitempty"` // school rounds: applicants living in this town come first
	Seats int    `json:"seats"`
}

// UnitRule maps household sizes Min…Max (Max 0: no upper bound) to a unit
// type of a housing round.
type UnitRule struct {
	Min      int    `json:"min"`
	Max      int    `json:"max,omitempty"`
	UnitType string `json:"unit_type"`
}

// DefaultUnitRules: 1–2 persons a one-bedroom, 3–4 a two-bedroom, 5 or
// more a three-bedroom unit — registry.HouseholdClasses, the definition the
// housing forecast shares.
var DefaultUnitRules = func() []UnitRule {
	var rs []UnitRule
	for _, c := range registry.HouseholdClasses {
		rs = append(rs, UnitRule{Min: c.MinSize, Max: c.MaxSize, UnitType: c.Code})
	}
	return rs
}()

// UnitTypeNames are the display names of the default unit types.
var UnitTypeNames = func() map[string]string {
	m := map[string]string{}
	for _, c := range registry.HouseholdClasses {
		m[c.Code] = c.NameZH + " " + c.NameEN
	}
	return m
}()

// Config is what a round is, fixed when it is created and recorded as the
// first entry of its ledger chain (the JSON of this struct).
type Config struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Kind       Kind       `json:"kind"`
	Year       int        `json:"year"`           // school year starting in September of Year; the age rule's year
	Town       string     `json:"town,omitempty"` // "" for the whole city
	Mode       Mode       `json:"mode"`
	Choices    int        `json:"choices"` // most places an application may rank
	Scheme     string     `json:"scheme"`  // points scheme name
	WindowDays int        `json:"window_days"`
	ClosesOn   string     `json:"closes_on,omitempty"`  // planned closing day, YYYY-MM-DD; informative
	UnitRules  []UnitRule `json:"unit_rules,omitempty"` // housing
	Places     []Place    `json:"places"`
}

// Round is a round and its state.
type Round struct {
	Config
	Status        Status
	SeedSHA256    string // hex; published when the round opens
	Seed          string // secret until the round is allocated: the service blanks it before that
	SchemeVersion string // of the close date
	CreatedAt     time.Time
	OpenedOn      date.Date
	ClosedOn      date.Date // the as-of date of gates and points
	AllocatedOn   date.Date
	PublishedOn   date.Date
	WindowEnds    date.Date // last day objections are accepted
	FinalOn       date.Date
}

// AppStatus is the state of one application.
type AppStatus string

// Application statuses.
const (
	Pending  AppStatus = "pending"  // applied; the gates are checked again at close
	Accepted AppStatus = "accepted" // passed every gate at close; takes part in the allocation
	Refused  AppStatus = "refused"  // failed a gate, with Reason
)

// Application is one application to a round.
type Application struct {
	Round         string
	Seq           int    // 1, 2, … within the round; assigned by the store
	Number        string // public application number, the pseudonym of the published input ("A00017")
	Applicant     string // ID number of the guardian (school) or the applicant (housing)
	ApplicantName string
	Child         string // school rounds: the child's ID number
	ChildName     string
	Household     int      // housing: persons in the household
	Choices       []string // place codes, most wanted first
	AppliedOn     date.Date
	Status        AppStatus
	Reason        string // message key when refused (see Messages)
	Detail        string // the value the reason is about (an age, a town, …)
	Points        float64
	Tiebreak      []float64
	District      string // town of the child's (applicant's) residence at close
	Placed        string // place code; "" when none
	Choice        int    // 1-based rank of Placed in Choices; 0 when none
	Ticket        uint64
	WaitPosition  int // housing: position on the waiting list of the first choice; 0 when placed
}

// Subject is whom the application is for: the child of a school
// application, the applicant of a housing one. A subject has at most one
// application that is not refused per round.
func (a *Application) Subject() string {
	if a.Child != "" {
		return a.Child
	}
	return a.Applicant
}

// Objection is one objection filed during a round's 公示 window, and the
// department's answer once given.
type Objection struct {
	Round     string
	Seq       int    // the objection's number: 1, 2, … within the round, in the order filed
	Applicant string // ID number of who objected
	Number    string // the application objected about (its applicant's, or their child's)
	At        time.Time
	Text      string

	Decision  Decision  // "" until answered
	Reply     string    // the department's reply, 1 to 2,000 characters
	DecidedBy string    // the officer who answered (user name)
	DecidedAt time.Time // zero until answered
}

// Answered reports whether the department has answered o.
func (o *Objection) Answered() bool { return o.Decision != "" }

// Decision is the department's answer to an objection.
type Decision string

// Decisions.
const (
	// Upheld (异议成立): the objection is right. The allocation stays as it
	// is (see the package comment); the reply says what the department
	// does about it.
	Upheld Decision = "upheld"
	// Dismissed (异议不成立): the objection is not borne out; the reply
	// says why.
	Dismissed Decision = "dismissed"
)

// Valid reports whether d is Upheld or Dismissed.
func (d Decision) Valid() bool { return d == Upheld || d == Dismissed }

// MaxObjectionText is the most characters (runes) of an objection or of a
// reply.
const MaxObjectionText = 2000

// Document kinds kept per round (Change.Documents, Store.Document).
const (
	DocInput  = "input"  // the alloc.Instance JSON without the seed, frozen at close
	DocOutput = "output" // the alloc.Result JSON, at allocation
)

// Ledger entry kinds of a round's chain.
const (
	EntryConfig     = "config"             // payload: Config
	EntryCommitment = "seed_commitment"    // {"seed_sha256"}
	EntryInput      = "input"              // {"input_sha256", counts, scheme, as_of}
	EntryReveal     = "seed_reveal"        // {"seed", "seed_sha256"}
	EntryOutput     = "output"             // {"output_sha256", counts}
	EntryPublish    = "publish"            // {"published_on", "window_ends", …}
	EntryObjection  = "objection"          // {"objection", "number", "at", "text_sha256"}
	EntryDecision   = "objection_decision" // {"objection", "number", "decision", "at", "reply_sha256"}
	EntryFinal      = "final"              // {"final_on", "objections", "upheld", "dismissed"}
)

// An objection's number ("objection" in its entries) is its position among
// the objection entries of the chain. Chains recorded before objections
// were answered lack it in objection entries, and "upheld" and
// "dismissed" in the final entry; Verify accepts both forms.

// Change is one step of a round, written by Store.Commit in one
// transaction.
type Change struct {
	// From is the status the round must have; Commit fails with a conflict
	// when it has another.
	From Status
	// Round, when not nil, replaces the round's state (status, seed, dates).
	Round *Round
	// Add are new applications: the store assigns Seq and Number in order
	// and returns them.
	Add []Application
	// Update are existing applications, by Seq: status, reason, detail,
	// points, tie-break, district, placed, choice, ticket, wait position.
	Update []Application
	// Objections to record, each numbered (Seq) the next of the round:
	// one more than the objections already recorded, in order. Another
	// number is a conflict: an objection was filed meanwhile.
	Objections []Objection
	// Decisions are answers to record on existing objections, by Seq:
	// Decision, Reply, DecidedBy and DecidedAt. An objection already
	// answered is a conflict (an answer is given once); an unknown one is
	// not_found.
	Decisions []Objection
	// Documents to store, by kind; each is written once.
	Documents map[string][]byte
	// Ledger drafts to seal and append to the round's chain, in order.
	Ledger []ledger.Draft
}

// Store is what the rounds need of the database, implemented by
// internal/store. Errors are wrapped with the operation; a missing record
// is an *apperr.Error with code not_found, never a zero value.
type Store interface {
	// History returns one person's full registry history, or not_found.
	History(ctx context.Context, id string) (registry.PersonHistory, error)
	// ForEachHistory calls fn with every person's history in ID order
	// (see registry.PointsStore).
	ForEachHistory(ctx context.Context, fn func(registry.PersonHistory) error) error
	// Guardians returns the ID numbers of the registered guardians of
	// child (persons of the registry), in order; none is not an error.
	Guardians(ctx context.Context, child string) ([]string, error)
	// Schools returns every school of the registry, by code.
	Schools(ctx context.Context) ([]registry.School, error)

	// CreateRound stores a new round in status draft and appends first
	// as the first entry of its chain, in one transaction. A round with
	// the same ID is a conflict.
	CreateRound(ctx context.Context, r Round, first ledger.Draft) error
	// Round returns a round (with its seed), or not_found.
	Round(ctx context.Context, id string) (Round, error)
	// Rounds returns every round, oldest first.
	Rounds(ctx context.Context) ([]Round, error)
	// Commit writes c to round id in one transaction (see Change) and
	// returns the applications it added, with Seq and Number. An added
	// application whose subject already has one that is not refused is a
	// conflict; so is a round not in c.From.
	Commit(ctx context.Context, id string, c Change) ([]Application, error)
	// Applications returns the applications of a round, by Seq.
	Applications(ctx context.Context, id string) ([]Application, error)
	// Objections returns the objections of a round with their answers,
	// by Seq (the order filed); none is not an error.
	Objections(ctx context.Context, id string) ([]Objection, error)
	// Document returns a stored document of a round, or not_found.
	Document(ctx context.Context, id, kind string) ([]byte, error)
	// Ledger returns the chain of a round, by seq.
	Ledger(ctx context.Context, id string) ([]ledger.Entry, error)
	// LedgerHead returns the last entry of a round's chain, or not_found.
	LedgerHead(ctx context.Context, id string) (ledger.Entry, error)

	// CalendarYears returns the holiday notices stored by officers.
	CalendarYears(ctx context.Context) ([]calendar.Year, error)
	// PutCalendarYear stores (or replaces) the notice of one year.
	PutCalendarYear(ctx context.Context, y calendar.Year) error
}
