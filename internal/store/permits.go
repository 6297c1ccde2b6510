package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/newcitizens/rooted/internal/registry"
)

// permitChunk is how many persons UpdatePermits reads per round (a variable
// so that tests can cross chunk boundaries with a few rows).
var permitChunk = 5000

var eventsTable = &table{name: "permit_events", key: []string{"permit", "id_number", "kind", "on_date", "reason"}, appendOnly: true}

// UpdatePermits runs decide for every person, in ID order, in one
// transaction (see registry.Store). Each round reads up to permitChunk
// persons by keyset, then their residences (by since), jobs (by since),
// guardian links (HasGuardian: a guardian who is a registered person) and
// permits (oldest first), with every result set closed before decide runs
// and before anything is written. The permits decide returns are upserted
// by number (an identical permit is left untouched); its events are
// appended. progress, if not nil, is called after each round with the
// number of persons done. Any error rolls the whole run back.
func (db *DB) UpdatePermits(ctx context.Context, decide func(registry.PersonHistory) registry.PermitChange, progress func(done int)) (registry.PermitSummary, error) {
	var sum registry.PermitSummary
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return sum, fmt.Errorf("store: update permits: %w", err)
	}
	defer tx.Rollback()

	permits := newWriter(tx, db.d, permitsTable)
	events := newEventWriter(tx, db.d)
	defer permits.close()
	defer events.close()

	r := permitReader{d: db.d, tx: tx}
	after := ""
	for {
		hs, err := r.chunk(ctx, after)
		if err != nil {
			return sum, fmt.Errorf("store: update permits: %w", err)
		}
		if len(hs) == 0 {
			break
		}
		for i := range hs {
			ch := decide(hs[i])
			for _, p := range ch.Permits {
				d := db.d
				err := permits.add(ctx, p.Number, p.IDNumber, p.Town, d.date(p.IssuedOn), d.date(p.ValidTo), p.Status, d.date(p.LapsedOn), d.date(p.UpdatedOn))
				if err != nil {
					return sum, fmt.Errorf("store: update permits: %w", err)
				}
			}
			for _, e := range ch.Events {
				if err := events.add(ctx, e.Permit, e.IDNumber, e.Kind, db.d.date(e.On), e.Reason); err != nil {
					return sum, fmt.Errorf("store: update permits: %w", err)
				}
				switch e.Kind {
				case registry.EventIssue:
					sum.Issued++
				case registry.EventEndorse:
					sum.Endorsed++
				case registry.EventLapse:
					sum.Lapsed++
				}
			}
		}
		// Flush before the next chunk reads permits back.
		if err := permits.flush(ctx); err != nil {
			return sum, fmt.Errorf("store: update permits: %w", err)
		}
		if err := events.flush(ctx); err != nil {
			return sum, fmt.Errorf("store: update permits: %w", err)
		}
		sum.Persons += len(hs)
		if progress != nil {
			progress(sum.Persons)
		}
		if len(hs) < permitChunk {
			break
		}
		after = hs[len(hs)-1].Person.IDNumber
	}
	var active int64
	if err := tx.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*) FROM permits WHERE status = $1`), registry.PermitActive).Scan(&active); err != nil {
		return sum, fmt.Errorf("store: update permits: count active: %w", err)
	}
	sum.Active = int(active)
	permits.close()
	events.close()
	if err := tx.Commit(); err != nil {
		return sum, fmt.Errorf("store: update permits: commit: %w", err)
	}
	return sum, nil
}

// newEventWriter returns a writer of plain multi-row INSERTs into
// permit_events (append only: no conflict to resolve).
func newEventWriter(tx *sql.Tx, d dialect) *writer {
	return newWriter(tx, d, eventsTable)
}

// permitReader reads the person histories of one chunk inside the run's
// transaction.
type permitReader struct {
	d  dialect
	tx *sql.Tx
}

// chunk returns the histories of up to permitChunk persons whose ID number
// sorts after after.
func (r permitReader) chunk(ctx context.Context, after string) ([]registry.PersonHistory, error) {
	var hs []registry.PersonHistory
	err := r.each(ctx, `SELECT `+personColumns+` FROM persons WHERE id_number > $1 ORDER BY id_number LIMIT $2`,
		[]any{after, permitChunk}, func(rows *sql.Rows) error {
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
	return hs, nil
}

// each runs query and calls fn per row, closing the rows before it returns
// (PostgreSQL allows no other statement on the transaction meanwhile).
func (r permitReader) each(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
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
