package rounds

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/msg"
)

// Objections during the 公示 window, the department's answers, and
// finalisation (see the package comment).

// Today returns the day the service takes steps on: the date of its clock
// in China Standard Time.
func (s *Service) Today() date.Date { return s.today() }

// WindowOpen reports whether r takes objections today: it is published,
// and today is from its publication day through WindowEnds.
func (s *Service) WindowOpen(r Round) bool {
	today := s.today()
	return r.Status == Published && today >= r.PublishedOn && today <= r.WindowEnds
}

// ObjectRequest is an objection to a published round.
type ObjectRequest struct {
	Round string
	// Applicant is the ID number of who objects: the applicant of the
	// application, or a registered guardian of its child.
	Applicant string
	// Number is the application objected about; "" for the applicant's
	// own (first) application in the round.
	Number string
	// Text is the objection, 1 to MaxObjectionText characters once
	// trimmed.
	Text string
}

// Object records an objection of applicant (ID number) to their own
// application in a published round (see FileObjection).
func (s *Service) Object(ctx context.Context, id, applicant, text string) (Objection, error) {
	return s.FileObjection(ctx, ObjectRequest{Round: id, Applicant: applicant, Text: text})
}

// FileObjection records an objection during the round's window (from the
// publication day through WindowEnds), numbered the next of the round, and
// its digest in the ledger. Outside the window it is refused with a
// forbidden error, and so is an objection about an application that is
// neither the objector's nor for a child they are a registered guardian
// of. An objector without an application in the round, or an unknown
// application number, is not_found; an empty text or one of more than
// MaxObjectionText characters is invalid; a round never published is a
// conflict, and so is an objection filed at the same moment as another
// (try again).
func (s *Service) FileObjection(ctx context.Context, req ObjectRequest) (Objection, error) {
	id := req.Round
	r, err := s.round(ctx, id, "object to", Published, Final)
	if err != nil {
		return Objection{}, err
	}
	today := s.today()
	if r.Status == Final || today > r.WindowEnds {
		return Objection{}, apperr.E("round.object", apperr.Forbidden, "error.window_closed", id, r.WindowEnds)
	}
	if today < r.PublishedOn {
		return Objection{}, apperr.E("round.object", apperr.Forbidden, "error.window_not_open", id, r.PublishedOn)
	}
	text, ok := objectionText(req.Text)
	if !ok {
		return Objection{}, apperr.E("round.object", apperr.Invalid, "error.objection_text_length", id, MaxObjectionText)
	}
	applicant := strings.TrimSpace(req.Applicant)
	apps, err := s.Store.Applications(ctx, id)
	if err != nil {
		return Objection{}, err
	}
	var app *Application
	for i := range apps {
		a := &apps[i]
		if req.Number == "" && a.Applicant == applicant || req.Number != "" && a.Number == req.Number {
			app = a
			break
		}
	}
	switch {
	case app == nil && req.Number == "":
		return Objection{}, apperr.E("round.object", apperr.NotFound, "error.no_application_of", id, ident.MaskID(applicant))
	case app == nil:
		return Objection{}, apperr.E("round.object", apperr.NotFound, "error.round_no_application", id, req.Number)
	case app.Applicant != applicant:
		mine := false
		if app.Child != "" {
			guardians, err := s.Store.Guardians(ctx, app.Child)
			if err != nil {
				return Objection{}, err
			}
			mine = slices.Contains(guardians, applicant)
		}
		if !mine {
			return Objection{}, apperr.E("round.object", apperr.Forbidden, "error.not_own_application", id, app.Number, ident.MaskID(applicant))
		}
	}
	objs, err := s.Store.Objections(ctx, id)
	if err != nil {
		return Objection{}, err
	}
	o := Objection{Round: id, Seq: len(objs) + 1, Applicant: applicant, Number: app.Number, At: s.now().UTC(), Text: text}
	payload := jsonObject("objection", o.Seq, "number", o.Number, "at", ledger.FormatTime(o.At), "text_sha256", ledger.Digest([]byte(text)))
	if _, err := s.Store.Commit(ctx, id, Change{From: Published, Objections: []Objection{o},
		Ledger: []ledger.Draft{{Kind: EntryObjection, At: o.At, Payload: payload}}}); err != nil {
		return Objection{}, err
	}
	return o, nil
}

// objectionText trims an objection or a reply and reports whether it has
// 1 to MaxObjectionText characters of valid UTF-8.
func objectionText(text string) (string, bool) {
	text = strings.TrimSpace(text)
	return text, text != "" && utf8.ValidString(text) && utf8.RuneCountInString(text) <= MaxObjectionText
}

// Objections returns the objections of a round with their answers, in the
// order filed (not_found for an unknown round). They hold the objectors'
// ID numbers and texts: callers show them to the department only.
func (s *Service) Objections(ctx context.Context, id string) ([]Objection, error) {
	if _, err := s.Store.Round(ctx, id); err != nil {
		return nil, err
	}
	return s.Store.Objections(ctx, id)
}

// AnswerRequest is the department's answer to an objection.
type AnswerRequest struct {
	Round     string
	Objection int // the objection's number (Objection.Seq)
	Decision  Decision
	Reply     string // 1 to MaxObjectionText characters once trimmed: why, and what the department will do
	By        string // who answers: the officer's user name; required
}

// Answer records the department's answer to an objection of a published
// round, during its window or after it, and the answer's digest in the
// ledger (the reply itself stays in the database, like the objection's
// text). An objection is answered once: a second answer is a conflict, as
// is an answer to a round that is not published (a final round has
// every objection answered). An unknown objection is not_found; a
// decision other than upheld or dismissed, a reply empty or longer than
// MaxObjectionText characters, or no By is invalid. An upheld objection
// changes no result (see the package comment).
func (s *Service) Answer(ctx context.Context, req AnswerRequest) (Objection, error) {
	id := req.Round
	bad := func(key string, args ...any) (Objection, error) {
		return Objection{}, apperr.E("round.answer", apperr.Invalid, "error.answer_invalid", id, req.Objection, msg.M{Key: key, Args: args})
	}
	if !req.Decision.Valid() {
		return bad("error.answer_decision", req.Decision)
	}
	reply, ok := objectionText(req.Reply)
	if !ok {
		return bad("error.answer_reply_length", MaxObjectionText)
	}
	by := strings.TrimSpace(req.By)
	if by == "" {
		return bad("error.answer_who")
	}
	if _, err := s.round(ctx, id, "answer an objection to", Published); err != nil {
		return Objection{}, err
	}
	objs, err := s.Store.Objections(ctx, id)
	if err != nil {
		return Objection{}, err
	}
	i := slices.IndexFunc(objs, func(o Objection) bool { return o.Seq == req.Objection })
	if i < 0 {
		return Objection{}, apperr.E("round.answer", apperr.NotFound, "error.round_no_objection", id, req.Objection)
	}
	o := objs[i]
	if o.Answered() {
		return Objection{}, apperr.E("round.answer", apperr.Conflict, "error.objection_answered_on", id, o.Seq, o.DecidedAt.In(cst).Format("2006-01-02"), o.Decision)
	}
	o.Decision, o.Reply, o.DecidedBy, o.DecidedAt = req.Decision, reply, by, s.now().UTC()
	payload := jsonObject("objection", o.Seq, "number", o.Number, "decision", string(o.Decision), "at", ledger.FormatTime(o.DecidedAt),
		"reply_sha256", ledger.Digest([]byte(reply)))
	if _, err := s.Store.Commit(ctx, id, Change{From: Published, Decisions: []Objection{o},
		Ledger: []ledger.Draft{{Kind: EntryDecision, At: o.DecidedAt, Payload: payload}}}); err != nil {
		return Objection{}, err
	}
	return o, nil
}

// Finalize makes a published round final once its objection window has
// ended and every objection is answered: before the window ends it is a
// conflict saying until when, and so while objections wait for an answer
// (the error says how many).
func (s *Service) Finalize(ctx context.Context, id string) (Round, error) {
	r, err := s.round(ctx, id, "finalize", Published)
	if err != nil {
		return Round{}, err
	}
	today := s.today()
	if today <= r.WindowEnds {
		return Round{}, apperr.E("round.finalize", apperr.Conflict, "error.finalize_window", id, r.WindowDays, r.WindowEnds, r.WindowEnds+1)
	}
	objs, err := s.Store.Objections(ctx, id)
	if err != nil {
		return Round{}, err
	}
	var upheld, dismissed, open int
	for _, o := range objs {
		switch o.Decision {
		case Upheld:
			upheld++
		case Dismissed:
			dismissed++
		default:
			open++
		}
	}
	if open > 0 {
		return Round{}, apperr.E("round.finalize", apperr.Conflict, "error.finalize_unanswered", id, open, len(objs))
	}
	r.Status, r.FinalOn = Final, today
	payload := jsonObject("final_on", today.String(), "objections", len(objs), "upheld", upheld, "dismissed", dismissed)
	if _, err := s.Store.Commit(ctx, id, Change{From: Published, Round: &r,
		Ledger: []ledger.Draft{{Kind: EntryFinal, At: s.now(), Payload: payload}}}); err != nil {
		return Round{}, err
	}
	return r, nil
}

// checkObjections checks what a chain says about objections, beyond the
// hashes that ledger.Verify checks: each objection entry numbered by its
// position (when it says); each answer about an objection filed before it
// and not answered yet, about that objection's application, upheld or
// dismissed, with a reply digest, before the round was made final; and a
// final entry that counts answers (chains since objections are answered)
// made with every objection answered, counting what the chain holds.
func checkObjections(rep *Report, entries []ledger.Entry) {
	type filed struct {
		number   string
		decision string // "" until answered; "?" when answered with an invalid decision
	}
	var objs []filed
	var upheld, dismissed int
	final := false
	for i := range entries {
		e := &entries[i]
		if e.Kind != EntryObjection && e.Kind != EntryDecision && e.Kind != EntryFinal {
			continue
		}
		where := fmt.Sprintf("ledger[%d] (seq %d, %s)", i, e.Seq, e.Kind)
		var m map[string]any
		if err := json.Unmarshal(e.Payload, &m); err != nil || m == nil {
			rep.add(where, "the payload is not a JSON object")
			continue
		}
		number, _ := m["number"].(string)
		switch e.Kind {
		case EntryObjection:
			objs = append(objs, filed{number: number})
			if n, ok := m["objection"]; ok && !isInt(n, len(objs)) {
				rep.add(where, "objection number %v, want %d (its position among the objections)", n, len(objs))
			}
			if final {
				rep.add(where, "an objection filed after the round was made final")
			}
		case EntryDecision:
			n, ok := intOf(m["objection"])
			if !ok || n < 1 || n > len(objs) {
				rep.add(where, "answers objection %v, which was not filed before it", m["objection"])
				continue
			}
			o := &objs[n-1]
			if o.decision != "" {
				rep.add(where, "answers objection %d a second time", n)
			}
			if number != o.number {
				rep.add(where, "is about application %q; objection %d was about %q", number, n, o.number)
			}
			d, _ := m["decision"].(string)
			switch Decision(d) {
			case Upheld:
				upheld++
			case Dismissed:
				dismissed++
			default:
				rep.add(where, "decision %q: want upheld or dismissed", d)
				d = "?"
			}
			if o.decision == "" {
				o.decision = d
			}
			if sum, _ := m["reply_sha256"].(string); !isDigest(sum) {
				rep.add(where, "reply_sha256 %q is not a SHA-256", sum)
			}
			if final {
				rep.add(where, "an answer recorded after the round was made final")
			}
		case EntryFinal:
			final = true
			if _, counts := m["upheld"]; !counts {
				continue // recorded before objections were answered
			}
			open := 0
			for _, o := range objs {
				if o.decision == "" {
					open++
				}
			}
			if open > 0 {
				rep.add(where, "the round was made final with %d of %d objections not answered", open, len(objs))
			}
			if !isInt(m["objections"], len(objs)) || !isInt(m["upheld"], upheld) || !isInt(m["dismissed"], dismissed) {
				rep.add(where, "records %v objections (%v upheld, %v dismissed); the chain has %d (%d upheld, %d dismissed)",
					m["objections"], m["upheld"], m["dismissed"], len(objs), upheld, dismissed)
			}
		}
	}
	rep.Objections, rep.Upheld, rep.Dismissed = len(objs), upheld, dismissed
}

// intOf returns v, a decoded JSON number, as an int when it is one.
func intOf(v any) (int, bool) {
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

func isInt(v any, want int) bool {
	n, ok := intOf(v)
	return ok && n == want
}

// isDigest reports whether s is a hex SHA-256.
func isDigest(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32 && strings.ToLower(s) == s
}
