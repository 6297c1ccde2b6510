package web

import (
	"net/http"
	"strings"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
)

// routes lists every route of the server in one place, with the guard
// each needs: pub (anyone; nothing personal), citizen (a signed-in
// citizen, who sees their own family only), officer(scope) (an officer or
// the API token whose role grants scope), or officerOrCitizen(scope)
// (either; the handler keeps a citizen to their own family). Middleware
// is applied once, at the end.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	s.routed = s.routed[:0]
	handle := func(pattern string, h http.HandlerFunc) {
		s.routed = append(s.routed, pattern)
		mux.Handle(pattern, s.limited(routeLimit(pattern), h))
	}
	pub := func(h http.HandlerFunc) http.HandlerFunc { return h }
	citizen := s.requireCitizen
	officer := s.requireOfficer
	officerOrCitizen := s.requireOfficerOrCitizen
	// The rounds operations the console and the API both offer read and
	// answer as pages (forms in, pages or redirects out) or as JSON.
	page, api := pageRep{s}, jsonRep{s}

	handle("GET /static/", pub(s.serveStatic))
	handle("GET /healthz", pub(s.healthz))

	// Pages for everyone.
	handle("GET /{$}", pub(s.home))
	handle("POST /lang", pub(s.setLang))
	handle("GET /signin", pub(s.officerSignInPage))
	handle("POST /signin", pub(s.officerSignIn))
	handle("GET /citizen/signin", pub(s.citizenSignInPage))
	handle("POST /citizen/signin", pub(s.citizenSendCode))
	handle("POST /citizen/verify", pub(s.citizenVerify))
	handle("POST /signout", pub(s.signOut))
	// Published rounds, for anyone to check (public_rounds.go).
	handle("GET /rounds", pub(s.publicRoundsIndex))
	handle("GET /rounds/{id}", pub(s.publicRoundPage))
	handle("GET /rounds/{id}/{file}", pub(s.publicRoundFile))

	// The citizen portal.
	handle("GET /me", citizen(s.myRegistration))
	handle("GET /me/points", citizen(s.myPoints))
	handle("GET /me/apply", citizen(s.myApply))
	handle("POST /me/apply", citizen(s.roundApply(page)))
	handle("GET /me/applications", citizen(s.myApplications))
	handle("POST /me/objections", citizen(s.roundObject(page)))

	// The officer console.
	handle("GET /officer", officer(auth.ScopeDashboard, s.dashboard))
	handle("GET /officer/registry", officer(auth.ScopeRegistry, s.registrySearch))
	handle("POST /officer/registry/unmask", officer(auth.ScopeUnmask, s.registryUnmask))
	handle("GET /officer/import", officer(auth.ScopeImport, s.importPage))
	handle("POST /officer/import", officer(auth.ScopeImport, s.importUpload))
	handle("GET /officer/import/jobs/{id}", officer(auth.ScopeImport, s.importJobPage))
	handle("GET /officer/import/jobs/{id}/status", officer(auth.ScopeImport, s.importJobStatus))
	handle("GET /officer/import/quarantine/{token}", officer(auth.ScopeImport, s.importQuarantine))
	handle("GET /officer/schemes", officer(auth.ScopeSchemes, s.schemesPage))
	handle("GET /officer/forecast", officer(auth.ScopeSchools, s.forecastPage))
	handle("GET /officer/housing", officer(auth.ScopeHousing, s.housingPage))
	// Rounds: the handlers check the round's department (rounds.go).
	handle("GET /officer/rounds", officer(auth.ScopeRoundsRead, s.roundsPage))
	handle("POST /officer/rounds", officer(auth.ScopeRoundsRead, s.roundCreate(page)))
	handle("GET /officer/rounds/{id}", officer(auth.ScopeRoundsRead, s.roundPage))
	handle("POST /officer/rounds/{id}/open", officer(auth.ScopeRoundsRead, s.roundStep("open", page)))
	handle("POST /officer/rounds/{id}/close", officer(auth.ScopeRoundsRead, s.roundStep("close", page)))
	handle("POST /officer/rounds/{id}/allocate", officer(auth.ScopeRoundsRead, s.roundStep("allocate", page)))
	handle("POST /officer/rounds/{id}/finalize", officer(auth.ScopeRoundsRead, s.roundStep("finalize", page)))
	handle("POST /officer/rounds/{id}/objections/{n}/decision", officer(auth.ScopeRoundsRead, s.roundAnswer(page)))
	handle("POST /officer/rounds/{id}/publication", officer(auth.ScopeRoundsRead, s.roundPublication))
	handle("POST /officer/rounds/{id}/export", officer(auth.ScopeRoundsRead, s.roundExport(page)))
	handle("GET /officer/audit", officer(auth.ScopeAudit, s.auditPage))
	// A computed view's progress (views.go): the handler checks the view's scope.
	handle("GET /officer/views/{id}", officer(auth.ScopeDashboard, s.viewJobStatus))

	// The JSON API (listed in openapi.go).
	handle("GET /api/v1/openapi.json", pub(s.apiOpenAPI))
	handle("GET /api/v1/figures", pub(s.apiFigures))
	handle("GET /api/v1/stats", pub(s.apiStats))
	handle("POST /api/v1/score", pub(s.apiScore))
	handle("GET /api/v1/me/points", citizen(s.apiMyPoints))
	handle("GET /api/v1/persons", officer(auth.ScopeRegistry, s.apiSearchPersons))
	handle("GET /api/v1/persons/{id}/points", officer(auth.ScopePersons, s.apiPersonPoints))
	handle("GET /api/v1/dashboard", officer(auth.ScopeDashboard, s.apiDashboard))
	handle("GET /api/v1/forecast", officer(auth.ScopeSchools, s.apiForecast))
	handle("GET /api/v1/schemes/diff", officer(auth.ScopeSchemes, s.apiSchemesDiff))
	handle("GET /api/v1/views/{id}", officer(auth.ScopeDashboard, s.apiViewJob))
	// Rounds: the handlers check the round's department, as the console's
	// do, and keep citizens to their own family (api_rounds.go).
	handle("GET /api/v1/rounds", officerOrCitizen(auth.ScopeRoundsRead, s.apiRounds))
	handle("POST /api/v1/rounds", officer(auth.ScopeRoundsRead, s.roundCreate(api)))
	handle("GET /api/v1/rounds/{id}", officer(auth.ScopeRoundsRead, s.apiRound))
	handle("POST /api/v1/rounds/{id}/open", officer(auth.ScopeRoundsRead, s.roundStep("open", api)))
	handle("POST /api/v1/rounds/{id}/close", officer(auth.ScopeRoundsRead, s.roundStep("close", api)))
	handle("POST /api/v1/rounds/{id}/allocate", officer(auth.ScopeRoundsRead, s.roundStep("allocate", api)))
	handle("POST /api/v1/rounds/{id}/publish", officer(auth.ScopeRoundsRead, s.roundStep("publish", api)))
	handle("POST /api/v1/rounds/{id}/finalize", officer(auth.ScopeRoundsRead, s.roundStep("finalize", api)))
	handle("GET /api/v1/rounds/{id}/export", officer(auth.ScopeRoundsRead, s.roundExport(api)))
	handle("GET /api/v1/rounds/{id}/results", officerOrCitizen(auth.ScopeRoundsRead, s.apiRoundResults))
	handle("POST /api/v1/rounds/{id}/applications", citizen(s.roundApply(api)))
	handle("GET /api/v1/rounds/{id}/objections", officer(auth.ScopeRoundsRead, s.apiObjections))
	handle("POST /api/v1/rounds/{id}/objections", citizen(s.roundObject(api)))
	handle("POST /api/v1/rounds/{id}/objections/{n}/decision", officer(auth.ScopeRoundsRead, s.roundAnswer(api)))
	handle("GET /api/v1/me/applications", citizen(s.apiMyApplications))
	handle("GET /api/v1/", pub(s.apiNotFound))
	handle("/", pub(s.notFound))

	var h http.Handler = mux
	h = s.withSession(h)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, apperr.E("web.cross_origin", apperr.Forbidden, "err.cross_origin"))
	}))
	h = cop.Handler(h)
	h = securityHeaders(h)
	return s.logRequests(h)
}

// routeLimit is the limit of the route with pattern (see limit).
func routeLimit(pattern string) limit {
	switch pattern {
	case "POST /lang", "POST /signin", "POST /citizen/signin", "POST /citizen/verify", "POST /signout":
		return signInLimit
	case "POST /officer/import":
		return uploadLimit
	}
	if _, path, _ := strings.Cut(pattern, " "); strings.HasPrefix(path, "/api/") {
		return apiLimit
	}
	return pageLimit
}
