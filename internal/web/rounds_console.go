package web

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/rounds"
)

// The officer console's rounds pages, and pageRep: how the rounds
// operations (rounds_ops.go) read forms and answer with pages. Every step
// is a POST form, so http.CrossOriginProtection guards it.

// safeMessage is the message of err that may be shown, in the reader's
// language: an application error's message, else the generic text of its
// status.
func safeMessage(r *http.Request, err error) string {
	if m, ok := apperr.Render(err, msg.Parse(langOf(r))); ok {
		return m
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
	d := roundsData{Service: s.opt.Rounds != nil, Year: s.opt.Today().Year()}
	if !d.Service {
		return d, nil
	}
	role := sessionOf(r).Role
	for _, k := range rounds.Kinds {
		if canManageRound(role, k) {
			d.Kinds = append(d.Kinds, k)
		}
	}
	rs, err := s.seenRounds(r)
	if err != nil {
		return d, err
	}
	for _, rd := range rs {
		row := roundRow{Round: rd, CanManage: canManageRound(role, rd.Kind)}
		if row.Status == rounds.Published {
			objs, err := s.opt.Rounds.Objections(r.Context(), row.ID)
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

// pageRep is how the console's and portal's forms and pages speak for the
// rounds operations.
type pageRep struct{ s *server }

func (pageRep) audit() []any { return nil }

// createInput reads the creation form. The service checks the rest.
func (p pageRep) createInput(_ http.ResponseWriter, r *http.Request) (rounds.CreateRequest, error) {
	if p.s.opt.Rounds == nil {
		return rounds.CreateRequest{}, apperr.E("round.create", apperr.NotFound, "rounds.not_yet")
	}
	kind := rounds.Kind(r.PostFormValue("kind"))
	if err := mayCreate(r, kind); err != nil {
		return rounds.CreateRequest{}, err
	}
	req := rounds.CreateRequest{Kind: kind, Name: strings.TrimSpace(r.PostFormValue("name")), Town: strings.TrimSpace(r.PostFormValue("town"))}
	if v := strings.TrimSpace(r.PostFormValue("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil {
			return req, apperr.E("round.create", apperr.Invalid, "rounds.bad_year")
		}
		req.Year = y
	}
	if v := strings.TrimSpace(r.PostFormValue("closes")); v != "" {
		d, err := date.Parse(v)
		if err != nil {
			return req, apperr.E("round.create", apperr.Invalid, "rounds.bad_closes")
		}
		req.ClosesOn = d
	}
	if v := strings.TrimSpace(r.PostFormValue("seat_share")); v != "" && !kind.Housing() {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return req, apperr.E("round.create", apperr.Invalid, "rounds.bad_share")
		}
		req.SeatShare = f
	}
	if v := strings.TrimSpace(r.PostFormValue("units")); v != "" && kind.Housing() {
		req.Units = map[string]int{}
		for _, p := range strings.Split(v, ",") {
			k, n, ok := strings.Cut(strings.TrimSpace(p), "=")
			units, err := strconv.Atoi(strings.TrimSpace(n))
			if !ok || err != nil {
				return req, apperr.E("round.create", apperr.Invalid, "rounds.bad_units")
			}
			req.Units[strings.TrimSpace(k)] = units
		}
	}
	return req, nil
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
	Objections []rounds.Objection
	Answer     bool // unanswered objections may be answered: the officer runs the round and it is published
	// Finalize is shown for a published round: Ready when it may be made
	// final today, else Why it may not yet (translated).
	Finalize *finalizeState
	Error    string
	Draft    answerDraft // an answer refused, to show again
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
	o, err := s.opt.Rounds.Show(r.Context(), rd.ID)
	if err != nil {
		return roundData{}, err
	}
	lang := langOf(r)
	d := roundData{O: o, CanManage: canManageRound(sessionOf(r).Role, rd.Kind)}
	for _, p := range o.Places {
		row := placeRow{PlaceView: p}
		if c := p.Cutoff; c != nil {
			row.Cutoff = msg.T(msg.Parse(lang), "rounds.cutoff_points", strconv.FormatFloat(c.Points, 'f', -1, 64))
			if c.InDistrict != nil {
				key := "rounds.out_district"
				if *c.InDistrict {
					key = "rounds.in_district"
				}
				row.Cutoff = msg.T(msg.Parse(lang), key) + " · " + row.Cutoff
			}
		}
		d.Places = append(d.Places, row)
	}
	for reason, n := range o.Refusals {
		d.Refusals = append(d.Refusals, refusalRow{reasonLabel(msg.Parse(lang), reason), n})
	}
	// Publishing and finalizing have their own forms on the page.
	d.Steps = slices.DeleteFunc(nextSteps(o.Status), func(step string) bool { return step == "publish" || step == "finalize" })
	d.Publish = o.Status == rounds.Allocated || o.Status == rounds.Published || o.Status == rounds.Final
	if o.Status == rounds.Published || o.Status == rounds.Final {
		objs, err := s.opt.Rounds.Objections(r.Context(), rd.ID)
		if err != nil {
			return roundData{}, err
		}
		d.Objections = objs
	}
	if o.Status == rounds.Published {
		d.Answer = d.CanManage
		f := &finalizeState{}
		switch today := s.opt.Rounds.Today(); {
		case today <= rd.WindowEnds:
			f.Why = msg.T(msg.Parse(lang), "round.finalize_window", rd.WindowEnds.String(), rd.WindowEnds.AddDays(1).String())
		case o.Unanswered > 0:
			f.Why = msg.T(msg.Parse(lang), "round.finalize_unanswered", o.Unanswered)
		default:
			f.Ready = true
		}
		d.Finalize = f
	}
	return d, nil
}

var verb = regexp.MustCompile(`%(\[\d+\])?[sd]`)

// reasonLabel is a refusal reason without its particulars, for counts.
func reasonLabel(lang msg.Lang, key string) string {
	f, ok := msg.Format(lang, msg.Key("result.", key))
	if !ok {
		return key
	}
	return verb.ReplaceAllString(f, "…")
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

// roundPageAgain shows round rd's page again with status and the reason
// of err, a refused step or answer; edit adds what else the page shows
// again.
func (s *server) roundPageAgain(w http.ResponseWriter, r *http.Request, rd rounds.Round, status int, err error, edit func(*roundData)) {
	d, derr := s.roundData(r, rd)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	d.Error = safeMessage(r, err)
	edit(&d)
	s.render(w, r, status, "round.html", "round.title", d)
}

// answerInput reads the answer form; a number that is not one is an
// objection the round does not have.
func (pageRep) answerInput(_ http.ResponseWriter, r *http.Request, _ rounds.Round) (rounds.AnswerRequest, error) {
	n, ok := objectionNumber(r)
	if !ok {
		return rounds.AnswerRequest{}, apperr.E("round.answer", apperr.NotFound, "round.no_objection")
	}
	return rounds.AnswerRequest{Objection: n, Decision: rounds.Decision(r.PostFormValue("decision")), Reply: r.PostFormValue("reply")}, nil
}

func (p pageRep) refuse(w http.ResponseWriter, r *http.Request, err error, again func(status int, err error), codes ...string) {
	code := apperr.CodeOf(err)
	if !slices.Contains(codes, code) {
		p.s.fail(w, r, err)
		return
	}
	again(statusOf(code), err)
}

// stepped, created and answered show the round's page (at the answer).
func (pageRep) stepped(w http.ResponseWriter, r *http.Request, rd rounds.Round, _ string, _ any) {
	http.Redirect(w, r, "/officer/rounds/"+rd.ID, http.StatusSeeOther)
}

func (pageRep) created(w http.ResponseWriter, r *http.Request, rd rounds.Round) {
	http.Redirect(w, r, "/officer/rounds/"+rd.ID, http.StatusSeeOther)
}

func (pageRep) answered(w http.ResponseWriter, r *http.Request, rd rounds.Round, o rounds.Objection) {
	http.Redirect(w, r, "/officer/rounds/"+rd.ID+"#objection-"+strconv.Itoa(o.Seq), http.StatusSeeOther)
}

// exported downloads the export as a file.
func (pageRep) exported(w http.ResponseWriter, _ *http.Request, rd rounds.Round, data []byte) {
	download(w, "application/json", rd.ID+"-export.json", data)
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
		s.fail(w, r, apperr.E("round.publication", apperr.Forbidden, "err.out_of_scope"))
		return
	}
	format := r.PostFormValue("format")
	if format != "csv" && format != "xlsx" {
		s.fail(w, r, apperr.E("round.publication", apperr.Invalid, "rounds.bad_format"))
		return
	}
	pub, err := s.opt.Rounds.Publish(r.Context(), rd.ID)
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

func download(w http.ResponseWriter, contentType, name string, data []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}
