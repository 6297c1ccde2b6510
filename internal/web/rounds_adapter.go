package web

import (
	"cmp"
	"context"
	"slices"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/rounds"
)

// ServiceRounds adapts the rounds service to the citizen portal's Rounds:
// it turns the domain's rounds and applications into what the pages show,
// in the reader's language. It lives here, not in cmd/rooted, because the
// translation is the web layer's business (languages, statuses as the
// pages name them) and main should only wire.
type ServiceRounds struct {
	Service *rounds.Service
}

var _ Rounds = ServiceRounds{}

// roundsLang is the rounds' message language for an interface language.
func roundsLang(lang string) rounds.Lang {
	if lang == langEN {
		return rounds.EN
	}
	return rounds.ZH
}

// OpenRounds returns the open rounds of kind, by planned closing day
// (rounds without one last). A round past its planned closing day that an
// officer has not closed yet still takes applications, as the service
// does.
func (a ServiceRounds) OpenRounds(ctx context.Context, kind string, day date.Date) ([]Round, error) {
	rs, err := a.Service.OpenRounds(ctx, kind == RoundHousing)
	if err != nil {
		return nil, err
	}
	out := make([]Round, 0, len(rs))
	for _, r := range rs {
		w := Round{ID: r.ID, Kind: RoundSchool, Name: r.Name, MaxRank: r.Choices}
		if r.Kind.Housing() {
			w.Kind = RoundHousing
		} else {
			w.Level = r.Kind.SchoolLevel()
		}
		if r.ClosesOn != "" {
			if d, err := date.Parse(r.ClosesOn); err == nil {
				w.Closes = d
			}
		}
		for _, p := range r.Places {
			w.Choices = append(w.Choices, Choice{Code: p.Code, Name: p.Name})
		}
		out = append(out, w)
	}
	slices.SortStableFunc(out, func(x, y Round) int {
		switch {
		case x.Closes.IsZero() != y.Closes.IsZero():
			if x.Closes.IsZero() {
				return 1
			}
			return -1
		}
		return cmp.Compare(x.Closes, y.Closes)
	})
	return out, nil
}

// Apply submits the application. One the registry refuses at once (the
// child's age, not a guardian…) is recorded by the service as refused and
// comes back here as an invalid error saying why; a second application
// for the same person, or one to a round no longer open, is a conflict.
func (a ServiceRounds) Apply(ctx context.Context, app Application) error {
	got, err := a.Service.Apply(ctx, rounds.ApplyRequest{Round: app.Round, Applicant: app.Applicant, Child: app.Child, Choices: app.Choices})
	switch {
	case apperr.Is(err, apperr.Conflict):
		return apperr.Wrap(apperr.Conflict, err, "apply.conflict")
	case err != nil:
		return err
	case got.Status == rounds.Refused:
		lang := roundsLang(app.Lang)
		outs, err := a.Service.Results(ctx, got.Round, got.Applicant, lang)
		if err != nil {
			return err
		}
		for _, o := range outs {
			if o.Number == got.Number && len(o.Text) > 0 {
				return apperr.New(apperr.Invalid, "%s", o.Text[0])
			}
		}
		return apperr.New(apperr.Invalid, "%s", rounds.T(lang, got.Reason))
	}
	return nil
}

// Applications returns the applications by or for ids, newest round
// first, with the full explanation of allocated ones.
func (a ServiceRounds) Applications(ctx context.Context, ids []string, lang string) ([]ApplicationStatus, error) {
	l := roundsLang(lang)
	pas, err := a.Service.ApplicationsFor(ctx, ids, l)
	if err != nil {
		return nil, err
	}
	out := make([]ApplicationStatus, 0, len(pas))
	for _, pa := range pas {
		r, app := pa.Round, pa.Application
		st := ApplicationStatus{Round: r.ID, RoundName: r.Name, Person: app.Subject(), Status: "submitted", Reason: pa.Text, Submitted: app.AppliedOn}
		allocated := r.Status != rounds.Draft && r.Status != rounds.Open && r.Status != rounds.Closed
		switch {
		case app.Status == rounds.Refused:
			st.Status = "refused"
		case allocated && app.Status == rounds.Accepted:
			switch {
			case app.Placed != "":
				st.Status = "allocated"
				st.Result = placeName(r, app.Placed)
			case app.WaitPosition > 0:
				st.Status = "waiting"
			default:
				st.Status = "unplaced"
			}
			outs, err := a.Service.Results(ctx, r.ID, app.Applicant, l)
			if err != nil {
				return nil, err
			}
			for _, o := range outs {
				if o.Number == app.Number {
					st.Lines = o.Text
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

func placeName(r rounds.Round, code string) string {
	for _, p := range r.Places {
		if p.Code == code {
			return p.Name
		}
	}
	return code
}
