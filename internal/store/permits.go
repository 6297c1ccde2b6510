package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

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
//
// On SQLite the run reads the registry in a snapshot and stages what it
// writes in TEMP tables, holding no lock (a run over a city takes minutes,
// and SQLite's write lock is the whole database); it then merges them in
// one short write transaction, if the registry's version is still the
// snapshot's. If an import or another run committed meanwhile, the run is
// done again on the new registry, up to permitAttempts times.
func (db *DB) UpdatePermits(ctx context.Context, decide func(registry.PersonHistory) registry.PermitChange, progress func(done int)) (registry.PermitSummary, error) {
	if db.d.engine == EngineSQLite {
		for attempt := 1; ; attempt++ {
			sum, err := db.updatePermitsStaged(ctx, decide, progress)
			if errors.Is(err, errRegistryMoved) && attempt < permitAttempts {
				continue
			}
			return sum, err
		}
	}
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
	sum, err = decidePermits(ctx, historyReader{d: db.d, tx: tx, chunk: permitChunk}, permits, events, decide, progress)
	if err != nil {
		return sum, err
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

// permitAttempts bounds how many times a SQLite permits run starts again
// because the registry changed while it ran.
const permitAttempts = 3

// errRegistryMoved reports that the registry changed between a staged
// run's snapshot and its merge.
var errRegistryMoved = errors.New("the registry changed during the permits run; run it again")

// decidePermits reads every person's history through r, calls decide and
// writes what it returns through permits and events (see UpdatePermits).
func decidePermits(ctx context.Context, r historyReader, permits, events *writer, decide func(registry.PersonHistory) registry.PermitChange, progress func(done int)) (registry.PermitSummary, error) {
	var sum registry.PermitSummary
	d := r.d
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
				err := permits.add(ctx, p.Number, p.IDNumber, p.Town, d.date(p.IssuedOn), d.date(p.ValidTo), p.Status, d.date(p.LapsedOn), d.date(p.UpdatedOn))
				if err != nil {
					return sum, fmt.Errorf("store: update permits: %w", err)
				}
			}
			for _, e := range ch.Events {
				if err := events.add(ctx, e.Permit, e.IDNumber, e.Kind, d.date(e.On), e.Reason); err != nil {
					return sum, fmt.Errorf("store: update permits: %w", err)
				}
				sum.Count(e.Kind)
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
	return sum, nil
}

// updatePermitsStaged is one SQLite run (see UpdatePermits): decide on a
// snapshot, staging the writes, then merge them under the write lock. It
// returns errRegistryMoved if the registry's version moved in between.
// Each person's permits are read from the registry, not the staging
// tables: a person's decision reads and writes only that person's permits
// (numbered by ID number and day).
func (db *DB) updatePermitsStaged(ctx context.Context, decide func(registry.PersonHistory) registry.PermitChange, progress func(done int)) (sum registry.PermitSummary, err error) {
	conn, err := db.stageConn(ctx)
	if err != nil {
		return sum, fmt.Errorf("store: update permits: %w", err)
	}
	defer conn.Close()
	staged := []*table{permitsTable, eventsTable}
	defer func() {
		// The cleanup runs even when the run was cancelled. Its errors are
		// not the run's: ROLLBACK fails when no transaction is left open
		// (the expected case after a merge), and a staging table left
		// behind is dropped by the setup of the connection's next run.
		cleanup := context.WithoutCancel(ctx)
		_, _ = conn.ExecContext(cleanup, `ROLLBACK`)
		for _, t := range staged {
			_, _ = conn.ExecContext(cleanup, `DROP TABLE IF EXISTS `+stageTable(t).name)
		}
	}()
	setup := []string{`PRAGMA temp.cache_size = -65536`}
	for _, t := range staged {
		st := stageTable(t)
		setup = append(setup, `DROP TABLE IF EXISTS `+st.name,
			`CREATE TEMP TABLE `+strings.TrimPrefix(st.name, "temp.")+` (`+strings.Join(st.columns(), ", ")+`)`)
	}
	// A deferred transaction: a snapshot of the registry for the reads,
	// and writes to the temp database only, so no lock on the registry.
	setup = append(setup, `BEGIN DEFERRED`)
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return sum, fmt.Errorf("store: update permits: %w", err)
		}
	}
	var seen int64
	if err := conn.QueryRowContext(ctx, `SELECT n FROM registry_version WHERE id = 1`).Scan(&seen); err != nil {
		return sum, fmt.Errorf("store: update permits: %w", err)
	}
	permits := newWriter(conn, db.d, stageTable(permitsTable))
	events := newWriter(conn, db.d, stageTable(eventsTable))
	defer permits.close()
	defer events.close()
	sum, err = decidePermits(ctx, historyReader{d: db.d, tx: conn, chunk: permitChunk}, permits, events, decide, progress)
	if err != nil {
		return sum, err
	}
	permits.close()
	events.close()
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return sum, fmt.Errorf("store: update permits: stage: %w", err)
	}

	tx, done, err := db.beginWrite(ctx, conn)
	if err != nil {
		return sum, fmt.Errorf("store: update permits: %w", err)
	}
	defer done()
	defer tx.Rollback()
	var now int64
	if err := tx.QueryRowContext(ctx, `SELECT n FROM registry_version WHERE id = 1`).Scan(&now); err != nil {
		return sum, fmt.Errorf("store: update permits: %w", err)
	}
	if now != seen {
		return sum, fmt.Errorf("store: update permits: %w", errRegistryMoved)
	}
	var changed int64
	for _, t := range staged {
		res, err := tx.ExecContext(ctx, mergeSQL(db.d, t, true))
		if err != nil {
			return sum, fmt.Errorf("store: update permits: merge %s: %w", t.name, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return sum, fmt.Errorf("store: update permits: merge %s: %w", t.name, err)
		}
		changed += n
	}
	var active int64
	if err := tx.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*) FROM permits WHERE status = $1`), registry.PermitActive).Scan(&active); err != nil {
		return sum, fmt.Errorf("store: update permits: count active: %w", err)
	}
	sum.Active = int(active)
	if changed > 0 {
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
