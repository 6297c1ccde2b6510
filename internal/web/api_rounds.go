package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/rounds"
)

// The rounds API: the console's steps and the citizen's application as
// JSON, with the console's rules (rounds_console.go). A department runs
// its own kind of round, the auditor reads every round and runs none, a
// citizen applies and reads results for their own family only. Nothing
// answered holds a full ID number or name: the service's outcomes and
// publication are masked, and the citizen's applications are masked here.

// maxRoundsBody bounds the JSON body of a creation or an application.
const maxRoundsBody = 64 << 10

// apiRoundItem is a round as the list shows it.
type apiRoundItem struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Kind        rounds.Kind    `json:"kind"`
	Year        int            `json:"year"`
	Town        string         `json:"town,omitempty"`
	Mode        rounds.Mode    `json:"mode"`
	Choices     int            `json:"choices"`
	Status      rounds.Status  `json:"status"`
	SeedSHA256  string         `json:"seed_sha256,omitempty"`
	ClosesOn    string         `json:"closes_on,omitempty"`
	OpenedOn    string         `json:"opened_on,omitempty"`
	ClosedOn    string         `json:"closed_on,omitempty"`
	AllocatedOn string         `json:"allocated_on,omitempty"`
	PublishedOn string         `json:"published_on,omitempty"`
	WindowEnds  string         `json:"window_ends,omitempty"`
	FinalOn     string         `json:"final_on,omitempty"`
	Places      []rounds.Place `json:"places"`
	CanManage   bool           `json:"can_manage"`
}

func dayText(d date.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func roundItem(r rounds.Round, canManage bool) apiRoundItem {
	return apiRoundItem{ID: r.ID, Name: r.Name, Kind: r.Kind, Year: r.Year, Town: r.Town, Mode: r.Mode, Choices: r.Choices,
		Status: r.Status, SeedSHA256: r.SeedSHA256, ClosesOn: r.ClosesOn, OpenedOn: dayText(r.OpenedOn), ClosedOn: dayText(r.ClosedOn),
		AllocatedOn: dayText(r.AllocatedOn), PublishedOn: dayText(r.PublishedOn), WindowEnds: dayText(r.WindowEnds), FinalOn: dayText(r.FinalOn),
		Places: r.Places, CanManage: canManage}
}

// apiRounds lists the rounds the caller may see, newest first: an
// officer's department's rounds (every round for auditors and admins), a
// citizen's the rounds open for applications.
func (s *server) apiRounds(w http.ResponseWriter, r *http.Request) {
	out := []apiRoundItem{}
	if s.opt.Rounds == nil {
		writeJSON(w, http.StatusOK, map[string]any{"rounds": out})
		return
	}
	rs, err := s.seenRounds(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sess := sessionOf(r)
	for _, rd := range rs {
		out = append(out, roundItem(rd, sess.Kind != auth.KindCitizen && canManageRound(sess.Role, rd.Kind)))
	}
	writeJSON(w, http.StatusOK, map[string]any{"rounds": out})
}

// apiOverview is a round's overview with what the caller may do next.
type apiOverview struct {
	rounds.Overview
	CanManage bool     `json:"can_manage"`
	Actions   []string `json:"actions"` // the steps the status allows, for a caller who runs the round
}

func (s *server) overview(r *http.Request, rd rounds.Round) (apiOverview, error) {
	o, err := s.opt.Rounds.Show(r.Context(), rd.ID)
	if err != nil {
		return apiOverview{}, err
	}
	d := apiOverview{Overview: o, CanManage: canManageRound(sessionOf(r).Role, rd.Kind), Actions: []string{}}
	if d.CanManage {
		d.Actions = nextSteps(o.Status)
	}
	return d, nil
}

// apiRound shows one round: status, dates, counts by status and refusal
// reason, places with their demand and, once allocated, their cutoffs,
// and the ledger's entries.
func (s *server) apiRound(w http.ResponseWriter, r *http.Request) {
	rd, err := s.consoleRound(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o, err := s.overview(r, rd)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// decodeJSON reads the request's body, one JSON object of at most
// maxRoundsBody bytes with no unknown field, into v.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return apperr.E("web.api_body", apperr.Invalid, "error.api_content_type")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRoundsBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.WrapE("web.api_body", apperr.Invalid, err, "error.api_body", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.E("web.api_body", apperr.Invalid, "error.api_body_one")
	}
	return nil
}

// jsonProblem says what is wrong with a body without echoing it.
func jsonProblem(err error) msg.M {
	var tooBig *http.MaxBytesError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return msg.M{Key: "error.api_body_too_big"}
	case errors.As(err, &typ):
		return msg.M{Key: "error.api_body_field", Args: []any{typ.Field, typ.Type.String()}}
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		// The decoder's own words name the field: data.
		return msg.M{Key: "error.text", Args: []any{strings.TrimPrefix(err.Error(), "json: ")}}
	}
	return msg.M{Key: "error.api_body_object"}
}

// apiCreateRequest is rounds.CreateRequest as JSON.
type apiCreateRequest struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Kind       rounds.Kind       `json:"kind"`
	Year       int               `json:"year"`
	Town       string            `json:"town"`
	Mode       rounds.Mode       `json:"mode"`
	Choices    int               `json:"choices"`
	WindowDays int               `json:"window_days"`
	Seats      map[string]int    `json:"seats"`
	SeatShare  float64           `json:"seat_share"`
	Units      map[string]int    `json:"units"`
	UnitRules  []rounds.UnitRule `json:"unit_rules"`
	UnitNames  map[string]string `json:"unit_names"`
	ClosesOn   string            `json:"closes_on"` // YYYY-MM-DD
}

// jsonRep is how the API speaks for the rounds operations: JSON in, JSON
// out, every refusal the error it is.
type jsonRep struct{ s *server }

func (jsonRep) audit() []any { return []any{"via", "api"} }

// createInput reads a creation (apiCreateRequest) of a kind the caller
// runs.
func (p jsonRep) createInput(w http.ResponseWriter, r *http.Request) (rounds.CreateRequest, error) {
	role := sessionOf(r).Role
	if !slices.ContainsFunc(rounds.Kinds, func(k rounds.Kind) bool { return canManageRound(role, k) }) {
		return rounds.CreateRequest{}, apperr.E("round.create", apperr.Forbidden, "err.out_of_scope")
	}
	if p.s.opt.Rounds == nil {
		return rounds.CreateRequest{}, apperr.E("round.create", apperr.NotFound, "rounds.not_yet")
	}
	var in apiCreateRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return rounds.CreateRequest{}, err
	}
	if err := mayCreate(r, in.Kind); err != nil {
		return rounds.CreateRequest{}, err
	}
	req := rounds.CreateRequest{ID: in.ID, Name: in.Name, Kind: in.Kind, Year: in.Year, Town: in.Town, Mode: in.Mode, Choices: in.Choices,
		WindowDays: in.WindowDays, Seats: in.Seats, SeatShare: in.SeatShare, Units: in.Units, UnitRules: in.UnitRules, UnitNames: in.UnitNames}
	if in.ClosesOn != "" {
		d, err := date.Parse(in.ClosesOn)
		if err != nil {
			return req, apperr.WrapE("round.create", apperr.Invalid, err, "error.api_closes_on")
		}
		req.ClosesOn = d
	}
	return req, nil
}

// created answers the round's overview (201, with its address in
// Location).
func (p jsonRep) created(w http.ResponseWriter, r *http.Request, rd rounds.Round) {
	o, err := p.s.overview(r, rd)
	if err != nil {
		p.s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/rounds/"+rd.ID)
	writeJSON(w, http.StatusCreated, o)
}

func (p jsonRep) refuse(w http.ResponseWriter, r *http.Request, err error, _ func(int, error), _ ...string) {
	p.s.fail(w, r, err)
}

// apiPublication is the 公示 list as JSON: names and ID numbers masked.
type apiPublication struct {
	Round       string     `json:"round"`
	Name        string     `json:"name"`
	Title       string     `json:"title"`
	PublishedOn string     `json:"published_on"`
	WindowEnds  string     `json:"window_ends"`
	Header      []string   `json:"header"`
	Rows        [][]string `json:"rows"`
	Warnings    []string   `json:"warnings"`
	// The SHA-256 of the published files (GET /rounds/{id}/publication.csv
	// and .xlsx), as the ledger records them; recorded is false for a
	// round published before the ledger recorded them.
	CSVSHA256  string `json:"csv_sha256"`
	XLSXSHA256 string `json:"xlsx_sha256"`
	Recorded   bool   `json:"recorded"`
}

// stepped answers a step: open and finalize the round's overview, close
// and allocate their summary, publish the 公示 list.
func (p jsonRep) stepped(w http.ResponseWriter, r *http.Request, rd rounds.Round, step string, result any) {
	switch step {
	case "open", "finalize":
		o, err := p.s.overview(r, rd)
		if err != nil {
			p.s.fail(w, r, err)
			return
		}
		result = o
	case "publish":
		pub := result.(rounds.Publication)
		result = apiPublication{Round: pub.Round, Name: pub.Name, Title: pub.Title(), PublishedOn: pub.PublishedOn, WindowEnds: pub.WindowEnds,
			Header: pub.Header, Rows: pub.Rows, Warnings: nonNil(pub.Warnings), CSVSHA256: pub.CSVSHA256, XLSXSHA256: pub.XLSXSHA256, Recorded: pub.Recorded}
	}
	writeJSON(w, http.StatusOK, result)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// exported answers the export as it is.
func (jsonRep) exported(w http.ResponseWriter, _ *http.Request, _ rounds.Round, data []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

// apiLang is the language of explanations: the lang query parameter (zh
// or en), else the caller's (cookie, Accept-Language).
func apiLang(r *http.Request) (string, error) {
	switch v := r.URL.Query().Get("lang"); v {
	case "":
		return langOf(r), nil
	case "zh", langZH:
		return langZH, nil
	case langEN:
		return langEN, nil
	}
	return "", apperr.E("web.api_lang", apperr.Invalid, "error.api_lang")
}

// apiApplyRequest is a citizen's application: the child's ID number for a
// school round (one of the citizen's own registered children), nothing
// for housing; the places ranked best first.
type apiApplyRequest struct {
	Child   string   `json:"child"`
	Choices []string `json:"choices"`
}

// apiApplication is an application as its citizen follows it.
type apiApplication struct {
	Round       string   `json:"round"`
	RoundName   string   `json:"round_name"`
	Number      string   `json:"number,omitempty"` // the application number, as the 公示 list names it
	Person      string   `json:"person"`           // the child or applicant, masked
	Status      string   `json:"status"`           // submitted, allocated, waiting, unplaced, refused
	Result      string   `json:"result,omitempty"`
	Reason      string   `json:"reason,omitempty"`
	Explanation []string `json:"explanation,omitempty"`
	Submitted   string   `json:"submitted"`
	// The 公示 window once the round is published, whether it takes
	// objections today, and the objections about the application.
	PublishedOn string         `json:"published_on,omitempty"`
	WindowEnds  string         `json:"window_ends,omitempty"`
	CanObject   bool           `json:"can_object,omitempty"`
	Objections  []apiObjection `json:"objections,omitempty"`
}

func apiApplications(list []rounds.PersonApplication) []apiApplication {
	out := make([]apiApplication, 0, len(list))
	for _, pa := range list {
		a := pa.Application
		item := apiApplication{Round: pa.Round.ID, RoundName: pa.Round.Name, Number: a.Number, Person: ident.MaskID(a.Subject()), Status: pa.Status,
			Result: pa.Result, Reason: pa.Text, Explanation: pa.Lines, Submitted: dayText(a.AppliedOn), CanObject: pa.CanObject}
		if st := pa.Round.Status; st == rounds.Published || st == rounds.Final {
			item.PublishedOn, item.WindowEnds = dayText(pa.Round.PublishedOn), dayText(pa.Round.WindowEnds)
		}
		for _, o := range pa.Objections {
			item.Objections = append(item.Objections, citizenObjection(o))
		}
		out = append(out, item)
	}
	return out
}

// applyInput reads an application (apiApplyRequest) to round {id}: a
// child not the citizen's own is forbidden. Refusals are in the lang
// parameter's language.
func (jsonRep) applyInput(w http.ResponseWriter, r *http.Request, h registry.PersonHistory) (rounds.ApplyRequest, string, error) {
	lang, err := apiLang(r)
	if err != nil {
		return rounds.ApplyRequest{}, "", err
	}
	var in apiApplyRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return rounds.ApplyRequest{}, "", err
	}
	req := rounds.ApplyRequest{Round: r.PathValue("id"), Applicant: h.Person.IDNumber, Choices: addChoices(nil, in.Choices...)}
	if c := strings.ToUpper(strings.TrimSpace(in.Child)); c != "" {
		if !slices.ContainsFunc(h.Children, func(p registry.Person) bool { return p.IDNumber == c }) {
			return req, "", apperr.E("round.apply", apperr.Forbidden, "err.not_your_child")
		}
		req.Child = c
	}
	return req, lang, nil
}

// applied answers the application just recorded (201).
func (p jsonRep) applied(w http.ResponseWriter, r *http.Request, req rounds.ApplyRequest, lang string) {
	subject := req.Applicant
	if req.Child != "" {
		subject = req.Child
	}
	list, err := p.s.opt.Rounds.ApplicationsFor(r.Context(), []string{subject}, msg.Parse(lang))
	if err != nil {
		p.s.fail(w, r, err)
		return
	}
	list = slices.DeleteFunc(list, func(pa rounds.PersonApplication) bool {
		return pa.Round.ID != req.Round || pa.Application.Subject() != subject
	})
	if len(list) == 0 {
		p.s.fail(w, r, apperr.E("round.apply", apperr.Internal, "error.application_missing", req.Round))
		return
	}
	// A subject may have refused applications before this one: the
	// latest (the last of the round, in application order) is this one.
	w.Header().Set("Location", "/api/v1/me/applications")
	writeJSON(w, http.StatusCreated, apiApplications(list[len(list)-1:])[0])
}

// apiMyApplications lists the applications made by or for the signed-in
// citizen and their children, newest round first, with the explanation of
// allocated ones.
func (s *server) apiMyApplications(w http.ResponseWriter, r *http.Request) {
	lang, err := apiLang(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []apiApplication{}
	if s.opt.Rounds != nil {
		_, list, err := s.familyApplications(r, lang)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out = apiApplications(list)
	}
	writeJSON(w, http.StatusOK, map[string]any{"applications": out})
}

// apiRoundResults answers the outcomes of a round's applications with
// their explanation in the caller's language (the lang parameter, else
// the cookie or Accept-Language). An officer who sees the round gets
// every outcome, or those of the applicant (ID number) asked for. A
// citizen gets their family's only — their own applications and those
// made for their children — and a 403 for any other applicant.
func (s *server) apiRoundResults(w http.ResponseWriter, r *http.Request) {
	lang, err := apiLang(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	applicant := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("applicant")))
	var rd rounds.Round
	var outs []rounds.Outcome
	if sessionOf(r).Kind == auth.KindCitizen {
		rd, outs, err = s.familyOutcomes(r, applicant, msg.Parse(lang))
	} else if rd, err = s.consoleRound(r, false); err == nil {
		outs, err = s.opt.Rounds.Results(r.Context(), rd.ID, applicant, msg.Parse(lang))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"round": rd.ID, "status": rd.Status, "outcomes": nonNil(outs)})
}

// familyOutcomes returns the outcomes in round {id} of the applications by
// or for the signed-in citizen's family; applicant, when not "", must be
// the citizen.
func (s *server) familyOutcomes(r *http.Request, applicant string, lang msg.Lang) (rounds.Round, []rounds.Outcome, error) {
	c := s.opt.Rounds
	if c == nil {
		return rounds.Round{}, nil, apperr.E("round.results", apperr.NotFound, "rounds.not_yet")
	}
	h, err := s.family(r)
	if err != nil {
		return rounds.Round{}, nil, err
	}
	if applicant != "" && applicant != h.Person.IDNumber {
		return rounds.Round{}, nil, apperr.E("round.results", apperr.Forbidden, "error.results_own_family")
	}
	id := r.PathValue("id")
	rd, err := c.Get(r.Context(), id)
	if err != nil {
		return rd, nil, err
	}
	pas, err := c.ApplicationsFor(r.Context(), familyIDs(h), lang)
	if err != nil {
		return rd, nil, err
	}
	numbers := map[string]bool{}
	var applicants []string
	for _, pa := range pas {
		if pa.Round.ID != id {
			continue
		}
		numbers[pa.Application.Number] = true
		if !slices.Contains(applicants, pa.Application.Applicant) {
			applicants = append(applicants, pa.Application.Applicant)
		}
	}
	if len(numbers) == 0 {
		return rd, nil, apperr.E("round.results", apperr.NotFound, "error.no_application_yours", id)
	}
	var out []rounds.Outcome
	for _, a := range applicants {
		outs, err := c.Results(r.Context(), id, a, lang)
		if err != nil {
			return rd, nil, err
		}
		for _, o := range outs {
			if numbers[o.Number] {
				out = append(out, o)
			}
		}
	}
	return rd, out, nil
}

// apiObjection is an objection as the API answers it. Applicant (masked)
// and DecidedBy are for the department only.
type apiObjection struct {
	Round       string `json:"round"`
	Objection   int    `json:"objection"`   // its number in the round
	Application string `json:"application"` // the application objected about
	Applicant   string `json:"applicant,omitempty"`
	FiledAt     string `json:"filed_at"`
	Text        string `json:"text"`
	Decision    string `json:"decision,omitempty"` // upheld or dismissed once answered
	Reply       string `json:"reply,omitempty"`
	DecidedBy   string `json:"decided_by,omitempty"`
	DecidedAt   string `json:"decided_at,omitempty"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// officerObjection is o for the department: who objected, masked.
func officerObjection(o rounds.Objection) apiObjection {
	return apiObjection{Round: o.Round, Objection: o.Seq, Application: o.Number, Applicant: ident.MaskID(o.Applicant), FiledAt: rfc3339(o.At),
		Text: o.Text, Decision: string(o.Decision), Reply: o.Reply, DecidedBy: o.DecidedBy, DecidedAt: rfc3339(o.DecidedAt)}
}

// citizenObjection is o for the family it concerns.
func citizenObjection(o rounds.Objection) apiObjection {
	return apiObjection{Round: o.Round, Objection: o.Seq, Application: o.Number, FiledAt: rfc3339(o.At), Text: o.Text,
		Decision: string(o.Decision), Reply: o.Reply, DecidedAt: rfc3339(o.DecidedAt)}
}

// apiObjections lists a round's objections with their answers, for the
// officers who see the round: who objected (masked), when, the text, and
// the decision, reply, who answered and when.
func (s *server) apiObjections(w http.ResponseWriter, r *http.Request) {
	rd, err := s.consoleRound(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	objs, err := s.opt.Rounds.Objections(r.Context(), rd.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, unanswered := []apiObjection{}, 0
	for _, o := range objs {
		out = append(out, officerObjection(o))
		if !o.Answered() {
			unanswered++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"round": rd.ID, "status": rd.Status, "window_ends": dayText(rd.WindowEnds),
		"unanswered": unanswered, "objections": out})
}

// apiObjectRequest is a citizen's objection: the application it is about
// (optional when the family has one application in the round) and the
// text.
type apiObjectRequest struct {
	Application string `json:"application"`
	Text        string `json:"text"`
}

// objectInput reads an objection (apiObjectRequest) to round {id}.
func (p jsonRep) objectInput(w http.ResponseWriter, r *http.Request) (rounds.ObjectRequest, error) {
	if p.s.opt.Rounds == nil {
		return rounds.ObjectRequest{}, apperr.E("round.object", apperr.NotFound, "rounds.not_yet")
	}
	var in apiObjectRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return rounds.ObjectRequest{}, err
	}
	return rounds.ObjectRequest{Round: r.PathValue("id"), Number: strings.ToUpper(strings.TrimSpace(in.Application)), Text: in.Text}, nil
}

// which is the application the objection names, or the family's one in
// the round when it names none. An application of another family is 403,
// a family without one in the round 404, one with several that does not
// say which 400.
func (jsonRep) which(req rounds.ObjectRequest, list []rounds.PersonApplication) (string, error) {
	var numbers []string
	for _, pa := range list {
		if pa.Round.ID == req.Round && pa.Application.Number != "" {
			numbers = append(numbers, pa.Application.Number)
		}
	}
	switch number := req.Number; {
	case len(numbers) == 0 && number == "":
		return "", apperr.E("round.object", apperr.NotFound, "error.no_application_yours_list", req.Round)
	case number == "" && len(numbers) > 1:
		return "", apperr.E("round.object", apperr.Invalid, "error.application_which", len(numbers), req.Round)
	case number == "":
		return numbers[0], nil
	case !slices.Contains(numbers, number):
		return "", apperr.E("round.object", apperr.Forbidden, "err.not_your_application")
	}
	return req.Number, nil
}

// objected answers the objection filed (201); a round outside its window
// is 403, a text empty or too long 400.
func (jsonRep) objected(w http.ResponseWriter, _ *http.Request, o rounds.Objection) {
	w.Header().Set("Location", "/api/v1/me/applications")
	writeJSON(w, http.StatusCreated, citizenObjection(o))
}

// apiAnswerRequest is the department's answer to an objection.
type apiAnswerRequest struct {
	Decision string `json:"decision"` // upheld or dismissed
	Reply    string `json:"reply"`
}

// answerInput reads the answer (apiAnswerRequest) to objection {n} of rd.
// A second answer is 409, an unknown objection 404, a decision other than
// upheld or dismissed or a reply empty or too long 400.
func (jsonRep) answerInput(w http.ResponseWriter, r *http.Request, rd rounds.Round) (rounds.AnswerRequest, error) {
	n, ok := objectionNumber(r)
	if !ok {
		return rounds.AnswerRequest{}, apperr.E("round.answer", apperr.NotFound, "error.round_no_objection_q", rd.ID, r.PathValue("n"))
	}
	var in apiAnswerRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return rounds.AnswerRequest{}, err
	}
	return rounds.AnswerRequest{Objection: n, Decision: rounds.Decision(in.Decision), Reply: in.Reply}, nil
}

// answered answers the objection answered.
func (jsonRep) answered(w http.ResponseWriter, _ *http.Request, _ rounds.Round, o rounds.Objection) {
	writeJSON(w, http.StatusOK, officerObjection(o))
}
