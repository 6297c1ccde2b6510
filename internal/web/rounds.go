package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/rounds"
)

// The rounds in the web layer: one model, the rounds package's own types,
// read through Rounds. Each operation that both the pages and the JSON API
// offer is one handler (rounds_ops.go) that reads its input and writes its
// answer through a roundsRep: the pages' forms and HTML (pageRep) or the
// API's JSON (jsonRep). The route table (routes.go) says which route
// speaks which. What only pages show is in rounds_console.go and
// rounds_portal.go, what only the API answers in api_rounds.go.

// Rounds is what the web layer needs of the enrollment and housing rounds;
// *rounds.Service implements it (see its methods for the errors, all
// *apperr.Error). When Options.Rounds is nil the pages say that no round is
// open and the rounds API that rounds are not wired in.
type Rounds interface {
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
	Results(ctx context.Context, id, applicant string, lang msg.Lang) ([]rounds.Outcome, error)
	Published(ctx context.Context, id string) (rounds.Publication, error)
	LedgerHead(ctx context.Context, id string) (ledger.Entry, error)
	// What applicants do and see.
	OpenRounds(ctx context.Context, housing bool) ([]rounds.Round, error)
	Apply(ctx context.Context, req rounds.ApplyRequest) (rounds.Application, error)
	ApplicationsFor(ctx context.Context, ids []string, lang msg.Lang) ([]rounds.PersonApplication, error)
	FileObjection(ctx context.Context, req rounds.ObjectRequest) (rounds.Objection, error)
	WindowOpen(r rounds.Round) bool
}

var _ Rounds = (*rounds.Service)(nil)

// Who sees and runs which round: a role with ScopeEnrollment runs the
// school rounds, one with ScopeHousing the housing rounds; a role with
// ScopeAudit (auditors, admins) sees every round; nobody sees a round of
// another department. A citizen applies, objects and reads results for
// their own family only.

// roundScope is the scope that runs rounds of kind k.
func roundScope(k rounds.Kind) auth.Scope {
	if k.Housing() {
		return auth.ScopeHousing
	}
	return auth.ScopeEnrollment
}

func canManageRound(role auth.Role, k rounds.Kind) bool { return role.Can(roundScope(k)) }

func canSeeRound(role auth.Role, k rounds.Kind) bool {
	return canManageRound(role, k) || role.Can(auth.ScopeAudit)
}

// consoleRound reads the round of the request's {id} and checks that the
// officer may see it, and run it when manage is true.
func (s *server) consoleRound(r *http.Request, manage bool) (rounds.Round, error) {
	if s.opt.Rounds == nil {
		return rounds.Round{}, apperr.E("round.console", apperr.NotFound, "rounds.not_yet")
	}
	rd, err := s.opt.Rounds.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return rd, err
	}
	role := sessionOf(r).Role
	if !canSeeRound(role, rd.Kind) || (manage && !canManageRound(role, rd.Kind)) {
		return rd, apperr.E("round.console", apperr.Forbidden, "err.out_of_scope")
	}
	return rd, nil
}

// seenRounds returns the rounds the caller may see, newest first: an
// officer's department's rounds (every round for auditors and admins), a
// citizen's the rounds open for applications.
func (s *server) seenRounds(r *http.Request) ([]rounds.Round, error) {
	rs, err := s.opt.Rounds.List(r.Context())
	if err != nil {
		return nil, err
	}
	slices.Reverse(rs)
	sess := sessionOf(r)
	return slices.DeleteFunc(rs, func(rd rounds.Round) bool {
		if sess.Kind == auth.KindCitizen {
			return rd.Status != rounds.Open
		}
		return !canSeeRound(sess.Role, rd.Kind)
	}), nil
}

// nextSteps are the steps of round operations (rounds_ops.go) that a
// round's status allows; publishing again rebuilds the 公示 list.
func nextSteps(st rounds.Status) []string {
	switch st {
	case rounds.Draft:
		return []string{"open"}
	case rounds.Open:
		return []string{"close"}
	case rounds.Closed:
		return []string{"allocate"}
	case rounds.Allocated:
		return []string{"publish"}
	case rounds.Published:
		return []string{"publish", "finalize"}
	}
	return []string{}
}

// objectionNumber is the request's {n}, an objection's number in its
// round; false when it is not one.
func objectionNumber(r *http.Request) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("n"))
	return n, err == nil && n >= 1
}

// familyIDs are the ID numbers of the signed-in citizen and their
// registered children.
func familyIDs(h registry.PersonHistory) []string {
	ids := []string{h.Person.IDNumber}
	for _, c := range h.Children {
		ids = append(ids, c.IDNumber)
	}
	return ids
}

// familyApplications returns the signed-in citizen's history and the
// applications made by or for them and their registered children, with
// their outcomes in lang.
func (s *server) familyApplications(r *http.Request, lang string) (registry.PersonHistory, []rounds.PersonApplication, error) {
	h, err := s.family(r)
	if err != nil {
		return h, nil, err
	}
	list, err := s.opt.Rounds.ApplicationsFor(r.Context(), familyIDs(h), msg.Parse(lang))
	return h, list, err
}
