package web

import (
	"context"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/rounds"
)

// Rounds is what the citizen portal needs of the enrollment and housing
// rounds. ServiceRounds (rounds_adapter.go) adapts *rounds.Service to it;
// when Options.Rounds is nil the pages say that no round is open. Errors
// are *apperr.Error: invalid for a refused application (the message says
// why, safe to show), conflict for a second application for the same
// person or a round no longer open, not_found for an unknown round.
type Rounds interface {
	// OpenRounds returns the rounds of kind (RoundSchool or RoundHousing)
	// open for applications on day, by closing day.
	OpenRounds(ctx context.Context, kind string, day date.Date) ([]Round, error)
	// Apply records an application. The web layer has checked that the
	// applicant is signed in and that Child, if any, is their own child;
	// the service checks eligibility and the choices.
	Apply(ctx context.Context, a Application) error
	// Applications returns the applications made by or for the persons
	// with the ID numbers ids, newest first, with results and their
	// explanation in lang (langZH or langEN) once the round is allocated,
	// and, once it is published, whether it takes objections today and
	// the objections about each with their answers.
	Applications(ctx context.Context, ids []string, lang string) ([]ApplicationStatus, error)
	// Object files an objection to an application of a round in its 公示
	// window. The web layer has checked that the application is the
	// family's of the signed-in citizen By. Errors carry catalogue keys:
	// forbidden outside the window (objection.window_closed), invalid for
	// a text empty or too long (objection.bad_text), conflict when
	// another objection was filed at the same moment (objection.busy).
	Object(ctx context.Context, f ObjectionFiling) (ObjectionStatus, error)
}

// Round kinds.
const (
	RoundSchool  = "school"
	RoundHousing = "housing"
)

// Round is an allocation round open for applications.
type Round struct {
	ID      string
	Kind    string // RoundSchool or RoundHousing
	Name    string // for people, in the round's language
	Level   string // school rounds: kindergarten, primary or junior
	Closes  date.Date
	Choices []Choice // schools or housing classes to rank
	MaxRank int      // how many choices an application may rank
}

// Choice is one school or housing class a round offers.
type Choice struct {
	Code, Name string
}

// Application is what a citizen submits: their own ID number, the child's
// for a school place, and the choices ranked best first.
type Application struct {
	Round     string
	Applicant string
	Child     string // "" for housing
	Choices   []string
	Lang      string // of the refusal message: langZH or langEN
}

// ApplicationStatus is an application as the citizen follows it.
type ApplicationStatus struct {
	Round     string
	RoundName string
	Number    string   // the application number (as the 公示 list names it)
	Person    string   // ID number of the child or applicant (shown masked)
	Status    string   // submitted, allocated, waiting, unplaced, refused
	Result    string   // the school or unit class allocated, if any
	Reason    string   // why, for people: the outcome in a sentence
	Lines     []string // the explanation once allocated: own priority, result, each choice ranked above it
	Submitted date.Date
	// Published is the first day of the round's 公示 window and
	// WindowEnds the last, once the round is published; CanObject says
	// whether the window is open today.
	Published, WindowEnds date.Date
	CanObject             bool
	// Objections are the objections about this application (by anyone
	// of the family), in the order filed, with their answers.
	Objections []ObjectionStatus
}

// ObjectionFiling is an objection a citizen files about an application.
type ObjectionFiling struct {
	Round  string
	Number string // the application
	By     string // ID number of the signed-in citizen
	Text   string
}

// ObjectionStatus is an objection as its family follows it.
type ObjectionStatus struct {
	Seq      int // the objection's number in the round
	Number   string
	Filed    time.Time
	Text     string
	Decision string // "" until answered, then upheld or dismissed
	Reply    string
	Decided  time.Time
}

// RoundsConsole is what the officer console and the rounds API need of
// the rounds service; *rounds.Service implements it (see its methods for
// the errors). When Options.RoundsConsole is nil the rounds page says that
// rounds are not wired in.
type RoundsConsole interface {
	List(ctx context.Context) ([]rounds.Round, error)
	Get(ctx context.Context, id string) (rounds.Round, error)
	Show(ctx context.Context, id string) (rounds.Overview, error)
	Create(ctx context.Context, req rounds.CreateRequest) (rounds.Round, error)
	Open(ctx context.Context, id, seed string) (rounds.Round, error)
	Close(ctx context.Context, id string) (rounds.CloseSummary, error)
	Allocate(ctx context.Context, id string) (rounds.AllocateSummary, error)
	Publish(ctx context.Context, id string) (rounds.Publication, error)
	Finalize(ctx context.Context, id string) (rounds.Round, error)
	Objections(ctx context.Context, id string) ([]rounds.Objection, error)
	Answer(ctx context.Context, req rounds.AnswerRequest) (rounds.Objection, error)
	Today() date.Date // the service's day: its objection windows are counted on it
	Export(ctx context.Context, id string) ([]byte, error)
	Results(ctx context.Context, id, applicant string, lang rounds.Lang) ([]rounds.Outcome, error)
	ApplicationsFor(ctx context.Context, ids []string, lang rounds.Lang) ([]rounds.PersonApplication, error)
	Published(ctx context.Context, id string) (rounds.Publication, error)
	LedgerHead(ctx context.Context, id string) (ledger.Entry, error)
}

var _ RoundsConsole = (*rounds.Service)(nil)

// FiledOn is when o was filed, China time, to the minute.
func (o ObjectionStatus) FiledOn() string { return o.Filed.In(chinaTime).Format("2006-01-02 15:04") }

// DecidedOn is when o was answered, China time, to the minute; "" before.
func (o ObjectionStatus) DecidedOn() string {
	if o.Decided.IsZero() {
		return ""
	}
	return o.Decided.In(chinaTime).Format("2006-01-02 15:04")
}
