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

	r := historyReader{d: db.d, tx: tx, chunk: permitChunk}
	after := ""
	for {
		hs, err := r.after(ctx, after)
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
	if permits.changed+events.changed > 0 {
		if err := bumpVersion(ctx, tx); err != nil {
			return sum, err
		}
	}
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
