package registry

import (
	"context"

	"github.com/newcitizens/rooted/internal/date"
)

// Store is the registry's persistence, implemented by internal/store for
// SQLite and PostgreSQL. Methods return errors wrapped with their operation;
// a missing record is an *apperr.Error with code not_found, never (nil, nil).
type Store interface {
	// Towns returns every town of the deployment, ordered by code.
	Towns(ctx context.Context) ([]Town, error)
	// Schools returns every school, ordered by code.
	Schools(ctx context.Context) ([]School, error)
	// ForEachPersonID calls fn with every person's ID number, in no set order.
	// Imports use it to check references without a query per row.
	ForEachPersonID(ctx context.Context, fn func(id string) error) error
	// Person returns one person, or a not_found error.
	Person(ctx context.Context, id string) (Person, error)

	// BeginBatch starts one import transaction. Nothing is visible to others
	// until Commit; Rollback (or a crash) leaves the registry as it was.
	BeginBatch(ctx context.Context) (Batch, error)

	// UpdatePermits runs the permit rule for every person in one transaction:
	// it reads each person's history (in ID order, in chunks), calls decide,
	// and writes the permits and events decide returns. When decide returns
	// no change for anyone, nothing is written.
	UpdatePermits(ctx context.Context, decide func(PersonHistory) PermitChange, progress func(done int)) (PermitSummary, error)

	// Stats returns row counts: persons, guardians, residences, jobs,
	// insurance, facts, permits, permit_events, towns, schools, imports.
	Stats(ctx context.Context) (map[string]int64, error)
	// Figures returns aggregate counts of the persons with a residence
	// covering asOf. Nothing personal.
	Figures(ctx context.Context, asOf date.Date) (Figures, error)

	Close() error
}

// Batch writes records of one import file. Put methods upsert by the record's
// natural key (see the import contract) and leave an identical record
// untouched, so re-importing a file changes nothing. Rows may be buffered:
// errors can surface on a later Put or on Commit. After any error the batch
// must be rolled back.
type Batch interface {
	PutTown(ctx context.Context, t Town) error
	PutSchool(ctx context.Context, s School) error
	PutPerson(ctx context.Context, p Person) error
	PutGuardian(ctx context.Context, g Guardianship) error
	PutResidence(ctx context.Context, r Residence) error
	PutJob(ctx context.Context, j Job) error
	PutInsurance(ctx context.Context, in Insurance) error
	PutFact(ctx context.Context, f Fact) error
	// Commit flushes buffered rows, records the import run, and commits. It
	// returns how many rows were inserted or changed.
	Commit(ctx context.Context, run ImportRun) (changed int64, err error)
	// Rollback abandons the batch; it is safe to call after Commit.
	Rollback() error
}

// ImportRun is the record kept of one imported file.
type ImportRun struct {
	File        string // base name as given
	SHA256      string // of the file's bytes
	Kind        string
	Read        int
	Accepted    int
	Quarantined int
}

// PersonHistory is what the registry holds of one person. UpdatePermits
// fills Person, HasGuardian, Residences, Jobs and Permits (what the permit
// rule reads); ForEachHistory and History fill every field (what the points
// derivation reads).
type PersonHistory struct {
	Person      Person
	HasGuardian bool        // linked to a guardian in the registry (a child living with family)
	Residences  []Residence // by since, then address
	Jobs        []Job       // by since, then employer
	Permits     []Permit    // oldest first; at most the last one is active

	Insurance []Insurance // every kind, by kind then first month
	Facts     []Fact      // by kind then date
	Children  []Person    // registered persons this person is a guardian of, by ID number
}

// PointsStore is the registry's persistence as the points commands use it:
// Store, plus whole-person histories and the append-only record of scores.
// It is a separate interface (rather than more methods of Store) so that
// in-memory fakes of Store used by import tests need not grow; internal/store
// implements both.
type PointsStore interface {
	Store

	// Version is the registry's version: it grows with every committed
	// import or permits run that changes a row, and only then, whichever
	// process made it. Caches of what is derived from the registry are
	// valid while it stands still.
	Version(ctx context.Context) (int64, error)

	// ForEachHistory calls fn with the full history of every person, in ID
	// order, reading chunks of persons by keyset from one read-only snapshot
	// (a concurrent import is either wholly seen or not at all). No query
	// is open while fn runs, and fn may use the store — to write a
	// ScoreBatch, say. It stops at fn's first error and returns it
	// unwrapped; other errors are wrapped with the operation.
	ForEachHistory(ctx context.Context, fn func(PersonHistory) error) error
	// History returns one person's full history, or an *apperr.Error with
	// code not_found.
	History(ctx context.Context, id string) (PersonHistory, error)

	// BeginScores starts one scoring transaction. Nothing is visible to
	// others until Commit; Rollback, a cancelled context or a crash leaves
	// the scores as they were. On SQLite it waits up to 10 seconds for
	// another writer.
	BeginScores(ctx context.Context) (ScoreBatch, error)
}

// ScoreBatch appends score records in one transaction. Records are never
// updated: a record whose (IDNumber, AsOf, Scheme, Version, InputsSHA256)
// is already stored is skipped, so scoring the same registry twice under the
// same scheme version stores nothing the second time, while a person whose
// inputs changed gets a new record beside the old ones. Rows may be
// buffered: errors can surface on a later Put or on Commit; after any error
// the batch must be rolled back.
type ScoreBatch interface {
	Put(ctx context.Context, r ScoreRecord) error
	// Commit writes buffered records and commits. It returns how many
	// records were new (stored); the others were already there.
	Commit(ctx context.Context) (stored int64, err error)
	// Rollback abandons the batch; it is safe to call after Commit.
	Rollback() error
}

// ScoreRecord is one person's score under one scheme version on one day, as
// kept in the scores table (with the time of the run that stored it).
type ScoreRecord struct {
	IDNumber     string
	AsOf         date.Date
	Scheme       string
	Version      string
	InputsSHA256 string  // hex SHA-256 of the person's input line (see internal/points)
	Total        float64 // after deductions
	SchoolPoints float64
	Frozen       bool
	Eligible     string // JSON object: service name → bool, in the scheme's order
	Items        string // JSON array of {"code","points"}, every rule in the scheme's order
}

// PermitChange is what the permit rule decided for one person: permits to
// insert or update (by Number) and the events to append.
type PermitChange struct {
	Permits []Permit
	Events  []PermitEvent
}

// PermitSummary counts a permits run.
type PermitSummary struct {
	Persons  int `json:"persons"`
	Issued   int `json:"issued"`
	Endorsed int `json:"endorsed"`
	Lapsed   int `json:"lapsed"`
	Active   int `json:"active"` // active permits after the run
}

// Count adds a permit event of kind (EventIssue, EventEndorse, EventLapse)
// to the summary; other kinds are not counted.
func (s *PermitSummary) Count(kind string) {
	switch kind {
	case EventIssue:
		s.Issued++
	case EventEndorse:
		s.Endorsed++
	case EventLapse:
		s.Lapsed++
	}
}

// Figures are aggregate counts of current residents: nothing personal.
type Figures struct {
	AsOf     date.Date `json:"-"`
	Total    int64     `json:"total"`
	ByTown   []Count   `json:"by_town"`   // town code and name, all towns, largest first
	ByOrigin []Count   `json:"by_origin"` // province code and name, largest first
	BySex    []Count   `json:"by_sex"`
	ByAge    []Count   `json:"by_age"` // bands 0–5, 6–11, 12–14, 15–17, 18–40, 41–54, 55–60, 61+
	Permits  int64     `json:"active_permits"`
}

// Count is one bar of an aggregate.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	N     int64  `json:"n"`
}
