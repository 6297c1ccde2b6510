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
		if x.Closes.IsZero() != y.Closes.IsZero() {
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
// first, with the full explanation of allocated ones and the objections
// about those of published rounds.
func (a ServiceRounds) Applications(ctx context.Context, ids []string, lang string) ([]ApplicationStatus, error) {
	l := roundsLang(lang)
	pas, err := a.Service.ApplicationsFor(ctx, ids, l)
	if err != nil {
		return nil, err
	}
	out := make([]ApplicationStatus, 0, len(pas))
	objections := map[string][]rounds.Objection{} // by round, read once
	for _, pa := range pas {
		r, app := pa.Round, pa.Application
		st := ApplicationStatus{Round: r.ID, RoundName: r.Name, Number: app.Number, Person: app.Subject(), Status: "submitted", Reason: pa.Text, Submitted: app.AppliedOn}
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
		if r.Status == rounds.Published || r.Status == rounds.Final {
			st.Published, st.WindowEnds, st.CanObject = r.PublishedOn, r.WindowEnds, a.Service.WindowOpen(r)
			objs, ok := objections[r.ID]
			if !ok {
				if objs, err = a.Service.Objections(ctx, r.ID); err != nil {
					return nil, err
				}
				objections[r.ID] = objs
			}
			for _, o := range objs {
				if o.Number == app.Number {
					st.Objections = append(st.Objections, objectionStatus(o))
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

func objectionStatus(o rounds.Objection) ObjectionStatus {
	return ObjectionStatus{Seq: o.Seq, Number: o.Number, Filed: o.At, Text: o.Text, Decision: string(o.Decision), Reply: o.Reply, Decided: o.DecidedAt}
}

// Object files the objection, after checking that the round's window is
// open (the service checks again, in its transaction). The service's
// errors come back with catalogue keys.
func (a ServiceRounds) Object(ctx context.Context, f ObjectionFiling) (ObjectionStatus, error) {
	r, err := a.Service.Get(ctx, f.Round)
	if err != nil {
		return ObjectionStatus{}, err
	}
	if !a.Service.WindowOpen(r) {
		return ObjectionStatus{}, apperr.New(apperr.Forbidden, "objection.window_closed")
	}
	o, err := a.Service.FileObjection(ctx, rounds.ObjectRequest{Round: f.Round, Applicant: f.By, Number: f.Number, Text: f.Text})
	switch code := apperr.CodeOf(err); {
	case err == nil:
		return objectionStatus(o), nil
	case code == apperr.Invalid:
		return ObjectionStatus{}, apperr.Wrap(code, err, "objection.bad_text")
	case code == apperr.Conflict:
		return ObjectionStatus{}, apperr.Wrap(code, err, "objection.busy")
	case code == apperr.Forbidden && !a.Service.WindowOpen(r):
		return ObjectionStatus{}, apperr.Wrap(code, err, "objection.window_closed")
	case code == apperr.Forbidden:
		return ObjectionStatus{}, apperr.Wrap(code, err, "err.not_your_application")
	}
	return ObjectionStatus{}, err
}

func placeName(r rounds.Round, code string) string {
	for _, p := range r.Places {
		if p.Code == code {
			return p.Name
		}
	}
	return code
}
