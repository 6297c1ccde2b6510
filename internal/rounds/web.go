package rounds

import (
	"context"
	"slices"
)

// What the web layer calls beside Create, Open, Apply, Results and Show.

// OpenRounds returns the rounds open for applications, oldest first:
// housing rounds when housing is true, school rounds otherwise. Seeds are
// blanked.
func (s *Service) OpenRounds(ctx context.Context, housing bool) ([]Round, error) {
	rs, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(rs, func(r Round) bool { return r.Status != Open || r.Kind.Housing() != housing }), nil
}

// PersonApplication is an application as its applicant follows it.
type PersonApplication struct {
	Round       Round
	Application Application
	// Text is the outcome in a sentence, in the language asked for: the
	// place, the waiting-list position, the refusal reason, or "received"
	// until the round is allocated.
	Text string
}

// ApplicationsFor returns the applications made by or for the persons ids
// (applicants or children), newest round first. Results show once the
// round is allocated. It reads every round's applications: fine for the
// handful of rounds a city runs a year.
func (s *Service) ApplicationsFor(ctx context.Context, ids []string, lang Lang) ([]PersonApplication, error) {
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
		for _, a := range apps {
			if !slices.Contains(ids, a.Applicant) && (a.Child == "" || !slices.Contains(ids, a.Child)) {
				continue
			}
			allocated := r.Status != Draft && r.Status != Open && r.Status != Closed
			if !allocated && a.Status == Accepted {
				a.Status = Pending // before allocation, acceptance is not news
			}
			o := explain(&r, &a, nil, nil, nil, lang)
			text := o.Text[0]
			if allocated && a.Status == Accepted {
				switch {
				case a.Placed != "":
					text = T(lang, "placed", placeName(&r, a.Placed), a.Choice)
				case r.Kind.Housing() && a.WaitPosition > 0:
					text = T(lang, "waiting", placeName(&r, a.Choices[0]), a.WaitPosition, "—")
				default:
					text = T(lang, "unplaced")
				}
			}
			out = append(out, PersonApplication{Round: r, Application: a, Text: text})
		}
	}
	return out, nil
}

func placeName(r *Round, code string) string {
	for _, p := range r.Places {
		if p.Code == code {
			return p.Name
		}
	}
	return code
}
