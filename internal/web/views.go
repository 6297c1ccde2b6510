package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/jobs"
)

// Computed views: no officer page waits for a scan of the registry.
//
// What a page shows that costs a scan — the dashboard's score summary,
// the forecast, the housing waiting list, the reform comparison — is a
// view: a result named by the view and keyed by the registry's version
// (as registryVersion polls it) and the as-of day. The first request for
// a key queues a durable job of kind "view:NAME" with that key (the job
// queue keeps one live job per kind and key, so every server and every
// request waiting for it shares one computation) and answers at once: the
// page shows the job's progress, polling its status fragment until it is
// done and then reloading; the API answers 202 with the job's status at
// Location. The job's result is stored in the database with the job, so a
// result computed by one server is served by every other. Later requests
// serve it — from this server's memory after the first read — until the
// registry's version or the day changes: a change made anywhere is seen
// within one poll (Options.RegistryPoll), and the next request queues the
// computation again. A result is never served under a version other than
// the one it was asked for; one computed while the registry changed is
// kept under the older version, which nobody asks for any more.
//
// View jobs run on their own runner (Options.ViewJobs), so that a long
// import does not hold up a page, and a view job prunes the results that
// newer ones have replaced (PruneJobs). The views a server has served are
// kept current in the background (warmViews): when the registry changes,
// their computation is queued at once, so that the next view mostly finds
// the result rather than its progress.

// The views and what they compute.
const (
	viewScores   = "scores"   // the dashboard's score summary: a scan of the scores
	viewForecast = "forecast" // the school forecast
	viewHousing  = "housing"  // the projected public rental waiting list
	viewReform   = "reform"   // every person scored under the scheme in force and the reform

	viewKindPrefix = "view:"
)

// viewKeep is how long a result replaced by a newer one stays in the
// database: a server that has not yet seen the newer version (at most a
// poll behind) may still ask for it.
const viewKeep = 10 * time.Minute

// viewInfo is what the web layer needs to know of a view: the scope that
// may see it, the page that shows it and the API resource that serves it
// ("" when none).
type viewInfo struct {
	scope   auth.Scope
	page    string
	api     string
	compute func(s *server, ctx context.Context, day date.Date, report func(jobs.Progress)) (any, error)
}

var views = map[string]viewInfo{
	viewScores: {auth.ScopeDashboard, "/officer", "/api/v1/dashboard", func(s *server, ctx context.Context, _ date.Date, report func(jobs.Progress)) (any, error) {
		return s.computeScores(ctx, report)
	}},
	viewForecast: {auth.ScopeSchools, "/officer/forecast", "/api/v1/forecast", func(s *server, ctx context.Context, day date.Date, _ func(jobs.Progress)) (any, error) {
		return s.computeForecast(ctx, day)
	}},
	viewHousing: {auth.ScopeHousing, "/officer/housing", "", func(s *server, ctx context.Context, day date.Date, _ func(jobs.Progress)) (any, error) {
		return s.computeHousing(ctx, day)
	}},
	viewReform: {auth.ScopeSchemes, "/officer/schemes", "/api/v1/schemes/diff", func(s *server, ctx context.Context, day date.Date, report func(jobs.Progress)) (any, error) {
		return s.computeReform(ctx, day, report)
	}},
}

// viewInput is a view job's Input: what the computation is of.
type viewInput struct {
	Day     string `json:"day"`
	Version int64  `json:"version"`
}

// viewKey is the job key of a view's result: the registry's version and
// the day.
func viewKey(version int64, day date.Date) string {
	return strconv.FormatInt(version, 10) + "/" + day.String()
}

// viewMemo is the last result of a view this server read, decoded.
type viewMemo struct {
	key string
	v   any
}

// viewMemos holds one viewMemo per view name, and the names of the views
// this server has been asked for (for warmViews).
type viewMemos struct {
	m      sync.Map
	viewed sync.Map // view name → true
}

func (vm *viewMemos) clear() { vm.m.Clear() }

// viewOf returns the result of view name for the registry as this server
// sees it now, or, when it is not computed yet, the job computing it
// (queued now if none is). It never scans the registry itself.
func viewOf[T any](s *server, ctx context.Context, name string) (T, *jobs.Job, error) {
	var zero T
	s.views.viewed.Store(name, true)
	day := s.opt.Today()
	version := s.registryVersion(ctx)
	key := viewKey(version, day)
	if m, ok := s.views.m.Load(name); ok && m.(*viewMemo).key == key {
		return m.(*viewMemo).v.(T), nil, nil
	}
	kind := viewKindPrefix + name
	done, err := s.st.LatestDone(ctx, kind, key)
	if err == nil {
		var v T
		if err := json.Unmarshal(done.Result, &v); err != nil {
			return zero, nil, fmt.Errorf("web: view %s %s: the stored result: %w", name, key, err)
		}
		s.views.m.Store(name, &viewMemo{key: key, v: v})
		return v, nil, nil
	}
	if !apperr.Is(err, apperr.NotFound) {
		return zero, nil, err
	}
	in, err := json.Marshal(viewInput{Day: day.String(), Version: version})
	if err != nil {
		return zero, nil, err
	}
	j, created, err := s.st.Enqueue(ctx, jobs.Job{Kind: kind, Key: key, Input: in}, s.opt.Now())
	if err != nil {
		return zero, nil, err
	}
	if created {
		s.viewRunner.Wake()
	}
	return zero, &j, nil
}

// runView is the handler of the jobs of view name.
func (s *server) runView(name string) jobs.Handler {
	info := views[name]
	return func(ctx context.Context, j jobs.Job, report func(jobs.Progress)) (any, error) {
		// A job queued again after another's result for the key was
		// stored (between a read of the results and the enqueue, by a
		// request or by warmViews on any server): that result is the
		// answer, and nothing is computed again.
		if prev, err := s.st.LatestDone(ctx, j.Kind, j.Key); err == nil {
			return prev.Result, nil
		}
		var in viewInput
		if err := json.Unmarshal(j.Input, &in); err != nil {
			return nil, fmt.Errorf("view job %d: input: %w", j.ID, err)
		}
		if j.Owner == viewWarmer {
			// Queued in the background for a version the registry has
			// since left (a run of imports): nobody asks for it any more.
			if v, err := s.st.Version(ctx); err == nil && v > in.Version {
				return nil, apperr.E("web.view", apperr.Conflict, "error.view_superseded")
			}
		}
		day, err := date.Parse(in.Day)
		if err != nil {
			return nil, fmt.Errorf("view job %d: input: %w", j.ID, err)
		}
		s.viewsComputed.Add(1)
		v, err := info.compute(s, ctx, day, report)
		if err != nil {
			return nil, err
		}
		if _, err := s.st.PruneJobs(ctx, viewKindPrefix, s.opt.Now().Add(-viewKeep)); err != nil {
			s.opt.Logger.Warn("pruning the results of views", "err", err)
		}
		return v, nil
	}
}

// viewWarmer is the Owner of the view jobs warmViews queues.
const viewWarmer = "(background)"

// warmViews queues, whenever this server sees the registry's version
// change, the computation of every view it has been asked for, until ctx
// is done. The change is seen by the figures' background work, which
// reads the version every poll (figures.go); a change made through this
// server is seen at once. Every server does this: the job queue keeps one
// job per view and version.
func (s *server) warmViews(ctx context.Context) {
	for {
		updated := s.registryUpdates()
		select {
		case <-ctx.Done():
			return
		case <-updated:
		}
		day, version := s.opt.Today(), s.registryVersion(ctx)
		s.views.viewed.Range(func(name, _ any) bool {
			if err := s.queueView(ctx, name.(string), version, day); err != nil && ctx.Err() == nil {
				s.opt.Logger.Warn("queueing a view in the background", "view", name, "err", err)
			}
			return true
		})
	}
}

// queueView queues the computation of view name for version and day in
// the background, unless its result is stored.
func (s *server) queueView(ctx context.Context, name string, version int64, day date.Date) error {
	kind, key := viewKindPrefix+name, viewKey(version, day)
	if _, err := s.st.LatestDone(ctx, kind, key); err == nil || !apperr.Is(err, apperr.NotFound) {
		return err
	}
	in, err := json.Marshal(viewInput{Day: day.String(), Version: version})
	if err != nil {
		return err
	}
	if _, created, err := s.st.Enqueue(ctx, jobs.Job{Kind: kind, Key: key, Owner: viewWarmer, Input: in}, s.opt.Now()); err != nil {
		return err
	} else if created {
		s.viewRunner.Wake()
	}
	return nil
}

// registerViews registers the handlers of the view jobs on r.
func (s *server) registerViews(r *jobs.Runner) {
	for name := range views {
		r.Handle(viewKindPrefix+name, s.runView(name))
	}
}

// viewWait is a page waiting for a view: the job and the page to reload.
type viewWait struct {
	Job  jobs.Job
	View string
	Href string
}

// viewPending renders the page titled titleKey as the progress of job j:
// a status that polls itself and reloads the page when the result is in.
func (s *server) viewPending(w http.ResponseWriter, r *http.Request, titleKey string, j *jobs.Job) {
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "view.html", titleKey, s.waitOf(*j, r.URL.RequestURI()))
}

func (s *server) waitOf(j jobs.Job, href string) viewWait {
	name := strings.TrimPrefix(j.Kind, viewKindPrefix)
	if href == "" {
		href = views[name].page
	}
	return viewWait{Job: j, View: name, Href: href}
}

// viewStatus is the JSON of a view job: GET /api/v1/views/{id}, and the
// body of a 202 answer.
type viewStatus struct {
	ID      int64      `json:"id"`
	View    string     `json:"view"`
	State   jobs.State `json:"state"`
	Done    int64      `json:"done"`
	Total   int64      `json:"total"`
	Message string     `json:"message,omitempty"`
	Error   string     `json:"error,omitempty"`
	// Href is the resource to ask for again once State is done.
	Href string `json:"href,omitempty"`
}

func statusOfView(j jobs.Job) viewStatus {
	name := strings.TrimPrefix(j.Kind, viewKindPrefix)
	return viewStatus{ID: j.ID, View: name, State: j.State, Done: j.Done, Total: j.Total, Message: j.Message, Error: j.Error, Href: views[name].api}
}

// viewAccepted answers an API request whose view is being computed: 202,
// with the job's status here and at Location.
func (s *server) viewAccepted(w http.ResponseWriter, j *jobs.Job) {
	w.Header().Set("Location", "/api/v1/views/"+strconv.FormatInt(j.ID, 10))
	w.Header().Set("Retry-After", "1")
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusAccepted, statusOfView(*j))
}

// viewJob returns the view job named in the path if the caller's role may
// see its view; any other is "no such page".
func (s *server) viewJob(r *http.Request) (jobs.Job, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return jobs.Job{}, apperr.E("web.view", apperr.NotFound, "err.no_page")
	}
	j, err := s.st.Job(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) {
		return j, apperr.E("web.view", apperr.NotFound, "err.no_page")
	}
	if err != nil {
		return j, err
	}
	info, ok := views[strings.TrimPrefix(j.Kind, viewKindPrefix)]
	if !strings.HasPrefix(j.Kind, viewKindPrefix) || !ok || !sessionOf(r).Role.Can(info.scope) {
		return j, apperr.E("web.view", apperr.NotFound, "err.no_page")
	}
	return j, nil
}

// viewJobStatus is a view job's status fragment, for htmx polling; when
// the job is done it tells htmx to reload the page, which now finds the
// result.
func (s *server) viewJobStatus(w http.ResponseWriter, r *http.Request) {
	j, err := s.viewJob(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if j.State == jobs.Done {
		w.Header().Set("HX-Refresh", "true")
	}
	s.fragment(w, r, "view.html", "view_status", s.waitOf(j, ""))
}

// apiViewJob is a view job's status as JSON.
func (s *server) apiViewJob(w http.ResponseWriter, r *http.Request) {
	j, err := s.viewJob(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, statusOfView(j))
}
