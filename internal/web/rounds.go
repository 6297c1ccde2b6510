package web

import (
	"context"

	"github.com/newcitizens/rooted/internal/date"
)

// Rounds is what the web layer needs of the enrollment and housing rounds
// (internal/rounds, being built beside this package). The rounds service
// satisfies it, directly or through a small adapter in cmd/rooted; until
// it is wired in, Options.Rounds is nil and the pages say that no round
// is open. Errors are *apperr.Error: invalid for a refused application
// (the message says why, safe to show), not_found for an unknown round.
type Rounds interface {
	// OpenRounds returns the rounds of kind (RoundSchool or RoundHousing)
	// open for applications on day, by closing day.
	OpenRounds(ctx context.Context, kind string, day date.Date) ([]Round, error)
	// Apply records an application. The web layer has checked that the
	// applicant is signed in and that Child, if any, is their own child;
	// the service checks eligibility and the choices.
	Apply(ctx context.Context, a Application) error
	// Applications returns the applications made by or for the persons
	// with the ID numbers ids, newest first, with results and reasons
	// once they are published.
	Applications(ctx context.Context, ids []string) ([]ApplicationStatus, error)
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
}

// ApplicationStatus is an application as the citizen follows it.
type ApplicationStatus struct {
	Round     string
	RoundName string
	Person    string // ID number of the child or applicant (shown masked)
	Status    string // submitted, allocated, waiting, refused
	Result    string // the school or unit class allocated, if any
	Reason    string // why, for people
	Submitted date.Date
}
