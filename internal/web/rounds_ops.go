package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/rounds"
)

// The operations on a round that the console and the API both offer, one
// handler each. A handler does the work once — the round read with its
// department checked, the service called, the audit log written — and
// reads its input and writes its answer through out, which the route
// table chooses.

// A roundsRep is how an operation reads its input and writes its answer.
type roundsRep interface {
	// audit is what the operations add to their audit log entries.
	audit() []any
	// createInput reads a round creation; answerInput the answer to
	// objection n of rd.
	createInput(w http.ResponseWriter, r *http.Request) (rounds.CreateRequest, error)
	answerInput(w http.ResponseWriter, r *http.Request, rd rounds.Round) (rounds.AnswerRequest, error)
	// refuse answers an operation refused with err. Pages show the form
	// again through again for the codes listed (with the reason, in the
	// reader's language) and the error page otherwise; the API answers
	// every refusal as the error it is.
	refuse(w http.ResponseWriter, r *http.Request, err error, again func(status int, err error), codes ...string)
	// The answers of operations done.
	stepped(w http.ResponseWriter, r *http.Request, rd rounds.Round, step string, result any)
	created(w http.ResponseWriter, r *http.Request, rd rounds.Round)
	answered(w http.ResponseWriter, r *http.Request, rd rounds.Round, o rounds.Objection)
	exported(w http.ResponseWriter, r *http.Request, rd rounds.Round, data []byte)

	// The citizen's operations. applyInput reads an application of the
	// family h's and the language of a refusal; objectInput an objection
	// (without who objects) and which names the application of the
	// family's list it is about.
	applyInput(w http.ResponseWriter, r *http.Request, h registry.PersonHistory) (rounds.ApplyRequest, string, error)
	applied(w http.ResponseWriter, r *http.Request, req rounds.ApplyRequest, lang string)
	objectInput(w http.ResponseWriter, r *http.Request) (rounds.ObjectRequest, error)
	which(req rounds.ObjectRequest, list []rounds.PersonApplication) (string, error)
	objected(w http.ResponseWriter, r *http.Request, o rounds.Objection)
}

// runStep takes step (open, close, allocate, publish or finalize) of round
// id and returns what the service answers.
func (s *server) runStep(ctx context.Context, id, step string) (any, error) {
	c := s.opt.Rounds
	switch step {
	case "open":
		return c.Open(ctx, id, "")
	case "close":
		return c.Close(ctx, id)
	case "allocate":
		return c.Allocate(ctx, id)
	case "publish":
		return c.Publish(ctx, id)
	case "finalize":
		return c.Finalize(ctx, id)
	}
	return nil, apperr.E("round.step", apperr.Internal, "error.round_no_step", id, step)
}

// roundStep takes one step of a round the officer runs. Pages show a
// step the round's state refuses on the round's page again, with the
// reason.
func (s *server) roundStep(step string, out roundsRep) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rd, err := s.consoleRound(r, true)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		result, err := s.runStep(r.Context(), rd.ID, step)
		if err != nil {
			out.refuse(w, r, err, func(status int, err error) {
				s.roundPageAgain(w, r, rd, status, err, func(d *roundData) {
					if f := d.Finalize; step == "finalize" && f != nil && !f.Ready {
						d.Error = f.Why // the same reason, in the reader's language
					}
				})
			}, apperr.Invalid, apperr.Conflict)
			return
		}
		// Publishing a round already published changes nothing: the audit
		// log records changes (and downloads), once.
		if step != "publish" || rd.Status == rounds.Allocated {
			s.act(r, "round_"+step, "round "+rd.ID, out.audit()...)
		}
		out.stepped(w, r, rd, step, result)
	}
}

// roundCreate creates a round in draft, of a kind the officer runs.
func (s *server) roundCreate(out roundsRep) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, err := out.createInput(w, r)
		var rd rounds.Round
		if err == nil {
			rd, err = s.opt.Rounds.Create(r.Context(), req)
		}
		if err != nil {
			out.refuse(w, r, err, func(status int, err error) {
				d, derr := s.roundsData(r)
				if derr != nil {
					s.fail(w, r, derr)
					return
				}
				d.Error = safeMessage(r, err)
				s.render(w, r, status, "rounds.html", "rounds.title", d)
			}, apperr.Invalid, apperr.Conflict)
			return
		}
		s.act(r, "round_create", "round "+rd.ID, append([]any{"kind", rd.Kind}, out.audit()...)...)
		out.created(w, r, rd)
	}
}

// mayCreate checks that the officer runs rounds of kind, when it is a
// kind (the service refuses any other).
func mayCreate(r *http.Request, kind rounds.Kind) error {
	if kind.Valid() && !canManageRound(sessionOf(r).Role, kind) {
		return apperr.E("round.create", apperr.Forbidden, "err.out_of_scope")
	}
	return nil
}

// roundAnswer records the department's answer to objection {n} of a
// published round it runs, signed with the officer's name. Pages show a
// refused answer on the round's page again, with the reason and what was
// typed.
func (s *server) roundAnswer(out roundsRep) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rd, err := s.consoleRound(r, true)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		req, err := out.answerInput(w, r, rd)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		req.Round, req.By = rd.ID, sessionOf(r).Name
		o, err := s.opt.Rounds.Answer(r.Context(), req)
		if err != nil {
			out.refuse(w, r, err, func(status int, err error) {
				s.roundPageAgain(w, r, rd, status, answerError(err), func(d *roundData) {
					d.Draft = answerDraft{Objection: req.Objection, Decision: string(req.Decision), Reply: req.Reply}
				})
			}, apperr.Invalid, apperr.Conflict, apperr.NotFound)
			return
		}
		s.act(r, "round_answer", fmt.Sprintf("round %s, objection %d: %s", rd.ID, req.Objection, o.Decision), out.audit()...)
		out.answered(w, r, rd, o)
	}
}

// answerError gives the service's refusals of an answer catalogue keys.
func answerError(err error) error {
	switch apperr.CodeOf(err) {
	case apperr.Invalid:
		return apperr.WrapE("round.answer", apperr.Invalid, err, "round.bad_answer")
	case apperr.NotFound:
		return apperr.WrapE("round.answer", apperr.NotFound, err, "round.no_objection")
	case apperr.Conflict:
		return apperr.WrapE("round.answer", apperr.Conflict, err, "round.answer_conflict")
	}
	return err
}

// roundExport answers the round's self-contained export, byte for byte
// as `rooted verify` checks it; the download is audited as list downloads
// are.
func (s *server) roundExport(out roundsRep) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rd, err := s.consoleRound(r, false)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data, err := s.opt.Rounds.Export(r.Context(), rd.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.act(r, "round_export_download", fmt.Sprintf("round %s (export, %d bytes)", rd.ID, len(data)), out.audit()...)
		out.exported(w, r, rd, data)
	}
}

// roundApply records the signed-in citizen's application to a round, for
// themself (housing) or one of their own registered children (school): a
// child of anyone else is forbidden. Pages show an application refused —
// by the registry at once (it is recorded as refused), a second one for
// the same person, one to a round not open — on the apply page again,
// saying why.
func (s *server) roundApply(out roundsRep) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opt.Rounds == nil {
			s.fail(w, r, apperr.E("round.apply", apperr.NotFound, "apply.none_open"))
			return
		}
		h, err := s.family(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		req, lang, err := out.applyInput(w, r, h)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.applyFor(r.Context(), req, lang); err != nil {
			out.refuse(w, r, err, func(status int, err error) {
				d, _, derr := s.applyData(r)
				if derr != nil {
					s.fail(w, r, derr)
					return
				}
				d.Error = safeMessage(r, err)
				s.render(w, r, status, "apply.html", "apply.title", d)
			}, apperr.Invalid, apperr.Conflict)
			return
		}
		out.applied(w, r, req, lang)
	}
}

// roundObject files the signed-in citizen's objection to one of the
// family's applications in a round in its 公示 window: their own, or one
// made for a child registered as theirs, by them or by the child's other
// guardian. Pages show an objection the service refuses (outside the
// window, the text) on the applications page again, with the reason and
// the text typed.
func (s *server) roundObject(out roundsRep) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, err := out.objectInput(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h, list, err := s.familyApplications(r, langOf(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		req.Applicant = h.Person.IDNumber
		if req.Number, err = out.which(req, list); err != nil {
			s.fail(w, r, err)
			return
		}
		o, err := s.fileObjection(r.Context(), req)
		if err != nil {
			out.refuse(w, r, err, func(status int, err error) {
				d := applicationsData{Service: true, List: list, Error: safeMessage(r, err), Draft: req}
				s.render(w, r, status, "applications.html", "applications.title", d)
			}, apperr.Invalid, apperr.Forbidden, apperr.Conflict)
			return
		}
		s.opt.Logger.Info("objection filed", append([]any{"round", req.Round, "application", req.Number, "objection", o.Seq}, out.audit()...)...)
		out.objected(w, r, o)
	}
}

// applyFor submits a citizen's application. One the registry refuses at
// once (the child's age, not a guardian…) is recorded by the service as
// refused and comes back as an invalid error saying why in lang; a second
// application for the same person, or one to a round no longer open, is
// a conflict.
func (s *server) applyFor(ctx context.Context, req rounds.ApplyRequest, lang string) error {
	if len(req.Choices) == 0 {
		return apperr.E("round.apply", apperr.Invalid, "apply.no_choice")
	}
	got, err := s.opt.Rounds.Apply(ctx, req)
	switch {
	case apperr.Is(err, apperr.Conflict):
		return apperr.WrapE("round.apply", apperr.Conflict, err, "apply.conflict")
	case err != nil:
		return err
	case got.Status == rounds.Refused:
		l := msg.Parse(lang)
		outs, err := s.opt.Rounds.Results(ctx, got.Round, got.Applicant, l)
		if err != nil {
			return err
		}
		for _, o := range outs {
			if o.Number == got.Number && len(o.Text) > 0 {
				// The outcome's text is rendered already, in the language asked for.
				return apperr.E("round.apply", apperr.Invalid, "error.text", o.Text[0])
			}
		}
		return apperr.E("round.apply", apperr.Invalid, "error.text", rounds.T(l, got.Reason))
	}
	return nil
}

// addChoices appends the place codes, trimmed, to choices, leaving out
// those empty or there already.
func addChoices(choices []string, codes ...string) []string {
	for _, c := range codes {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(choices, c) {
			choices = append(choices, c)
		}
	}
	return choices
}

// fileObjection files a citizen's objection, after checking that the
// round's window is open (the service checks again, in its transaction).
// The service's refusals come back with catalogue keys: forbidden outside
// the window (objection.window_closed), invalid for a text empty or too
// long (objection.bad_text), conflict when another objection was filed at
// the same moment (objection.busy).
func (s *server) fileObjection(ctx context.Context, req rounds.ObjectRequest) (rounds.Objection, error) {
	c := s.opt.Rounds
	rd, err := c.Get(ctx, req.Round)
	if err != nil {
		return rounds.Objection{}, err
	}
	if !c.WindowOpen(rd) {
		return rounds.Objection{}, apperr.E("round.object", apperr.Forbidden, "objection.window_closed")
	}
	o, err := c.FileObjection(ctx, req)
	switch code := apperr.CodeOf(err); {
	case err == nil:
		return o, nil
	case code == apperr.Invalid:
		return o, apperr.WrapE("round.object", code, err, "objection.bad_text")
	case code == apperr.Conflict:
		return o, apperr.WrapE("round.object", code, err, "objection.busy")
	case code == apperr.Forbidden && !c.WindowOpen(rd):
		return o, apperr.WrapE("round.object", code, err, "objection.window_closed")
	case code == apperr.Forbidden:
		return o, apperr.WrapE("round.object", code, err, "err.not_your_application")
	}
	return o, err
}
