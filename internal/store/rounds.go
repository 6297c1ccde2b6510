package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/calendar"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/rounds"
)

var _ rounds.Store = (*DB)(nil)

const roundColumns = `id, status, config, seed, seed_sha256, scheme_version, created_at, opened_on, closed_on, allocated_on, published_on, window_ends, final_on`

func scanRound(sc interface{ Scan(...any) error }) (rounds.Round, error) {
	var r rounds.Round
	var config, created string
	var status string
	err := sc.Scan(&r.ID, &status, &config, &r.Seed, &r.SeedSHA256, &r.SchemeVersion, &created,
		scanDate(&r.OpenedOn), scanDate(&r.ClosedOn), scanDate(&r.AllocatedOn), scanDate(&r.PublishedOn), scanDate(&r.WindowEnds), scanDate(&r.FinalOn))
	if err != nil {
		return r, err
	}
	id := r.ID
	if err := json.Unmarshal([]byte(config), &r.Config); err != nil {
		return r, fmt.Errorf("round %s: config: %w", id, err)
	}
	r.ID, r.Status = id, rounds.Status(status)
	r.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return r, nil
}

// CreateRound stores a new round and the first entry of its chain (see
// rounds.Store).
func (db *DB) CreateRound(ctx context.Context, r rounds.Round, first ledger.Draft) error {
	config, err := json.Marshal(r.Config)
	if err != nil {
		return fmt.Errorf("store: create round %s: %w", r.ID, err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.d.q(`INSERT INTO rounds (id, kind, status, config, created_at) VALUES ($1, $2, $3, $4, $5)`),
			r.ID, string(r.Kind), string(r.Status), string(config), r.CreatedAt.UTC().Format(time.RFC3339Nano))
		if err != nil {
			return err
		}
		return db.appendLedger(ctx, tx, r.ID, []ledger.Draft{first})
	})
	if isUniqueViolation(err) {
		return apperr.WrapE("store.round_create", apperr.Conflict, err, "error.round_exists", r.ID)
	}
	if err != nil {
		return fmt.Errorf("store: create round %s: %w", r.ID, err)
	}
	return nil
}

// Round returns one round with its seed, or not_found.
func (db *DB) Round(ctx context.Context, id string) (rounds.Round, error) {
	r, err := scanRound(db.sql.QueryRowContext(ctx, db.d.q(`SELECT `+roundColumns+` FROM rounds WHERE id = $1`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.E("store.round_get", apperr.NotFound, "error.round_not_found", id)
	}
	if err != nil {
		return r, fmt.Errorf("store: round %s: %w", id, err)
	}
	return r, nil
}

// Rounds returns every round, oldest first.
func (db *DB) Rounds(ctx context.Context) ([]rounds.Round, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+roundColumns+` FROM rounds ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: rounds: %w", err)
	}
	defer rows.Close()
	var rs []rounds.Round
	for rows.Next() {
		r, err := scanRound(rows)
		if err != nil {
			return nil, fmt.Errorf("store: rounds: %w", err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: rounds: %w", err)
	}
	return rs, nil
}

// Commit writes one step of a round in one transaction (see rounds.Store).
func (db *DB) Commit(ctx context.Context, id string, c rounds.Change) ([]rounds.Application, error) {
	var added []rounds.Application
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		added = added[:0]
		lock := `SELECT status FROM rounds WHERE id = $1`
		if db.d.engine == EnginePostgres {
			lock += ` FOR UPDATE` // one change of a round at a time
		}
		var status string
		err := tx.QueryRowContext(ctx, db.d.q(lock), id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.E("store.round_get", apperr.NotFound, "error.round_not_found", id)
		}
		if err != nil {
			return err
		}
		if rounds.Status(status) != c.From {
			return apperr.E("store.round_transition", apperr.Conflict, "error.round_status_changed", id, status, c.From)
		}
		if r := c.Round; r != nil {
			_, err := tx.ExecContext(ctx, db.d.q(`UPDATE rounds SET status = $2, seed = $3, seed_sha256 = $4, scheme_version = $5,
				opened_on = $6, closed_on = $7, allocated_on = $8, published_on = $9, window_ends = $10, final_on = $11 WHERE id = $1`),
				id, string(r.Status), r.Seed, r.SeedSHA256, r.SchemeVersion, db.d.date(r.OpenedOn), db.d.date(r.ClosedOn),
				db.d.date(r.AllocatedOn), db.d.date(r.PublishedOn), db.d.date(r.WindowEnds), db.d.date(r.FinalOn))
			if err != nil {
				return fmt.Errorf("update: %w", err)
			}
		}
		if len(c.Add) > 0 {
			var seq int
			if err := tx.QueryRowContext(ctx, db.d.q(`SELECT COALESCE(MAX(seq), 0) FROM round_applications WHERE round_id = $1`), id).Scan(&seq); err != nil {
				return err
			}
			stmt, err := tx.PrepareContext(ctx, db.d.q(`INSERT INTO round_applications (round_id, seq, number, applicant, applicant_name, child, child_name, subject,
				household, choices, applied_on, status, reason, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`))
			if err != nil {
				return err
			}
			defer stmt.Close()
			for _, a := range c.Add {
				seq++
				a.Round, a.Seq, a.Number = id, seq, fmt.Sprintf("A%05d", seq)
				_, err := stmt.ExecContext(ctx, id, a.Seq, a.Number, a.Applicant, a.ApplicantName, a.Child, a.ChildName, a.Subject(),
					a.Household, strings.Join(a.Choices, ","), db.d.date(a.AppliedOn), string(a.Status), a.Reason, a.Detail)
				if isUniqueViolation(err) {
					return apperr.WrapE("store.round_apply", apperr.Conflict, fmt.Errorf("%w: %w", rounds.ErrAlreadyApplied, err), "error.round_already_applied", id, ident.MaskID(a.Subject()))
				}
				if err != nil {
					return fmt.Errorf("application of %s: %w", ident.MaskID(a.Applicant), err)
				}
				added = append(added, a)
			}
		}
		if len(c.Update) > 0 {
			stmt, err := tx.PrepareContext(ctx, db.d.q(`UPDATE round_applications SET applicant_name = $3, child_name = $4, status = $5, reason = $6, detail = $7,
				points = $8, tiebreak = $9, district = $10, placed = $11, choice = $12, ticket = $13, wait_position = $14 WHERE round_id = $1 AND seq = $2`))
			if err != nil {
				return err
			}
			defer stmt.Close()
			for _, a := range c.Update {
				tb := ""
				if a.Tiebreak != nil {
					b, err := json.Marshal(a.Tiebreak)
					if err != nil {
						return fmt.Errorf("application %s: tiebreak: %w", a.Number, err)
					}
					tb = string(b)
				}
				ticket := ""
				if a.Ticket != 0 || a.Status == rounds.Accepted && a.Placed != "" {
					ticket = fmt.Sprintf("%016x", a.Ticket)
				}
				res, err := stmt.ExecContext(ctx, id, a.Seq, a.ApplicantName, a.ChildName, string(a.Status), a.Reason, a.Detail,
					a.Points, tb, a.District, a.Placed, a.Choice, ticket, a.WaitPosition)
				if err != nil {
					return fmt.Errorf("application %s: %w", a.Number, err)
				}
				if n, _ := res.RowsAffected(); n != 1 {
					return apperr.E("store.round_application", apperr.NotFound, "error.round_no_application_n", id, a.Seq)
				}
			}
		}
		if err := db.commitObjections(ctx, tx, id, c); err != nil {
			return err
		}
		for kind, body := range c.Documents {
			text, data := string(body), any(nil)
			if !isText(body) {
				text, data = "", body
			}
			if _, err := tx.ExecContext(ctx, db.d.q(`INSERT INTO round_documents (round_id, kind, sha256, body, data) VALUES ($1, $2, $3, $4, $5)`),
				id, kind, ledger.Digest(body), text, data); err != nil {
				if isUniqueViolation(err) {
					return apperr.WrapE("store.round_document_put", apperr.Conflict, err, "error.round_document_exists", id, kind)
				}
				return fmt.Errorf("document %s: %w", kind, err)
			}
		}
		return db.appendLedger(ctx, tx, id, c.Ledger)
	})
	if err != nil {
		if apperr.CodeOf(err) != apperr.Internal {
			return nil, err
		}
		return nil, fmt.Errorf("store: round %s: commit: %w", id, err)
	}
	return added, nil
}

const applicationColumns = `seq, number, applicant, applicant_name, child, child_name, household, choices, applied_on, status, reason, detail,
	points, tiebreak, district, placed, choice, ticket, wait_position`

// Applications returns the applications of a round, by seq.
func (db *DB) Applications(ctx context.Context, id string) ([]rounds.Application, error) {
	rows, err := db.sql.QueryContext(ctx, db.d.q(`SELECT `+applicationColumns+` FROM round_applications WHERE round_id = $1 ORDER BY seq`), id)
	if err != nil {
		return nil, fmt.Errorf("store: applications of %s: %w", id, err)
	}
	defer rows.Close()
	var as []rounds.Application
	for rows.Next() {
		a := rounds.Application{Round: id}
		var choices, status, tiebreak, ticket string
		if err := rows.Scan(&a.Seq, &a.Number, &a.Applicant, &a.ApplicantName, &a.Child, &a.ChildName, &a.Household, &choices,
			scanDate(&a.AppliedOn), &status, &a.Reason, &a.Detail, &a.Points, &tiebreak, &a.District, &a.Placed, &a.Choice, &ticket, &a.WaitPosition); err != nil {
			return nil, fmt.Errorf("store: applications of %s: %w", id, err)
		}
		a.Status = rounds.AppStatus(status)
		if choices != "" {
			a.Choices = strings.Split(choices, ",")
		}
		if tiebreak != "" {
			if err := json.Unmarshal([]byte(tiebreak), &a.Tiebreak); err != nil {
				return nil, fmt.Errorf("store: application %s of %s: tiebreak: %w", a.Number, id, err)
			}
		}
		if ticket != "" {
			if a.Ticket, err = strconv.ParseUint(ticket, 16, 64); err != nil {
				return nil, fmt.Errorf("store: application %s of %s: ticket: %w", a.Number, id, err)
			}
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: applications of %s: %w", id, err)
	}
	return as, nil
}

// commitObjections writes the objections and the answers of c, in tx (see
// rounds.Change). Objections are numbered in the order filed: one whose
// number is not the round's next was raced by another. An answer is
// written once: the update only touches an objection without one (and a
// trigger of migration 0007 refuses to change an answer).
func (db *DB) commitObjections(ctx context.Context, tx *sql.Tx, id string, c rounds.Change) error {
	if len(c.Objections) > 0 {
		var last int
		if err := tx.QueryRowContext(ctx, db.d.q(`SELECT COALESCE(MAX(seq), 0) FROM round_objections WHERE round_id = $1`), id).Scan(&last); err != nil {
			return fmt.Errorf("objections: %w", err)
		}
		for _, o := range c.Objections {
			if o.Seq != last+1 {
				return apperr.E("store.objection_add", apperr.Conflict, "error.objection_seq_race", id, o.Seq, last)
			}
			last++
			if _, err := tx.ExecContext(ctx, db.d.q(`INSERT INTO round_objections (round_id, seq, applicant, number, at, text) VALUES ($1, $2, $3, $4, $5, $6)`),
				id, o.Seq, o.Applicant, o.Number, ledger.FormatTime(o.At), o.Text); err != nil {
				return fmt.Errorf("objection %d: %w", o.Seq, err)
			}
		}
	}
	for _, o := range c.Decisions {
		res, err := tx.ExecContext(ctx, db.d.q(`UPDATE round_objections SET decision = $3, reply = $4, decided_by = $5, decided_at = $6
			WHERE round_id = $1 AND seq = $2 AND decision = ''`),
			id, o.Seq, string(o.Decision), o.Reply, o.DecidedBy, ledger.FormatTime(o.DecidedAt))
		if err != nil {
			return fmt.Errorf("answer to objection %d: %w", o.Seq, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			continue
		}
		var decision string
		err = tx.QueryRowContext(ctx, db.d.q(`SELECT decision FROM round_objections WHERE round_id = $1 AND seq = $2`), id, o.Seq).Scan(&decision)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return apperr.E("store.objection_answer", apperr.NotFound, "error.round_no_objection", id, o.Seq)
		case err != nil:
			return fmt.Errorf("answer to objection %d: %w", o.Seq, err)
		}
		return apperr.E("store.objection_answer", apperr.Conflict, "error.objection_answered", id, o.Seq, decision)
	}
	return nil
}

// Objections returns the objections of a round with their answers, by
// number (the order filed).
func (db *DB) Objections(ctx context.Context, id string) ([]rounds.Objection, error) {
	rows, err := db.sql.QueryContext(ctx, db.d.q(`SELECT seq, applicant, number, at, text, decision, reply, decided_by, decided_at
		FROM round_objections WHERE round_id = $1 ORDER BY seq, id`), id)
	if err != nil {
		return nil, fmt.Errorf("store: objections of %s: %w", id, err)
	}
	defer rows.Close()
	var os []rounds.Objection
	for rows.Next() {
		o := rounds.Objection{Round: id}
		var at, decision, decidedAt string
		if err := rows.Scan(&o.Seq, &o.Applicant, &o.Number, &at, &o.Text, &decision, &o.Reply, &o.DecidedBy, &decidedAt); err != nil {
			return nil, fmt.Errorf("store: objections of %s: %w", id, err)
		}
		o.At, _ = time.Parse(time.RFC3339Nano, at)
		o.Decision = rounds.Decision(decision)
		if decidedAt != "" {
			o.DecidedAt, _ = time.Parse(time.RFC3339Nano, decidedAt)
		}
		os = append(os, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: objections of %s: %w", id, err)
	}
	return os, nil
}

// Document returns a stored document of a round, or not_found.
func (db *DB) Document(ctx context.Context, id, kind string) ([]byte, error) {
	var text, sum string
	var data []byte
	err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT body, data, sha256 FROM round_documents WHERE round_id = $1 AND kind = $2`), id, kind).Scan(&text, &data, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.E("store.round_document_get", apperr.NotFound, "error.round_no_document", id, kind)
	}
	if err != nil {
		return nil, fmt.Errorf("store: round %s: document %s: %w", id, kind, err)
	}
	body := []byte(text)
	if len(data) > 0 { // binary documents are never empty
		body = data
	}
	if ledger.Digest(body) != sum {
		return nil, apperr.E("store.round_document_get", apperr.Internal, "error.round_document_digest", id, kind)
	}
	return body, nil
}

// isText reports whether a document can be kept in a TEXT column on both
// engines: UTF-8 without NUL (PostgreSQL's text refuses NUL).
func isText(b []byte) bool {
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

// Guardians returns the registered guardians of child (persons of the
// registry), by ID number.
func (db *DB) Guardians(ctx context.Context, child string) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, db.d.q(`SELECT g.guardian FROM guardians g JOIN persons p ON p.id_number = g.guardian
		WHERE g.child = $1 ORDER BY g.guardian`), child)
	if err != nil {
		return nil, fmt.Errorf("store: guardians of %s: %w", ident.MaskID(child), err)
	}
	defer rows.Close()
	var gs []string
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return nil, fmt.Errorf("store: guardians of %s: %w", ident.MaskID(child), err)
		}
		gs = append(gs, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: guardians of %s: %w", ident.MaskID(child), err)
	}
	return gs, nil
}

// CalendarYears returns the holiday notices stored by officers, by year.
func (db *DB) CalendarYears(ctx context.Context) ([]calendar.Year, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT year, body FROM calendar_years ORDER BY year`)
	if err != nil {
		return nil, fmt.Errorf("store: calendar: %w", err)
	}
	defer rows.Close()
	var ys []calendar.Year
	for rows.Next() {
		var year int
		var body string
		if err := rows.Scan(&year, &body); err != nil {
			return nil, fmt.Errorf("store: calendar: %w", err)
		}
		got, err := calendar.ParseYears("calendar_years "+strconv.Itoa(year), []byte(body))
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		ys = append(ys, got...)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: calendar: %w", err)
	}
	return ys, nil
}

// PutCalendarYear stores (or replaces) one year's notice.
func (db *DB) PutCalendarYear(ctx context.Context, y calendar.Year) error {
	_, err := db.sql.ExecContext(ctx, db.d.q(`INSERT INTO calendar_years (year, notice, body, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (year) DO UPDATE SET notice = excluded.notice, body = excluded.body, updated_at = excluded.updated_at`),
		y.Year, y.Notice, string(y.Encode()), time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("store: calendar %d: %w", y.Year, err)
	}
	return nil
}

var _ registry.PointsStore = (*DB)(nil)
