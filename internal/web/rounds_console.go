package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/rounds"
)

// The officer console's rounds pages. Who sees and runs which round: a
// role with ScopeEnrollment runs the school rounds, one with ScopeHousing
// the housing rounds; a role with ScopeAudit (auditors, admins) sees every
// round; nobody sees a round of another department. Every step is a POST
// form, so http.CrossOriginProtection guards it.

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

// safeMessage is the message of err that may be shown: an application
// error's message, else the generic text of its status.
func safeMessage(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code != apperr.Internal {
		return ae.Message
	}
	return http.StatusText(http.StatusInternalServerError)
}

type roundRow struct {
	rounds.Round
	CanManage  bool
	Unanswered int // objections waiting for an answer, of a published round
}

type roundsData struct {
	Service bool
	Rounds  []roundRow
	Kinds   []rounds.Kind // the kinds this officer may create
	Year    int
	Error   string
}

func (s *server) roundsData(r *http.Request) (roundsData, error) {
	d := roundsData{Service: s.opt.RoundsConsole != nil, Year: s.opt.Today().Year()}
	if !d.Service {
		return d, nil
	}
	role := sessionOf(r).Role
	for _, k := range rounds.Kinds {
		if canManageRound(role, k) {
			d.Kinds = append(d.Kinds, k)
		}
	}
	rs, err := s.opt.RoundsConsole.List(r.Context())
	if err != nil {
		return d, err
	}
	for i := len(rs) - 1; i >= 0; i-- { // newest first
		if !canSeeRound(role, rs[i].Kind) {
			continue
		}
		row := roundRow{Round: rs[i], CanManage: canManageRound(role, rs[i].Kind)}
		if row.Status == rounds.Published {
			objs, err := s.opt.RoundsConsole.Objections(r.Context(), row.ID)
			if err != nil {
				return d, err
			}
			for _, o := range objs {
				if !o.Answered() {
					row.Unanswered++
				}
			}
		}
		d.Rounds = append(d.Rounds, row)
	}
	return d, nil
}

// roundsPage lists the rounds the officer may see, with a form to create
// one of the kinds they run.
func (s *server) roundsPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.roundsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "rounds.html", "rounds.title", d)
}

// roundCreate creates a round in draft from the form.
func (s *server) roundCreate(w http.ResponseWriter, r *http.Request) {
	d, err := s.roundsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !d.Service {
		s.fail(w, r, apperr.New(apperr.NotFound, "rounds.not_yet"))
		return
	}
	kind := rounds.Kind(r.PostFormValue("kind"))
	if kind.Valid() && !canManageRound(sessionOf(r).Role, kind) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "err.out_of_scope"))
		return
	}
	req, err := createRequest(r, kind)
	if err == nil {
		var rd rounds.Round
		if rd, err = s.opt.RoundsConsole.Create(r.Context(), req); err == nil {
			s.act(r, "round_create", "round "+rd.ID, "kind", rd.Kind)
			http.Redirect(w, r, "/officer/rounds/"+rd.ID, http.StatusSeeOther)
			return
		}
	}
	if code := apperr.CodeOf(err); code != apperr.Invalid && code != apperr.Conflict {
		s.fail(w, r, err)
		return
	}
	d.Error = safeMessage(err)
	s.render(w, r, statusOf(apperr.CodeOf(err)), "rounds.html", "rounds.title", d)
}

// createRequest reads the creation form. The service checks the rest.
func createRequest(r *http.Request, kind rounds.Kind) (rounds.CreateRequest, error) {
	req := rounds.CreateRequest{Kind: kind, Name: strings.TrimSpace(r.PostFormValue("name")), Town: strings.TrimSpace(r.PostFormValue("town"))}
	if v := strings.TrimSpace(r.PostFormValue("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil {
			return req, apperr.New(apperr.Invalid, "rounds.bad_year")
		}
		req.Year = y
	}
	if v := strings.TrimSpace(r.PostFormValue("closes")); v != "" {
		d, err := date.Parse(v)
		if err != nil {
			return req, apperr.New(apperr.Invalid, "rounds.bad_closes")
		}
		req.ClosesOn = d
	}
	if v := strings.TrimSpace(r.PostFormValue("seat_share")); v != "" && !kind.Housing() {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return req, apperr.New(apperr.Invalid, "rounds.bad_share")
		}
		req.SeatShare = f
	}
	if v := strings.TrimSpace(r.PostFormValue("units")); v != "" && kind.Housing() {
		req.Units = map[string]int{}
		for _, p := range strings.Split(v, ",") {
			k, n, ok := strings.Cut(strings.TrimSpace(p), "=")
			units, err := strconv.Atoi(strings.TrimSpace(n))
			if !ok || err != nil {
				return req, apperr.New(apperr.Invalid, "rounds.bad_units")
			}
			req.Units[strings.TrimSpace(k)] = units
		}
	}
	return req, nil
}

// consoleRound reads the round of the request's {id} and checks that the
// officer may see it, and run it when manage is true.
func (s *server) consoleRound(r *http.Request, manage bool) (rounds.Round, error) {
	if s.opt.RoundsConsole == nil {
		return rounds.Round{}, apperr.New(apperr.NotFound, "rounds.not_yet")
	}
	rd, err := s.opt.RoundsConsole.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return rd, err
	}
	role := sessionOf(r).Role
	if !canSeeRound(role, rd.Kind) || (manage && !canManageRound(role, rd.Kind)) {
		return rd, apperr.New(apperr.Forbidden, "err.out_of_scope")
	}
	return rd, nil
}

type placeRow struct {
	rounds.PlaceView
	Cutoff string // "" before allocation or when nobody was admitted
}

type roundData struct {
	O          rounds.Overview
	Places     []placeRow
	Refusals   []refusalRow
	CanManage  bool
	Steps      []string // the steps the round's status allows: open, close, allocate
	Publish    bool     // the 公示 list can be downloaded (publishing it first when allocated)
	Objections []objectionRow
	Answer     bool // unanswered objections may be answered: the officer runs the round and it is published
	// Finalize is shown for a published round: Ready when it may be made
	// final today, else Why it may not yet (translated).
	Finalize *finalizeState
	Error    string
	Draft    answerDraft // an answer refused, to show again
}

// objectionRow is an objection as the department sees it: who objected,
// masked, and the full text, which it has to answer.
type objectionRow struct {
	rounds.Objection
	Masked    string // the objector's ID number, masked
	FiledOn   string // China time
	DecidedOn string
}

type finalizeState struct {
	Ready bool
	Why   string
}

type answerDraft struct {
	Objection int
	Decision  string
	Reply     string
}

type refusalRow struct {
	Reason string
	N      int
}

func (s *server) roundData(r *http.Request, rd rounds.Round) (roundData, error) {
	o, err := s.opt.RoundsConsole.Show(r.Context(), rd.ID)
	if err != nil {
		return roundData{}, err
	}
	lang := langOf(r)
	d := roundData{O: o, CanManage: canManageRound(sessionOf(r).Role, rd.Kind)}
	for _, p := range o.Places {
		row := placeRow{PlaceView: p}
		if c := p.Cutoff; c != nil {
			row.Cutoff = s.cat.tr(lang, "rounds.cutoff_points", strconv.FormatFloat(c.Points, 'f', -1, 64))
			if c.InDistrict != nil {
				key := "rounds.out_district"
				if *c.InDistrict {
					key = "rounds.in_district"
				}
				row.Cutoff = s.cat.tr(lang, key) + " · " + row.Cutoff
			}
		}
		d.Places = append(d.Places, row)
	}
	for reason, n := range o.Refusals {
		d.Refusals = append(d.Refusals, refusalRow{reasonLabel(roundsLang(lang), reason), n})
	}
	switch o.Status {
	case rounds.Draft:
		d.Steps = []string{"open"}
	case rounds.Open:
		d.Steps = []string{"close"}
	case rounds.Closed:
		d.Steps = []string{"allocate"}
	}
	d.Publish = o.Status == rounds.Allocated || o.Status == rounds.Published || o.Status == rounds.Final
	if o.Status == rounds.Published || o.Status == rounds.Final {
		objs, err := s.opt.RoundsConsole.Objections(r.Context(), rd.ID)
		if err != nil {
			return roundData{}, err
		}
		for _, ob := range objs {
			row := objectionRow{Objection: ob, Masked: ident.MaskID(ob.Applicant), FiledOn: ob.At.In(chinaTime).Format("2006-01-02 15:04")}
			if ob.Answered() {
				row.DecidedOn = ob.DecidedAt.In(chinaTime).Format("2006-01-02 15:04")
			}
			d.Objections = append(d.Objections, row)
		}
	}
	if o.Status == rounds.Published {
		d.Answer = d.CanManage
		f := &finalizeState{}
		switch today := s.opt.RoundsConsole.Today(); {
		case today <= rd.WindowEnds:
			f.Why = s.cat.tr(lang, "round.finalize_window", rd.WindowEnds.String(), rd.WindowEnds.AddDays(1).String())
		case o.Unanswered > 0:
			f.Why = s.cat.tr(lang, "round.finalize_unanswered", o.Unanswered)
		default:
			f.Ready = true
		}
		d.Finalize = f
	}
	return d, nil
}

var verb = regexp.MustCompile(`%(\[\d+\])?[sd]`)

// reasonLabel is a refusal reason without its particulars, for counts.
func reasonLabel(lang rounds.Lang, key string) string {
	m, ok := rounds.Messages[key]
	if !ok {
		return key
	}
	return verb.ReplaceAllString(m[lang], "…")
}

// roundPage shows one round: status, dates, counts, places with their
// cutoffs once allocated, and the steps the officer may take.
func (s *server) roundPage(w http.ResponseWriter, r *http.Request) {
	rd, err := s.consoleRound(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.roundData(r, rd)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "round.html", "round.title", d)
}

// roundStep takes one step of a round: open, close, allocate or
// finalize. A step the round's state refuses shows the page again with
// the reason.
func (s *server) roundStep(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rd, err := s.consoleRound(r, true)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		c := s.opt.RoundsConsole
		switch step {
		case "open":
			_, err = c.Open(r.Context(), rd.ID, "")
		case "close":
			_, err = c.Close(r.Context(), rd.ID)
		case "allocate":
			_, err = c.Allocate(r.Context(), rd.ID)
		case "finalize":
			_, err = c.Finalize(r.Context(), rd.ID)
		}
		if err != nil {
			code := apperr.CodeOf(err)
			if code != apperr.Invalid && code != apperr.Conflict {
				s.fail(w, r, err)
				return
			}
			d, derr := s.roundData(r, rd)
			if derr != nil {
				s.fail(w, r, derr)
				return
			}
			d.Error = safeMessage(err)
			if f := d.Finalize; step == "finalize" && f != nil && !f.Ready {
				d.Error = f.Why // the same reason, in the reader's language
			}
			s.render(w, r, statusOf(code), "round.html", "round.title", d)
			return
		}
		s.act(r, "round_"+step, "round "+rd.ID)
		http.Redirect(w, r, "/officer/rounds/"+rd.ID, http.StatusSeeOther)
	}
}

// roundAnswer records the department's answer to objection {n} of a
// published round it runs: the decision (upheld or dismissed) and the
// reply, signed with the officer's name. A refused answer shows the page
// again with the reason and what was typed.
func (s *server) roundAnswer(w http.ResponseWriter, r *http.Request) {
	rd, err := s.consoleRound(r, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		s.fail(w, r, apperr.New(apperr.NotFound, "round.no_objection"))
		return
	}
	draft := answerDraft{Objection: n, Decision: r.PostFormValue("decision"), Reply: r.PostFormValue("reply")}
	err = answerError(s.opt.RoundsConsole.Answer(r.Context(), rounds.AnswerRequest{Round: rd.ID, Objection: n,
		Decision: rounds.Decision(draft.Decision), Reply: draft.Reply, By: sessionOf(r).Name}))
	if err != nil {
		code := apperr.CodeOf(err)
		if code != apperr.Invalid && code != apperr.Conflict && code != apperr.NotFound {
			s.fail(w, r, err)
			return
		}
		d, derr := s.roundData(r, rd)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		d.Error, d.Draft = safeMessage(err), draft
		s.render(w, r, statusOf(code), "round.html", "round.title", d)
		return
	}
	s.act(r, "round_answer", fmt.Sprintf("round %s, objection %d: %s", rd.ID, n, draft.Decision))
	http.Redirect(w, r, "/officer/rounds/"+rd.ID+"#objection-"+strconv.Itoa(n), http.StatusSeeOther)
}

// answerError gives the service's refusals of an answer catalogue keys.
func answerError(_ rounds.Objection, err error) error {
	switch apperr.CodeOf(err) {
	case apperr.Invalid:
		return apperr.Wrap(apperr.Invalid, err, "round.bad_answer")
	case apperr.NotFound:
		return apperr.Wrap(apperr.NotFound, err, "round.no_objection")
	case apperr.Conflict:
		return apperr.Wrap(apperr.Conflict, err, "round.answer_conflict")
	}
	return err
}

// roundPublication publishes an allocated round for objections (公示) and
// downloads the list, names and ID numbers masked, as CSV or XLSX; for a
// round already published it only downloads the list, which any officer
// who sees the round may do.
func (s *server) roundPublication(w http.ResponseWriter, r *http.Request) {
	rd, err := s.consoleRound(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rd.Status == rounds.Allocated && !canManageRound(sessionOf(r).Role, rd.Kind) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "err.out_of_scope"))
		return
	}
	format := r.PostFormValue("format")
	if format != "csv" && format != "xlsx" {
		s.fail(w, r, apperr.New(apperr.Invalid, "rounds.bad_format"))
		return
	}
	pub, err := s.opt.RoundsConsole.Publish(r.Context(), rd.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rd.Status == rounds.Allocated {
		s.act(r, "round_publish", "round "+rd.ID)
	}
	// The stored files, whose SHA-256 the ledger records.
	ct, data := "text/csv; charset=utf-8", pub.CSV
	if format == "xlsx" {
		ct, data = xlsxType, pub.XLSX
	}
	s.act(r, "round_list_download", fmt.Sprintf("round %s (%s, %d rows)", rd.ID, format, len(pub.Rows)))
	download(w, ct, rd.ID+"-publication."+format, data)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// roundExport downloads the round's self-contained export, which `rooted
// verify` checks; the download is audited as list downloads are.
func (s *server) roundExport(w http.ResponseWriter, r *http.Request) {
	rd, err := s.consoleRound(r, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := s.opt.RoundsConsole.Export(r.Context(), rd.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.act(r, "round_export_download", fmt.Sprintf("round %s (export, %d bytes)", rd.ID, len(data)))
	download(w, "application/json", rd.ID+"-export.json", data)
}

func download(w http.ResponseWriter, contentType, name string, data []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}
