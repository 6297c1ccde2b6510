package rounds

import (
	"github.com/newcitizens/rooted/internal/msg"

	"cmp"
	"context"
	"slices"
)

// What applicants see of the rounds: the rounds open to them and their
// applications as they follow them.

// OpenRounds returns the rounds open for applications: housing rounds
// when housing is true, school rounds otherwise; by planned closing day,
// rounds without one last (a round past that day that an officer has not
// closed yet still takes applications). Seeds are blanked.
func (s *Service) OpenRounds(ctx context.Context, housing bool) ([]Round, error) {
	rs, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	rs = slices.DeleteFunc(rs, func(r Round) bool { return r.Status != Open || r.Kind.Housing() != housing })
	// ClosesOn is YYYY-MM-DD (Create writes it from a date), so its text
	// sorts as the day does.
	slices.SortStableFunc(rs, func(x, y Round) int {
		if (x.ClosesOn == "") != (y.ClosesOn == "") {
			if x.ClosesOn == "" {
				return 1
			}
			return -1
		}
		return cmp.Compare(x.ClosesOn, y.ClosesOn)
	})
	return rs, nil
}

// Follow statuses: an application's outcome as its applicant reads it
// (PersonApplication.Status).
const (
	FollowSubmitted = "submitted" // the round is not allocated yet
	FollowAllocated = "allocated" // a place
	FollowWaiting   = "waiting"   // housing: on the waiting list of the first choice
	FollowUnplaced  = "unplaced"  // no place
	FollowRefused   = "refused"   // failed a gate
)

// PersonApplication is an application as its applicant follows it.
type PersonApplication struct {
	Round       Round
	Application Application
	// Text is the outcome in a sentence, in the language asked for: the
	// place, the waiting-list position, the refusal reason, or "received"
	// until the round is allocated.
	Text string
	// Status is one of the Follow statuses; Result the name of the place
	// allocated, if any.
	Status string
	Result string
	// Lines are the explanation once the round is allocated (Outcome.Text):
	// own priority, result, each choice ranked above it.
	Lines []string
	// CanObject says whether the round takes objections today (its 公示
	// window); Objections are those about this application, by anyone of
	// the family, in the order filed, with their answers, once the round
	// is published.
	CanObject  bool
	Objections []Objection
}

// ApplicationsFor returns the applications made by or for the persons ids
// (applicants or children), newest round first. Results show once the
// round is allocated, objections once it is published. It reads every
// round's applications: fine for the handful of rounds a city runs a
// year.
func (s *Service) ApplicationsFor(ctx context.Context, ids []string, lang msg.Lang) ([]PersonApplication, error) {
	rs, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []PersonApplication
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		apps, err := s.Store.Applications(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		var objections []Objection // of the round, read once
		read := false
		for _, a := range apps {
			if !slices.Contains(ids, a.Applicant) && (a.Child == "" || !slices.Contains(ids, a.Child)) {
				continue
			}
			pa, err := s.follow(ctx, r, a, lang)
			if err != nil {
				return nil, err
			}
			if r.Status == Published || r.Status == Final {
				if !read {
					if objections, err = s.Objections(ctx, r.ID); err != nil {
						return nil, err
					}
					read = true
				}
				pa.CanObject = s.WindowOpen(r)
				for _, o := range objections {
					if o.Number == a.Number {
						pa.Objections = append(pa.Objections, o)
					}
				}
			}
			out = append(out, pa)
		}
	}
	return out, nil
}

// follow is application a of round r as its applicant follows it, without
// the objections.
func (s *Service) follow(ctx context.Context, r Round, a Application, lang msg.Lang) (PersonApplication, error) {
	allocated := r.Status != Draft && r.Status != Open && r.Status != Closed
	if !allocated && a.Status == Accepted {
		a.Status = Pending // before allocation, acceptance is not news
	}
	pa := PersonApplication{Round: r, Application: a, Status: FollowSubmitted, Text: explain(&r, &a, nil, nil, nil, lang).Text[0]}
	switch {
	case a.Status == Refused:
		pa.Status = FollowRefused
	case allocated && a.Status == Accepted:
		switch {
		case a.Placed != "":
			pa.Status, pa.Result = FollowAllocated, placeName(&r, a.Placed)
			pa.Text = T(lang, "placed", pa.Result, a.Choice)
		case a.WaitPosition > 0:
			pa.Status = FollowWaiting
			if r.Kind.Housing() {
				pa.Text = T(lang, "waiting", placeName(&r, a.Choices[0]), a.WaitPosition, "—")
			} else {
				pa.Text = T(lang, "unplaced")
			}
		default:
			pa.Status = FollowUnplaced
			pa.Text = T(lang, "unplaced")
		}
		outs, err := s.Results(ctx, r.ID, a.Applicant, lang)
		if err != nil {
			return pa, err
		}
		for _, o := range outs {
			if o.Number == a.Number {
				pa.Lines = o.Text
			}
		}
	}
	return pa, nil
}

func placeName(r *Round, code string) string {
	for _, p := range r.Places {
		if p.Code == code {
			return p.Name
		}
	}
	return code
}
