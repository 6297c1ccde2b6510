package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/registry"
)

// historyChunk is how many persons ForEachHistory reads per round (a
// variable so that tests can cross chunk boundaries with a few rows).
var historyChunk = 5000

// historyReader reads the histories of a chunk of persons inside a
// transaction: the persons first, then each related table over the ID range
// of the chunk, one ordered query per table, every result set closed before
// the next query (PostgreSQL allows one open query per transaction).
// UpdatePermits reads the parts the permit rule needs; full adds insurance,
// facts and children for the points derivation.
type historyReader struct {
	d     dialect
	tx    querier // a transaction, or a connection inside one
	chunk int     // persons per round
	full  bool    // also read Insurance, Facts and Children
}

// after returns the histories of up to r.chunk persons whose ID number sorts
// after after, in ID order.
func (r historyReader) after(ctx context.Context, after string) ([]registry.PersonHistory, error) {
	return r.read(ctx, `SELECT `+personColumns+` FROM persons WHERE id_number > $1 ORDER BY id_number LIMIT $2`, after, r.chunk)
}

// read returns the histories of the persons query selects (personColumns,
// in ID order).
func (r historyReader) read(ctx context.Context, persons string, args ...any) ([]registry.PersonHistory, error) {
	var hs []registry.PersonHistory
	err := r.each(ctx, persons, args, func(rows *sql.Rows) error {
		var h registry.PersonHistory
		if err := rows.Scan(personRow(&h.Person)...); err != nil {
			return err
		}
		hs = append(hs, h)
		return nil
	})
	if err != nil || len(hs) == 0 {
		return hs, err
	}
	lo, hi := hs[0].Person.IDNumber, hs[len(hs)-1].Person.IDNumber
	index := make(map[string]*registry.PersonHistory, len(hs))
	for i := range hs {
		index[hs[i].Person.IDNumber] = &hs[i]
	}
	span := []any{lo, hi}

	err = r.each(ctx, `SELECT id_number, town, address, since, until, kind, source FROM residences
		WHERE id_number BETWEEN $1 AND $2 ORDER BY id_number, since, address`, span, func(rows *sql.Rows) error {
		var x registry.Residence
		if err := rows.Scan(&x.IDNumber, &x.Town, &x.Address, scanDate(&x.Since), scanDate(&x.Until), &x.Kind, &x.Source); err != nil {
			return err
		}
		if h := index[x.IDNumber]; h != nil {
			h.Residences = append(h.Residences, x)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("residences: %w", err)
	}

	err = r.each(ctx, `SELECT id_number, employer_uscc, employer_name, since, until, contract FROM jobs
		WHERE id_number BETWEEN $1 AND $2 ORDER BY id_number, since, employer_uscc`, span, func(rows *sql.Rows) error {
		var x registry.Job
		if err := rows.Scan(&x.IDNumber, &x.EmployerUSCC, &x.EmployerName, scanDate(&x.Since), scanDate(&x.Until), &x.Contract); err != nil {
			return err
		}
		if h := index[x.IDNumber]; h != nil {
			h.Jobs = append(h.Jobs, x)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}

	err = r.each(ctx, `SELECT DISTINCT g.child FROM guardians g JOIN persons gp ON gp.id_number = g.guardian
		WHERE g.child BETWEEN $1 AND $2`, span, func(rows *sql.Rows) error {
		var child string
		if err := rows.Scan(&child); err != nil {
			return err
		}
		if h := index[child]; h != nil {
			h.HasGuardian = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("guardians: %w", err)
	}

	err = r.each(ctx, `SELECT number, id_number, town, issued_on, valid_to, status, lapsed_on, updated_on FROM permits
		WHERE id_number BETWEEN $1 AND $2 ORDER BY id_number, issued_on, number`, span, func(rows *sql.Rows) error {
		var x registry.Permit
		if err := rows.Scan(&x.Number, &x.IDNumber, &x.Town, scanDate(&x.IssuedOn), scanDate(&x.ValidTo), &x.Status, scanDate(&x.LapsedOn), scanDate(&x.UpdatedOn)); err != nil {
			return err
		}
		if h := index[x.IDNumber]; h != nil {
			h.Permits = append(h.Permits, x)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("permits: %w", err)
	}
	if !r.full {
		return hs, nil
	}

	err = r.each(ctx, `SELECT id_number, kind, from_month, to_month, employer_uscc FROM insurance
		WHERE id_number BETWEEN $1 AND $2 ORDER BY id_number, kind, from_month`, span, func(rows *sql.Rows) error {
		var x registry.Insurance
		if err := rows.Scan(&x.IDNumber, &x.Kind, scanDate(&x.From), scanDate(&x.To), &x.EmployerUSCC); err != nil {
			return err
		}
		if h := index[x.IDNumber]; h != nil {
			h.Insurance = append(h.Insurance, x)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("insurance: %w", err)
	}

	err = r.each(ctx, `SELECT id_number, kind, date, value FROM facts
		WHERE id_number BETWEEN $1 AND $2 ORDER BY id_number, kind, date`, span, func(rows *sql.Rows) error {
		var x registry.Fact
		if err := rows.Scan(&x.IDNumber, &x.Kind, scanDate(&x.Date), &x.Value); err != nil {
			return err
		}
		if h := index[x.IDNumber]; h != nil {
			h.Facts = append(h.Facts, x)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("facts: %w", err)
	}

	err = r.each(ctx, `SELECT g.guardian, c.id_number, c.name, c.phone, c.education, c.hukou_type, c.birth_date, c.sex, c.origin
		FROM guardians g JOIN persons c ON c.id_number = g.child
		WHERE g.guardian BETWEEN $1 AND $2 ORDER BY g.guardian, c.id_number`, span, func(rows *sql.Rows) error {
		var guardian string
		var c registry.Person
		if err := rows.Scan(append([]any{&guardian}, personRow(&c)...)...); err != nil {
			return err
		}
		if h := index[guardian]; h != nil {
			h.Children = append(h.Children, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("children: %w", err)
	}
	return hs, nil
}

// each runs query and calls fn per row, closing the rows before it returns
// (PostgreSQL allows no other statement on the transaction meanwhile).
func (r historyReader) each(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := r.tx.QueryContext(ctx, r.d.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// querier is what a historyReader reads through.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readTx begins a read-only transaction: a snapshot of the registry that
// does not block writers. On SQLite a read-only transaction is a deferred
// BEGIN (not the immediate one that takes the write lock), so that a
// ScoreBatch may write while ForEachHistory reads; WAL keeps the reader's
// snapshot. On PostgreSQL, REPEATABLE READ keeps one snapshot across the
// chunks.
func (db *DB) readTx(ctx context.Context) (*sql.Tx, error) {
	opt := &sql.TxOptions{ReadOnly: true}
	if db.d.engine == EnginePostgres {
		opt.Isolation = sql.LevelRepeatableRead
	}
	return db.sql.BeginTx(ctx, opt)
}

// ForEachHistory calls fn with every person's full history in ID order (see
// registry.PointsStore). fn's error is returned unwrapped.
func (db *DB) ForEachHistory(ctx context.Context, fn func(registry.PersonHistory) error) error {
	tx, err := db.readTx(ctx)
	if err != nil {
		return fmt.Errorf("store: histories: %w", err)
	}
	defer tx.Rollback()
	r := historyReader{d: db.d, tx: tx, chunk: historyChunk, full: true}
	after := ""
	for {
		hs, err := r.after(ctx, after)
		if err != nil {
			return fmt.Errorf("store: histories: %w", err)
		}
		for i := range hs {
			if err := fn(hs[i]); err != nil {
				return err
			}
		}
		if len(hs) < r.chunk {
			return nil
		}
		after = hs[len(hs)-1].Person.IDNumber
	}
}

// History returns the full history of the person with ID number id, or an
// *apperr.Error with code not_found.
func (db *DB) History(ctx context.Context, id string) (registry.PersonHistory, error) {
	tx, err := db.readTx(ctx)
	if err != nil {
		return registry.PersonHistory{}, fmt.Errorf("store: history %s: %w", ident.MaskID(id), err)
	}
	defer tx.Rollback()
	r := historyReader{d: db.d, tx: tx, chunk: 1, full: true}
	hs, err := r.read(ctx, `SELECT `+personColumns+` FROM persons WHERE id_number = $1`, id)
	if err != nil {
		return registry.PersonHistory{}, fmt.Errorf("store: history %s: %w", ident.MaskID(id), err)
	}
	if len(hs) == 0 {
		return registry.PersonHistory{}, apperr.WrapE("store.person_history", apperr.NotFound, errors.New("no such person"), "error.person_not_found", ident.MaskID(id))
	}
	return hs[0], nil
}
