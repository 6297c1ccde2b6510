package web

import (
	"context"
	"net/http"
	"time"

	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
)

// act records an officer's action — a step of a round, an import, a
// download of a list — in the audit log (who, when, what, on what, from
// where) and in the server log. The action is done: a failure to record it
// is logged as an error, not answered.
func (s *server) act(r *http.Request, action, object string, args ...any) {
	sess := sessionOf(r)
	e := auth.AuditEntry{At: s.opt.Now(), Actor: sess.Name, Role: sess.Role, Action: action, Object: object, IP: s.clientIP(r)}
	if err := s.st.AppendAudit(context.WithoutCancel(r.Context()), e); err != nil {
		s.opt.Logger.Error("recording an officer's action in the audit log", "action", action, "object", object, "err", err)
	}
	s.opt.Logger.Info(action, append([]any{"user", sess.Name, "object", object}, args...)...)
}

type auditRow struct {
	auth.AuditEntry
	Masked string
	When   string
}

func (s *server) auditPage(w http.ResponseWriter, r *http.Request) {
	es, err := s.st.Audit(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]auditRow, len(es))
	for i, e := range es {
		rows[i] = auditRow{AuditEntry: e, When: e.At.In(chinaTime).Format("2006-01-02 15:04:05")}
		if e.Subject != "" {
			rows[i].Masked = ident.MaskID(e.Subject)
		}
	}
	act, err := s.codeCap.Activity(r.Context(), s.opt.Now().Add(-time.Hour))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "audit.html", "audit.title", auditData{Rows: rows, SignIn: act})
}

// auditData is the audit page: the log, and the failed citizen sign-ins
// of the last hour, counted (a mass attempt across many ID numbers shows
// there; no account is named).
type auditData struct {
	Rows   []auditRow
	SignIn auth.SignInActivity
}

var chinaTime = date.CST
