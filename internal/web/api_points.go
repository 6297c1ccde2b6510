package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/policy"
)

// maxScoreBody bounds the body of POST /api/v1/score: one person's facts
// are well under a kilobyte.
const maxScoreBody = 64 << 10

// asOfLang reads the optional as_of (YYYY-MM-DD, default today) and lang
// (zh or en, default zh) query parameters.
func (s *server) asOfLang(r *http.Request) (date.Date, msg.Lang, error) {
	asOf := s.opt.Today()
	if v := r.URL.Query().Get("as_of"); v != "" {
		d, err := date.Parse(v)
		if err != nil {
			return 0, "", apperr.WrapE("web.api_points", apperr.Invalid, err, "error.api_as_of")
		}
		asOf = d
	}
	lang := msg.ZH
	switch v := r.URL.Query().Get("lang"); v {
	case "", "zh":
	case "en":
		lang = msg.EN
	default:
		return 0, "", apperr.E("web.api_points", apperr.Invalid, "error.api_lang")
	}
	return asOf, lang, nil
}

// apiScore scores one person's facts, sent as the contract's input object
// (shared/contracts/points.md), and answers the contract's result object —
// exactly what `rooted score` gives for that line. Nothing is stored or
// looked up: the caller's facts are all there is.
func (s *server) apiScore(w http.ResponseWriter, r *http.Request) {
	asOf, lang, err := s.asOfLang(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxScoreBody))
	if err != nil {
		s.fail(w, r, apperr.WrapE("web.api_score", apperr.Invalid, err, "error.api_body_unreadable", maxScoreBody))
		return
	}
	var line bytes.Buffer
	if err := json.Compact(&line, body); err != nil || !bytes.HasPrefix(line.Bytes(), []byte("{")) {
		s.fail(w, r, apperr.WrapE("web.api_score", apperr.Invalid, err, "error.api_body_facts"))
		return
	}
	v, err := s.opt.Scheme.Version(asOf)
	if err != nil {
		s.fail(w, r, apperr.WrapE("web.api_score", apperr.Invalid, err, "error.no_scheme_version", s.opt.Scheme.Name, asOf))
		return
	}
	line.WriteByte('\n')
	var out bytes.Buffer
	if _, err := v.ScoreJSONL(r.Context(), &line, &out, policy.ScoreOptions{AsOf: asOf, Lang: lang, Workers: 1}); err != nil {
		s.fail(w, r, err)
		return
	}
	var bad struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(out.Bytes(), &bad); err != nil {
		s.fail(w, r, err)
		return
	}
	if bad.Error != nil {
		// The scorer's own error text (the scheme's or the facts' problem) is data.
		s.fail(w, r, apperr.E("web.api_score", apperr.Invalid, "error.text", *bad.Error))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(out.Bytes())
}

// apiPersonPoints explains one person's points as of a day (as_of, lang
// query parameters) and what would raise them; the ID number is masked in
// the answer.
func (s *server) apiPersonPoints(w http.ResponseWriter, r *http.Request) {
	asOf, lang, err := s.asOfLang(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ex, err := s.explain(r.Context(), strings.ToUpper(strings.TrimSpace(r.PathValue("id"))), asOf, lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ex)
}
