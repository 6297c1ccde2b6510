package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/rounds"
	"github.com/newcitizens/rooted/internal/store"
)

// The demo's rounds: a city-wide grade-1 round open for applications
// (closing four weeks after the as-of day), which the demo citizen can
// apply to, and last year's grade-7 round already run through to 公示
// (opened in May, filled with apply-all, closed, allocated and published in
// June), so that the console and the results pages have something to show.

// demoOpenWeeks is how long the demo's open round stays open.
const demoOpenWeeks = 4

// demoSchoolYear is the school year of a grade-1 round closing on closes:
// that September when it closes before it, else the next.
func demoSchoolYear(closes date.Date) int {
	y := closes.Year()
	if closes >= date.Of(y, time.September, 1) {
		y++
	}
	return y
}

// demoOpenRoundID is the ID of the demo's open round of school year y.
func demoOpenRoundID(y int) string { return fmt.Sprintf("%d-grade1-city", y) }

// demoRounds makes sure the demo's two rounds exist and are where they
// should be, taking only the steps still missing (an interrupted first
// run is finished on the next).
func demoRounds(ctx context.Context, e *env, st *store.DB, c config, scheme *policy.Scheme) error {
	closes := c.AsOf + demoOpenWeeks*7
	y := demoSchoolYear(closes)

	past := y - 1
	at := func(m time.Month, d int) *rounds.Service {
		return &rounds.Service{Store: st, Scheme: scheme, Files: ingest.PublicationFiles{}, Now: clockAt(date.Of(past, m, d))}
	}
	pastID := fmt.Sprintf("%d-grade7-city", past)
	r, err := at(time.May, 11).Get(ctx, pastID)
	if apperr.Is(err, apperr.NotFound) {
		fmt.Fprintf(e.stderr, "rooted: running last year's grade-7 round %s (apply-all, close, allocate, publish) …\n", pastID)
		r, err = at(time.May, 11).Create(ctx, rounds.CreateRequest{ID: pastID, Kind: rounds.Grade7, Year: past,
			Name: fmt.Sprintf("%d 年全市初中七年级招生", past), SeatShare: 0.5, ClosesOn: date.Of(past, time.June, 12)})
	}
	if err != nil {
		return fmt.Errorf("demo: round %s: %w", pastID, err)
	}
	steps := []struct {
		from rounds.Status
		do   func() error
	}{
		{rounds.Draft, func() error { _, err := at(time.May, 11).Open(ctx, pastID, ""); return err }},
		{rounds.Open, func() error {
			if _, err := at(time.May, 20).ApplyAll(ctx, pastID, demoSeed); err != nil {
				return err
			}
			_, err := at(time.June, 12).Close(ctx, pastID)
			return err
		}},
		{rounds.Closed, func() error { _, err := at(time.June, 15).Allocate(ctx, pastID); return err }},
		{rounds.Allocated, func() error { _, err := at(time.June, 16).Publish(ctx, pastID); return err }},
	}
	for _, s := range steps {
		if r.Status != s.from {
			continue
		}
		if err := s.do(); err != nil {
			return fmt.Errorf("demo: round %s: %w", pastID, err)
		}
		if r, err = at(time.June, 16).Get(ctx, pastID); err != nil {
			return fmt.Errorf("demo: round %s: %w", pastID, err)
		}
	}

	now := &rounds.Service{Store: st, Scheme: scheme, Files: ingest.PublicationFiles{}, Now: clockAt(c.AsOf)}
	openID := demoOpenRoundID(y)
	r, err = now.Get(ctx, openID)
	if apperr.Is(err, apperr.NotFound) {
		r, err = now.Create(ctx, rounds.CreateRequest{ID: openID, Kind: rounds.Grade1, Year: y,
			Name: fmt.Sprintf("%d 年全市小学一年级招生", y), ClosesOn: closes})
	}
	if err == nil && r.Status == rounds.Draft {
		_, err = now.Open(ctx, openID, "")
	}
	if err != nil {
		return fmt.Errorf("demo: round %s: %w", openID, err)
	}
	return nil
}

// demoCitizen returns the guardian the demo offers as its citizen: one of
// a child who is 6 on 31 August of the open grade-1 round's school year,
// and who passes the school_seat gate today if any such guardian does
// (else the first one: the round then refuses the application at close,
// saying why). Not found when no child of the cohort has a guardian.
func demoCitizen(ctx context.Context, st *store.DB, c config, scheme *policy.Scheme) (string, error) {
	y := demoSchoolYear(c.AsOf + demoOpenWeeks*7)
	from, to := date.Of(y-7, time.September, 1), date.Of(y-6, time.August, 31)
	first, err := st.DemoGuardian(ctx, from, to)
	if err != nil {
		return "", err
	}
	day, err := points.NewScoring(scheme, points.DefaultOptions).On(c.AsOf)
	if err != nil {
		// No version in force on the day: no gate to pass, so the first
		// guardian, as documented (the round says why at close).
		return first, nil //nolint:nilerr // the missing version is an answer here, not a failure
	}
	gate := slices.IndexFunc(day.Version().Services, func(s policy.Named) bool { return s.Name == rounds.Grade1.Service() })
	if gate < 0 {
		return first, nil
	}
	eligible := func(h *registry.PersonHistory) bool {
		scored, err := day.Person(h)
		return err == nil && scored.Result.Eligible[gate]
	}
	if h, err := st.History(ctx, first); err == nil && eligible(&h) {
		return first, nil
	}
	// Look further: the first guardian of the cohort who is eligible.
	found := ""
	errFound := errors.New("found")
	err = st.ForEachHistory(ctx, func(h registry.PersonHistory) error {
		for _, ch := range h.Children {
			if ch.BirthDate >= from && ch.BirthDate <= to && eligible(&h) {
				found = h.Person.IDNumber
				return errFound
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFound) {
		return "", err
	}
	if found != "" {
		return found, nil
	}
	return first, nil
}
