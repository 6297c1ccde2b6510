package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/registry"
)

// This file keeps sign-in (auth.Store: officer accounts, sessions, the
// audit log; migration 0004_auth), the state of sign-in limits and
// one-time codes (auth.SignInStore; migration 0006_signin) and the few
// reads the officer console needs beyond registry.PointsStore (person
// search, the latest scores, a demo guardian). Instants are stored as
// Unix milliseconds.

var (
	_ auth.Store       = (*DB)(nil)
	_ auth.SignInStore = (*DB)(nil)
)

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// isUniqueViolation reports whether err is a UNIQUE constraint failure on
// either engine.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "duplicate key")
}

// CreateUser stores u (see auth.Store); its ID and Created are set here.
func (db *DB) CreateUser(ctx context.Context, u auth.User) (auth.User, error) {
	if err := u.Validate(); err != nil {
		return u, err
	}
	u.Created = time.Now().UTC().Truncate(time.Millisecond)
	err := db.sql.QueryRowContext(ctx, db.d.q(`INSERT INTO users (name, role, password_hash, created_at, disabled) VALUES ($1, $2, $3, $4, $5) RETURNING id`),
		u.Name, string(u.Role), u.PasswordHash, millis(u.Created), u.Disabled).Scan(&u.ID)
	if isUniqueViolation(err) {
		return u, apperr.WrapE("store.user_add", apperr.Conflict, err, "error.user_exists", u.Name)
	}
	if err != nil {
		return u, fmt.Errorf("store: create user %s: %w", u.Name, err)
	}
	return u, nil
}

const userColumns = `id, name, role, password_hash, created_at, disabled`

func scanUser(sc interface{ Scan(...any) error }) (auth.User, error) {
	var (
		u       auth.User
		role    string
		created int64
	)
	err := sc.Scan(&u.ID, &u.Name, &role, &u.PasswordHash, &created, &u.Disabled)
	u.Role, u.Created = auth.Role(role), fromMillis(created)
	return u, err
}

// UserByName returns the account named name, or not_found.
func (db *DB) UserByName(ctx context.Context, name string) (auth.User, error) {
	u, err := scanUser(db.sql.QueryRowContext(ctx, db.d.q(`SELECT `+userColumns+` FROM users WHERE name = $1`), name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.WrapE("store.user_get", apperr.NotFound, err, "error.user_not_found_any")
	}
	if err != nil {
		return u, fmt.Errorf("store: user: %w", err)
	}
	return u, nil
}

// Users returns every account, by name.
func (db *DB) Users(ctx context.Context) ([]auth.User, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	var us []auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: users: %w", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	return us, nil
}

// SetPassword replaces the password hash of the account named name.
func (db *DB) SetPassword(ctx context.Context, name, hash string) error {
	res, err := db.sql.ExecContext(ctx, db.d.q(`UPDATE users SET password_hash = $1 WHERE name = $2`), hash, name)
	if err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.E("store.user_update", apperr.NotFound, "error.user_not_found", name)
	}
	return nil
}

// CreateSession stores s, keyed by its token hash.
func (db *DB) CreateSession(ctx context.Context, s auth.Session) error {
	_, err := db.sql.ExecContext(ctx, db.d.q(`INSERT INTO sessions (token_sha256, kind, user_id, name, role, subject, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`),
		s.Hash, s.Kind, s.UserID, s.Name, string(s.Role), s.Subject, millis(s.Created), millis(s.Expires))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// Session returns the unexpired session whose token hashes to hash, or
// not_found.
func (db *DB) Session(ctx context.Context, hash string, now time.Time) (auth.Session, error) {
	s := auth.Session{Hash: hash}
	var role string
	var created, expires int64
	err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT kind, user_id, name, role, subject, created_at, expires_at
		FROM sessions WHERE token_sha256 = $1 AND expires_at > $2`), hash, millis(now)).
		Scan(&s.Kind, &s.UserID, &s.Name, &role, &s.Subject, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return s, apperr.WrapE("store.session_get", apperr.NotFound, err, "error.session_not_found")
	}
	if err != nil {
		return s, fmt.Errorf("store: session: %w", err)
	}
	s.Role, s.Created, s.Expires = auth.Role(role), fromMillis(created), fromMillis(expires)
	return s, nil
}

// DeleteSession removes the session keyed by hash, if any, and bumps the
// auth generation (AuthGeneration) in the same transaction when there was
// one, so that every server forgets it.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.d.q(`DELETE FROM sessions WHERE token_sha256 = $1`), hash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return bumpAuthGeneration(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions expired by now.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.sql.ExecContext(ctx, db.d.q(`DELETE FROM sessions WHERE expires_at <= $1`), millis(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// AppendAudit appends e to the audit log. It needs a reason (why) or an
// object (what); an entry about a person (a subject) needs a reason.
func (db *DB) AppendAudit(ctx context.Context, e auth.AuditEntry) error {
	reason, object := strings.TrimSpace(e.Reason), strings.TrimSpace(e.Object)
	if reason == "" && (object == "" || e.Subject != "") {
		return apperr.E("store.audit_append", apperr.Invalid, "error.audit_needs_reason")
	}
	_, err := db.sql.ExecContext(ctx, db.d.q(`INSERT INTO audit_log (at, actor, role, action, subject, reason, object, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`),
		millis(e.At), e.Actor, string(e.Role), e.Action, e.Subject, e.Reason, e.Object, e.IP)
	if err != nil {
		return fmt.Errorf("store: append audit (%s %s): %w", e.Action, ident.MaskID(e.Subject), err)
	}
	return nil
}

// Audit returns the latest limit entries, newest first.
func (db *DB) Audit(ctx context.Context, limit int) ([]auth.AuditEntry, error) {
	rows, err := db.sql.QueryContext(ctx, db.d.q(`SELECT at, actor, role, action, subject, reason, object, ip FROM audit_log ORDER BY at DESC, id DESC LIMIT $1`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	defer rows.Close()
	var out []auth.AuditEntry
	for rows.Next() {
		var (
			e    auth.AuditEntry
			at   int64
			role string
		)
		if err := rows.Scan(&at, &e.Actor, &role, &e.Action, &e.Subject, &e.Reason, &e.Object, &e.IP); err != nil {
			return nil, fmt.Errorf("store: audit: %w", err)
		}
		e.At, e.Role = fromMillis(at), auth.Role(role)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	return out, nil
}

// The step of auth.LimitStore's AddLimitEvent on an existing
// signin_limits row, in terms of the row's old values: $2 is now, $6 the
// start of the oldest window still open (now - Window), $7 Max.
const (
	limitLocked = `signin_limits.locked_until > $2`
	limitFresh  = `signin_limits.window_start <= $6`
	limitEvents = `(CASE WHEN ` + limitFresh + ` THEN 1 ELSE signin_limits.events + 1 END)`
	limitLock   = limitEvents + ` >= $7`
)

// addLimitEvent inserts a key's first event ($3 events, $4 locked_until,
// $5 expires_at, worked out in Go) or applies the step to its row, in one
// statement: concurrent events each count once on both engines. $8 is the
// end of a lockout starting now, $9 and $10 the expiry of the row when it
// locks or when its window restarts.
var addLimitEvent = `INSERT INTO signin_limits (key_sha256, window_start, events, locked_until, expires_at)
	VALUES ($1, $2, $3, $4, $5)
	ON CONFLICT (key_sha256) DO UPDATE SET
	events = CASE WHEN ` + limitLocked + ` THEN signin_limits.events
		WHEN ` + limitLock + ` THEN 0
		ELSE ` + limitEvents + ` END,
	window_start = CASE WHEN ` + limitLocked + ` THEN signin_limits.window_start
		WHEN ` + limitLock + ` OR ` + limitFresh + ` THEN $2
		ELSE signin_limits.window_start END,
	locked_until = CASE WHEN ` + limitLocked + ` THEN signin_limits.locked_until
		WHEN ` + limitLock + ` THEN $8
		ELSE signin_limits.locked_until END,
	expires_at = CASE WHEN ` + limitLocked + ` THEN signin_limits.expires_at
		WHEN ` + limitLock + ` THEN $9
		WHEN ` + limitFresh + ` THEN $10
		ELSE signin_limits.expires_at END
	RETURNING locked_until`

// AddLimitEvent records one event for key at now under rule, atomically
// (see auth.LimitStore), and returns the end of key's lockout.
func (db *DB) AddLimitEvent(ctx context.Context, key string, now time.Time, rule auth.LimitRule) (time.Time, error) {
	at := millis(now)
	lockEnd := at + rule.Lockout.Milliseconds()
	windowEnd := at + rule.Window.Milliseconds()
	lockExpires := max(lockEnd, windowEnd)
	// A first event: a window starting now with it, or a lockout when
	// one event is all Max allows.
	events, locked, expires := int64(1), int64(0), windowEnd
	if rule.Max <= 1 {
		events, locked, expires = 0, lockEnd, lockExpires
	}
	var until int64
	err := db.sql.QueryRowContext(ctx, db.d.q(addLimitEvent),
		key, at, events, locked, expires, at-rule.Window.Milliseconds(), rule.Max, lockEnd, lockExpires, windowEnd).Scan(&until)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: add limit event: %w", err)
	}
	return fromMillis(until), nil
}

// LimitLockedUntil returns the end of key's lockout: the zero time for an
// unknown key.
func (db *DB) LimitLockedUntil(ctx context.Context, key string) (time.Time, error) {
	var until int64
	err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT locked_until FROM signin_limits WHERE key_sha256 = $1`), key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: limit: %w", err)
	}
	return fromMillis(until), nil
}

// ResetLimit forgets key.
func (db *DB) ResetLimit(ctx context.Context, key string) error {
	if _, err := db.sql.ExecContext(ctx, db.d.q(`DELETE FROM signin_limits WHERE key_sha256 = $1`), key); err != nil {
		return fmt.Errorf("store: reset limit: %w", err)
	}
	return nil
}

// PutCode stores c as its subject's pending code, replacing any earlier
// one.
func (db *DB) PutCode(ctx context.Context, c auth.PendingCode) error {
	_, err := db.sql.ExecContext(ctx, db.d.q(`INSERT INTO signin_codes (subject_hmac, code_hmac, issued_at, expires_at, tries)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (subject_hmac) DO UPDATE SET code_hmac = excluded.code_hmac,
			issued_at = excluded.issued_at, expires_at = excluded.expires_at, tries = excluded.tries`),
		c.Subject, c.MAC, millis(c.Issued), millis(c.Expires), c.Tries)
	if err != nil {
		return fmt.Errorf("store: put code: %w", err)
	}
	return nil
}

// TryCode spends one try of subject's pending code and returns it, or
// not_found when it has none unexpired at now with fewer than maxTries
// tries (see auth.CodeStore). The try is counted by the statement that
// checks the limit, so concurrent tries from any server never exceed it.
func (db *DB) TryCode(ctx context.Context, subject string, now time.Time, maxTries int) (auth.PendingCode, error) {
	c := auth.PendingCode{Subject: subject}
	var issued, expires int64
	err := db.sql.QueryRowContext(ctx, db.d.q(`UPDATE signin_codes SET tries = tries + 1
		WHERE subject_hmac = $1 AND expires_at > $2 AND tries < $3
		RETURNING code_hmac, issued_at, expires_at, tries`), subject, millis(now), maxTries).
		Scan(&c.MAC, &issued, &expires, &c.Tries)
	if errors.Is(err, sql.ErrNoRows) {
		// Nothing to try: drop what is left of a void code.
		if _, err := db.sql.ExecContext(ctx, db.d.q(`DELETE FROM signin_codes WHERE subject_hmac = $1 AND (expires_at <= $2 OR tries >= $3)`),
			subject, millis(now), maxTries); err != nil {
			return c, fmt.Errorf("store: try code: %w", err)
		}
		return c, apperr.WrapE("store.code_get", apperr.NotFound, err, "error.no_pending_code")
	}
	if err != nil {
		return c, fmt.Errorf("store: try code: %w", err)
	}
	c.Issued, c.Expires = fromMillis(issued), fromMillis(expires)
	return c, nil
}

// TakeCode removes subject's pending code if its MAC is mac, and reports
// whether it did.
func (db *DB) TakeCode(ctx context.Context, subject, mac string) (bool, error) {
	res, err := db.sql.ExecContext(ctx, db.d.q(`DELETE FROM signin_codes WHERE subject_hmac = $1 AND code_hmac = $2`), subject, mac)
	if err != nil {
		return false, fmt.Errorf("store: take code: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: take code: %w", err)
	}
	return n == 1, nil
}

// PurgeSignIn removes the limits and codes expired by now and returns how
// many.
func (db *DB) PurgeSignIn(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, table := range []string{"signin_limits", "signin_codes"} {
		res, err := db.sql.ExecContext(ctx, db.d.q(`DELETE FROM `+table+` WHERE expires_at <= $1`), millis(now))
		if err != nil {
			return total, fmt.Errorf("store: purge %s: %w", table, err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	// The per-minute counts of failures are kept a day.
	res, err := db.sql.ExecContext(ctx, db.d.q(`DELETE FROM signin_failure_minutes WHERE minute < $1`), now.Add(-24*time.Hour).Unix()/60)
	if err != nil {
		return total, fmt.Errorf("store: purge signin_failure_minutes: %w", err)
	}
	n, _ := res.RowsAffected()
	return total + n, nil
}

// SearchPersons finds at most limit persons, by ID number: those whose
// number ends with q when q is 4–18 digits (or X); else by name: those
// whose name contains q. Results are ordered by ID number. The caller masks
// what it shows.
func (db *DB) SearchPersons(ctx context.Context, q string, limit int) ([]registry.Person, error) {
	q = strings.ToUpper(strings.TrimSpace(q))
	if q == "" {
		return nil, apperr.E("store.search", apperr.Invalid, "error.search_empty")
	}
	// LIKE wildcards in q would widen the search; they are not part of an
	// ID number or a name.
	if strings.ContainsAny(q, `%_\`) {
		return nil, apperr.E("store.search", apperr.Invalid, "error.search_wildcard")
	}
	where, arg := `name LIKE $1`, "%"+q+"%"
	if isIDSuffix(q) {
		where, arg = `id_number LIKE $1`, "%"+q
	}
	rows, err := db.sql.QueryContext(ctx, db.d.q(`SELECT `+personColumns+` FROM persons WHERE `+where+` ORDER BY id_number LIMIT $2`), arg, limit)
	if err != nil {
		return nil, fmt.Errorf("store: search persons: %w", err)
	}
	defer rows.Close()
	var out []registry.Person
	for rows.Next() {
		var p registry.Person
		if err := rows.Scan(personRow(&p)...); err != nil {
			return nil, fmt.Errorf("store: search persons: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search persons: %w", err)
	}
	return out, nil
}

func isIDSuffix(q string) bool {
	if len(q) < 4 || len(q) > 18 {
		return false
	}
	for i, c := range q {
		digit := c >= '0' && c <= '9'
		checkX := c == 'X' && i == len(q)-1 // only the last character may be X
		if !digit && !checkX {
			return false
		}
	}
	return true
}

// LatestScores calls fn with every record of the latest scoring day in the
// scores table (the largest as_of), with its scheme, version, total and
// eligibility JSON. It calls nothing when no score is stored. fn's error
// stops it and is returned unwrapped.
func (db *DB) LatestScores(ctx context.Context, fn func(scheme, version string, asOf date.Date, total float64, eligible string) error) error {
	var latest date.Date
	if err := db.sql.QueryRowContext(ctx, `SELECT MAX(as_of) FROM scores`).Scan(scanDate(&latest)); err != nil {
		return fmt.Errorf("store: latest scores: %w", err)
	}
	if latest.IsZero() {
		return nil
	}
	rows, err := db.sql.QueryContext(ctx, db.d.q(`SELECT scheme, version, total, eligible FROM scores WHERE as_of = $1`), db.d.date(latest))
	if err != nil {
		return fmt.Errorf("store: latest scores: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			scheme, version, eligible string
			total                     float64
		)
		if err := rows.Scan(&scheme, &version, &total, &eligible); err != nil {
			return fmt.Errorf("store: latest scores: %w", err)
		}
		if err := fn(scheme, version, latest, total, eligible); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: latest scores: %w", err)
	}
	return nil
}

// DemoGuardian returns the ID number of a guardian of a registered child
// born between bornFrom and bornTo (inclusive), the smallest such number,
// for the demo's citizen account; not_found when there is none.
func (db *DB) DemoGuardian(ctx context.Context, bornFrom, bornTo date.Date) (string, error) {
	var id string
	err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT g.guardian FROM guardians g JOIN persons c ON c.id_number = g.child
		WHERE c.birth_date >= $1 AND c.birth_date <= $2 ORDER BY g.guardian LIMIT 1`), db.d.date(bornFrom), db.d.date(bornTo)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.WrapE("store.guardian_of_child", apperr.NotFound, err, "error.no_guardian", bornFrom, bornTo)
	}
	if err != nil {
		return "", fmt.Errorf("store: demo guardian: %w", err)
	}
	return id, nil
}
