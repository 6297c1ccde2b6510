package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/newcitizens/rooted/internal/registry"
)

// table describes one written table: its natural key, the columns compared
// for change, and whether it carries import_id.
type table struct {
	name string
	key  []string // natural key columns (all columns of an appendOnly table)
	rest []string // the other columns compared for change, import_id excluded
	// provenance reports whether the table carries import_id.
	provenance bool
	// appendOnly tables take plain INSERTs: every row is new.
	appendOnly bool
}

func (t *table) columns() []string {
	cols := append(append([]string{}, t.key...), t.rest...)
	if t.provenance {
		cols = append(cols, "import_id")
	}
	return cols
}

// chunk returns the rows one INSERT statement carries.
func (t *table) chunk(d dialect) int {
	return max(1, min(d.stmtRows, d.maxParams/len(t.columns())))
}

// upsertSQL returns the multi-row upsert of n rows: an existing row with the
// same key is updated only when some column differs, so RowsAffected counts
// inserted and actually changed rows.
func (t *table) upsertSQL(d dialect, n int) string {
	cols := t.columns()
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(cols, ", "))
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.ph(p))
			p++
		}
		b.WriteByte(')')
	}
	if t.appendOnly {
		return b.String()
	}
	b.WriteByte(' ')
	b.WriteString(t.onConflict(d))
	return b.String()
}

// onConflict returns the ON CONFLICT clause of t's upserts: an existing row
// with the same key is updated only when some column differs.
func (t *table) onConflict(d dialect) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ON CONFLICT (%s) ", strings.Join(t.key, ", "))
	if len(t.rest) == 0 {
		b.WriteString("DO NOTHING")
		return b.String()
	}
	b.WriteString("DO UPDATE SET ")
	set := t.rest
	if t.provenance {
		set = append(append([]string{}, t.rest...), "import_id")
	}
	for i, c := range set {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = excluded.%s", c, c)
	}
	b.WriteString(" WHERE ")
	for i, c := range t.rest {
		if i > 0 {
			b.WriteString(" OR ")
		}
		fmt.Fprintf(&b, "%s.%s %s excluded.%s", t.name, c, d.differs, c)
	}
	return b.String()
}

// The upserted tables, in the order Commit flushes them.
var (
	townsTable     = &table{name: "towns", key: []string{"code"}, rest: []string{"name", "kind"}, provenance: true}
	schoolsTable   = &table{name: "schools", key: []string{"code"}, rest: []string{"name", "town", "level", "entry_seats"}, provenance: true}
	personsTable   = &table{name: "persons", key: []string{"id_number"}, rest: []string{"name", "phone", "education", "hukou_type", "birth_date", "sex", "origin"}, provenance: true}
	guardiansTable = &table{name: "guardians", key: []string{"child", "guardian"}, provenance: true}
	residenceTable = &table{name: "residences", key: []string{"id_number", "since", "address"}, rest: []string{"town", "until", "kind", "source"}, provenance: true}
	jobsTable      = &table{name: "jobs", key: []string{"id_number", "employer_uscc", "since"}, rest: []string{"employer_name", "until", "contract"}, provenance: true}
	insuranceTable = &table{name: "insurance", key: []string{"id_number", "kind", "from_month"}, rest: []string{"to_month", "employer_uscc"}, provenance: true}
	factsTable     = &table{name: "facts", key: []string{"id_number", "kind", "date"}, rest: []string{"value"}, provenance: true}
	permitsTable   = &table{name: "permits", key: []string{"number"}, rest: []string{"id_number", "town", "issued_on", "valid_to", "status", "lapsed_on", "updated_on"}}

	batchTables = []*table{townsTable, schoolsTable, personsTable, guardiansTable, residenceTable, jobsTable, insuranceTable, factsTable}
)

// sortRows is how many rows a writer holds before it writes them, in key
// order. Rows of a real file arrive in no key order; inserting them as they
// come scatters every statement over the whole key index. Sorting a bounded
// buffer gives the B-tree locality while memory stays constant whatever the
// file's size. Measured on a 1,133,464-row jobs file into SQLite (CPU
// seconds): 16,384 rows 40.5 s, 131,072 rows 31.7 s; the buffer costs about
// 40 MB per table at this size.
const sortRows = 131072

// writer buffers rows of one table inside a transaction and writes them as
// multi-row upserts. Memory is bounded by sortRows rows.
type writer struct {
	t     *table
	d     dialect
	tx    execer
	cols  int
	args  []any // buffered rows, cols values each
	n     int   // buffered rows
	chunk int   // rows per statement
	order []int // row indexes in key order
	stmt  []any // arguments of one statement
	full  *sql.Stmt
	// changed counts rows inserted or changed so far.
	changed int64
	// async, when set, writes full buffers on another goroutine.
	async *flusher
}

// flusher writes full buffers of a batch's writers on a goroutine of its
// own, so that reading and checking the next rows of a file (one core)
// overlaps with the database writing the previous ones (the other). The
// writers of one batch share its transaction, so one goroutine serves
// them all, in order. At most one buffer waits while one is written, so
// memory stays bounded.
type flusher struct {
	ctx  context.Context
	jobs chan flushJob
	done chan struct{}
	mu   sync.Mutex
	err  error
}

type flushJob struct {
	w    *writer
	args []any
	n    int
}

func newFlusher(ctx context.Context) *flusher {
	f := &flusher{ctx: ctx, jobs: make(chan flushJob, 1), done: make(chan struct{})}
	jobs := f.jobs // wait clears the field; the goroutine keeps its channel
	go func() {
		defer close(f.done)
		for j := range jobs {
			if f.failed() != nil {
				continue
			}
			if err := j.w.write(f.ctx, j.args, j.n); err != nil {
				f.mu.Lock()
				f.err = err
				f.mu.Unlock()
			}
		}
	}()
	return f
}

func (f *flusher) failed() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// submit hands w's full buffer to the goroutine and gives w an empty one.
// It returns the first error of an earlier write, if any.
func (f *flusher) submit(w *writer) error {
	if err := f.failed(); err != nil {
		return err
	}
	f.jobs <- flushJob{w: w, args: w.args, n: w.n}
	w.args, w.n = nil, 0
	return nil
}

// wait stops the goroutine once every submitted buffer is written and
// returns the first error.
func (f *flusher) wait() error {
	if f.jobs != nil {
		close(f.jobs)
		f.jobs = nil
		<-f.done
	}
	return f.failed()
}

// execer is where a writer writes: a transaction, or the connection that
// holds a batch's staging tables.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func newWriter(tx execer, d dialect, t *table) *writer {
	cols := len(t.columns())
	return &writer{t: t, d: d, tx: tx, cols: cols, chunk: t.chunk(d)}
}

// add buffers one row (values in columns() order, import_id included when
// the table carries it), writing the buffer when it is full.
func (w *writer) add(ctx context.Context, row ...any) error {
	if w.args == nil {
		w.args = make([]any, 0, sortRows*w.cols)
	}
	w.args = append(w.args, row...)
	w.n++
	if w.n >= sortRows {
		if w.async != nil {
			return w.async.submit(w)
		}
		return w.flush(ctx)
	}
	return nil
}

// flush writes every buffered row.
func (w *writer) flush(ctx context.Context) error {
	if w.n == 0 {
		return nil
	}
	if err := w.write(ctx, w.args, w.n); err != nil {
		return err
	}
	clear(w.args) // drop references to the written strings
	w.args = w.args[:0]
	w.n = 0
	return nil
}

// write sorts n buffered rows held in args by key and upserts them.
func (w *writer) write(ctx context.Context, args []any, n int) error {
	w.order = w.order[:0]
	for i := range n {
		w.order = append(w.order, i)
	}
	if !w.t.appendOnly {
		nkey := len(w.t.key)
		slices.SortFunc(w.order, func(a, b int) int {
			ra, rb := args[a*w.cols:a*w.cols+nkey], args[b*w.cols:b*w.cols+nkey]
			for k := range nkey {
				if c := compareValues(ra[k], rb[k]); c != 0 {
					return c
				}
			}
			return 0
		})
	}
	// Each statement runs without the caller's cancellation: the SQLite
	// driver watches a cancellable context with a goroutine per statement,
	// which cost 7 % of an import. Cancellation is checked here instead,
	// between statements.
	caller := ctx
	ctx = context.WithoutCancel(ctx)
	for start := 0; start < n; start += w.chunk {
		select {
		case <-caller.Done():
			return fmt.Errorf("store: put %s: %w", w.t.name, context.Cause(caller))
		default:
		}
		end := min(start+w.chunk, n)
		w.stmt = w.stmt[:0]
		for _, r := range w.order[start:end] {
			w.stmt = append(w.stmt, args[r*w.cols:(r+1)*w.cols]...)
		}
		if err := w.exec(ctx, end-start); err != nil {
			return err
		}
	}
	clear(w.stmt)
	return nil
}

// exec runs the upsert of rows rows whose arguments are in w.stmt.
func (w *writer) exec(ctx context.Context, rows int) error {
	var (
		res sql.Result
		err error
	)
	if rows == w.chunk {
		if w.full == nil {
			w.full, err = w.tx.PrepareContext(ctx, w.t.upsertSQL(w.d, rows))
			if err != nil {
				return fmt.Errorf("store: put %s: %w", w.t.name, err)
			}
		}
		res, err = w.full.ExecContext(ctx, w.stmt...)
	} else {
		res, err = w.tx.ExecContext(ctx, w.t.upsertSQL(w.d, rows), w.stmt...)
	}
	if err != nil {
		return fmt.Errorf("store: put %s: %w", w.t.name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: put %s: %w", w.t.name, err)
	}
	w.changed += n
	return nil
}

// compareValues orders two key values of the same column: strings (SQLite
// dates included) bytewise, like both engines' key collation, and
// PostgreSQL dates by time. NULL sorts first.
func compareValues(a, b any) int {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case int64:
		if y, ok := b.(int64); ok {
			return cmp.Compare(x, y)
		}
	case nil:
		if b == nil {
			return 0
		}
		return -1
	}
	if b == nil {
		return 1
	}
	return 0
}

func (w *writer) close() {
	if w.full != nil {
		w.full.Close()
		w.full = nil
	}
}

// batch is one import: a file is written whole or not at all.
//
// On PostgreSQL it is one transaction from BeginBatch to Commit, whose
// imports row is inserted at BeginBatch, so that every written row can
// carry its id, and completed at Commit; a rolled-back batch leaves no
// trace. Its upserts lock only the rows they write, so it blocks nobody
// else for the length of the file.
//
// On SQLite a write transaction locks the whole database, and a file takes
// minutes to read and check: held that long, the lock made citizens'
// applications fail with "database is locked". So the rows are staged in
// TEMP tables of a connection of the batch's own, in a transaction that
// writes only the connection-local temp database and takes no lock on the
// real one; Commit then merges them into the real tables, in key order, in
// one short write transaction (see merge), which is the only time the
// import holds the write lock. Rollback, or a failed merge, drops the
// staged rows: the real tables never see part of a file.
type batch struct {
	db       *DB
	tx       *sql.Tx    // PostgreSQL: the import's transaction
	conn     *stageConn // SQLite: the connection of the staging tables
	staging  bool       // SQLite: the staging transaction is open
	importID int64      // PostgreSQL: the imports row (SQLite: chosen at Commit)
	writers  map[*table]*writer
	flusher  *flusher
	err      error // first error; the batch is then unusable
	done     bool  // committed or rolled back
	// ctx is the context the batch was begun with, for Rollback, whose
	// signature (registry.Batch) carries none: the cleanup keeps its values
	// and, through context.WithoutCancel in release, runs even when the
	// import was cancelled.
	ctx context.Context
}

// BeginBatch starts an import (see registry.Batch). On PostgreSQL it begins
// the import's transaction; on SQLite it takes a connection for the staging
// tables and holds no lock until Commit. The caller must Commit or
// Rollback it.
func (db *DB) BeginBatch(ctx context.Context) (registry.Batch, error) {
	if db.d.engine == EngineSQLite {
		return db.beginStaged(ctx)
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin batch: %w", err)
	}
	var id int64
	err = tx.QueryRowContext(ctx, db.d.q(`INSERT INTO imports (at) VALUES ($1) RETURNING id`), db.d.timestamp(time.Now())).Scan(&id)
	if err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("store: begin batch: %w", err)
	}
	return &batch{db: db, tx: tx, importID: id, writers: make(map[*table]*writer), flusher: newFlusher(ctx), ctx: ctx}, nil
}

// beginStaged starts a SQLite batch: a connection of its own and, on it, a
// deferred transaction that will write only TEMP tables. A deferred BEGIN
// takes no lock; writing the temp database locks nothing another
// connection sees.
func (db *DB) beginStaged(ctx context.Context) (*batch, error) {
	conn, err := db.stageConn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: begin batch: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA temp.cache_size = -65536`); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: begin batch: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: begin batch: %w", err)
	}
	return &batch{db: db, conn: conn, staging: true, writers: make(map[*table]*writer), flusher: newFlusher(ctx), ctx: ctx}, nil
}

// stageTable returns the TEMP table that holds t's rows of a SQLite batch
// until Commit: t's columns without import_id, untyped so that values keep
// the type they were bound with (the real table's affinity applies at the
// merge), without a key so that every row is a plain append. Its rowid
// keeps the order of the file.
func stageTable(t *table) *table {
	return &table{name: "temp.stage_" + t.name, key: t.key, rest: t.rest, appendOnly: true}
}

// createStage (re)creates t's staging table on the batch's connection. A
// table left by an earlier batch whose clean-up failed is dropped first.
func (b *batch) createStage(ctx context.Context, t *table) error {
	st := stageTable(t)
	if _, err := b.conn.ExecContext(ctx, `DROP TABLE IF EXISTS `+st.name); err != nil {
		return fmt.Errorf("store: stage %s: %w", t.name, err)
	}
	if _, err := b.conn.ExecContext(ctx, `DROP TABLE IF EXISTS `+st.name+`_same`); err != nil {
		return fmt.Errorf("store: stage %s: %w", t.name, err)
	}
	if _, err := b.conn.ExecContext(ctx, `CREATE TEMP TABLE `+strings.TrimPrefix(st.name, "temp.")+` (`+strings.Join(st.columns(), ", ")+`)`); err != nil {
		return fmt.Errorf("store: stage %s: %w", t.name, err)
	}
	return nil
}

// mergeSQL returns the statement that moves t's staged rows into t, as the
// upsert of PostgreSQL's path does row by row: in key order (B-tree
// locality), a key repeated in the file in file order (the last row wins,
// as it did when each row was upserted as it came), an identical row left
// untouched; its RowsAffected counts inserted and changed rows. The one
// parameter is the import id (of a table with provenance). An append-only
// table's rows are appended in file order. With all false, rows listed as unchanged
// (see compareSQL) are skipped. ("WHERE" is SQLite's way to tell the upsert's
// ON from a join's.)
func mergeSQL(d dialect, t *table, all bool) string {
	st := stageTable(t)
	bare := strings.TrimPrefix(st.name, "temp.")
	where := fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s_same WHERE r = %s.rowid)", st.name, bare)
	if all {
		where = "true"
	}
	cols := strings.Join(st.columns(), ", ")
	if t.provenance {
		cols += ", " + d.ph(1)
	}
	if t.appendOnly {
		return fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s ORDER BY rowid", t.name, strings.Join(t.columns(), ", "), cols, st.name)
	}
	return fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s WHERE %s ORDER BY %s, rowid %s",
		t.name, strings.Join(t.columns(), ", "), cols, st.name, where,
		strings.Join(t.key, ", "), t.onConflict(d))
}

// compareSQL returns the statements that, before the merge and without the
// write lock, index t's staged rows by key (the merge's order) and list in
// <stage>_same the rowids of the rows equal to their stored row whose key
// the file holds once (a repeated key is merged row by row, in file order,
// as it comes). A file re-imported with few changes then merges only
// those. (A list rather than a column of the staged rows: an UPDATE of
// every staged row cost several times more.)
func compareSQL(t *table) []string {
	st := stageTable(t)
	bare := strings.TrimPrefix(st.name, "temp.")
	match := func(alias string) string {
		var b strings.Builder
		for i, k := range t.key {
			if i > 0 {
				b.WriteString(" AND ")
			}
			fmt.Fprintf(&b, "%s.%s = %s.%s", alias, k, bare, k)
		}
		return b.String()
	}
	same := ""
	for _, c := range t.rest {
		same += fmt.Sprintf(" AND m.%s IS %s.%s", c, bare, c)
	}
	return []string{
		fmt.Sprintf("CREATE INDEX %s_key ON %s (%s)", st.name, bare, strings.Join(t.key, ", ")),
		fmt.Sprintf("CREATE TEMP TABLE %s_same (r INTEGER PRIMARY KEY)", bare),
		fmt.Sprintf("INSERT INTO %s_same (r) SELECT rowid FROM %s WHERE EXISTS (SELECT 1 FROM main.%s m WHERE %s%s) AND NOT EXISTS (SELECT 1 FROM %s s2 WHERE %s AND s2.rowid <> %s.rowid) ORDER BY rowid",
			st.name, st.name, t.name, match("m"), same, st.name, match("s2"), bare),
	}
}

var errBatchDone = errors.New("store: batch already committed or rolled back")

func (b *batch) put(ctx context.Context, t *table, row ...any) error {
	if b.done {
		return errBatchDone
	}
	if b.err != nil {
		return b.err
	}
	w := b.writers[t]
	if w == nil {
		if b.conn != nil {
			if err := b.createStage(ctx, t); err != nil {
				b.err = err
				return err
			}
			w = newWriter(b.conn, b.db.d, stageTable(t))
		} else {
			w = newWriter(b.tx, b.db.d, t)
		}
		w.async = b.flusher
		b.writers[t] = w
	}
	if b.conn == nil {
		row = append(row, b.importID)
	}
	if err := w.add(ctx, row...); err != nil {
		b.err = err
		return err
	}
	return nil
}

// PutTown upserts a town by code.
func (b *batch) PutTown(ctx context.Context, t registry.Town) error {
	return b.put(ctx, townsTable, t.Code, t.Name, t.Kind)
}

// PutSchool upserts a school by code.
func (b *batch) PutSchool(ctx context.Context, s registry.School) error {
	return b.put(ctx, schoolsTable, s.Code, s.Name, s.Town, s.Level, int64(s.EntrySeats))
}

// PutPerson upserts a person by ID number.
func (b *batch) PutPerson(ctx context.Context, p registry.Person) error {
	d := b.db.d
	return b.put(ctx, personsTable, p.IDNumber, p.Name, p.Phone, p.Education, p.HukouType, d.date(p.BirthDate), string(p.Sex), p.Origin)
}

// PutGuardian inserts a child–guardian link unless it exists.
func (b *batch) PutGuardian(ctx context.Context, g registry.Guardianship) error {
	return b.put(ctx, guardiansTable, g.Child, g.Guardian)
}

// PutResidence upserts a residence by ID number, since and address.
func (b *batch) PutResidence(ctx context.Context, r registry.Residence) error {
	d := b.db.d
	return b.put(ctx, residenceTable, r.IDNumber, d.date(r.Since), r.Address, r.Town, d.date(r.Until), r.Kind, r.Source)
}

// PutJob upserts a job by ID number, employer and since.
func (b *batch) PutJob(ctx context.Context, j registry.Job) error {
	d := b.db.d
	return b.put(ctx, jobsTable, j.IDNumber, j.EmployerUSCC, d.date(j.Since), j.EmployerName, d.date(j.Until), j.Contract)
}

// PutInsurance upserts an insurance period by ID number, kind and first month.
func (b *batch) PutInsurance(ctx context.Context, in registry.Insurance) error {
	d := b.db.d
	return b.put(ctx, insuranceTable, in.IDNumber, in.Kind, d.date(in.From), d.date(in.To), in.EmployerUSCC)
}

// PutFact upserts a fact by ID number, kind and date.
func (b *batch) PutFact(ctx context.Context, f registry.Fact) error {
	d := b.db.d
	return b.put(ctx, factsTable, f.IDNumber, f.Kind, d.date(f.Date), f.Value)
}

// Commit flushes every buffered row, completes the imports row with run and
// the changed count, and commits. On SQLite it merges the staged rows (see
// batch), waiting for the turn to write. On error nothing is written.
func (b *batch) Commit(ctx context.Context, run registry.ImportRun) (changed int64, err error) {
	if b.done {
		return 0, errBatchDone
	}
	// A failed commit rolls back; the error returned is the commit's, the
	// rollback's would change nothing the caller can do.
	if b.err != nil {
		_ = b.rollback(ctx)
		return 0, b.err
	}
	defer func() {
		if err != nil {
			_ = b.rollback(ctx)
		}
	}()
	if err := b.flusher.wait(); err != nil {
		return 0, err
	}
	for _, t := range batchTables {
		w := b.writers[t]
		if w == nil {
			continue
		}
		if err := w.flush(ctx); err != nil {
			return 0, err
		}
		changed += w.changed
	}
	b.closeWriters()
	if b.conn != nil {
		changed, err = b.merge(ctx, run)
		if err != nil {
			return 0, err
		}
		b.done = true
		// The rows are merged: a staging table left behind is dropped by
		// the connection's next batch, so its error changes nothing here.
		_ = b.release(ctx)
		return changed, nil
	}
	_, err = b.tx.ExecContext(ctx, b.db.d.q(`UPDATE imports SET file = $1, sha256 = $2, kind = $3, read = $4, accepted = $5, quarantined = $6, changed = $7, at = $8 WHERE id = $9`),
		run.File, run.SHA256, run.Kind, int64(run.Read), int64(run.Accepted), int64(run.Quarantined), changed, b.db.d.timestamp(time.Now()), b.importID)
	if err != nil {
		return 0, fmt.Errorf("store: commit batch: record import: %w", err)
	}
	if changed > 0 {
		if err := bumpVersion(ctx, b.tx); err != nil {
			return 0, err
		}
	}
	if err := b.tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: commit batch: %w", err)
	}
	b.done = true
	return changed, nil
}

// merge ends a SQLite batch's staging transaction and, in one write
// transaction on the same connection, records the import and moves every
// staged table into its real one (mergeSQL). This is the one stretch of an
// import that holds the write lock; its length for a 300,000-person file
// is in BENCHMARKS.md ("SQLite: citizens' writes during an import").
func (b *batch) merge(ctx context.Context, run registry.ImportRun) (changed int64, err error) {
	// The staged rows must be committed (to the temp database only) before
	// BEGIN IMMEDIATE: a transaction cannot be begun inside another.
	if _, err := b.conn.ExecContext(ctx, `COMMIT`); err != nil {
		return 0, fmt.Errorf("store: commit batch: stage: %w", err)
	}
	b.staging = false
	seen, err := b.compare(ctx)
	if err != nil {
		return 0, err
	}
	tx, done, err := b.db.beginWrite(ctx, b.conn)
	if err != nil {
		return 0, fmt.Errorf("store: commit batch: %w", err)
	}
	defer done()
	defer tx.Rollback()
	// The rows listed as unchanged were compared with the registry at version
	// seen; every change to the registry's tables bumps the version, so an
	// equal version means they are still unchanged. Otherwise every row is
	// merged (and the upsert compares it again).
	var now int64
	if err := tx.QueryRowContext(ctx, `SELECT n FROM registry_version WHERE id = 1`).Scan(&now); err != nil {
		return 0, fmt.Errorf("store: commit batch: %w", err)
	}
	all := now != seen
	d := b.db.d
	var id int64
	err = tx.QueryRowContext(ctx, d.q(`INSERT INTO imports (at, file, sha256, kind, read, accepted, quarantined, changed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 0) RETURNING id`),
		d.timestamp(time.Now()), run.File, run.SHA256, run.Kind, int64(run.Read), int64(run.Accepted), int64(run.Quarantined)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: commit batch: record import: %w", err)
	}
	for _, t := range batchTables {
		if b.writers[t] == nil {
			continue
		}
		res, err := tx.ExecContext(ctx, mergeSQL(d, t, all), id)
		if err != nil {
			return 0, fmt.Errorf("store: commit batch: %s: %w", t.name, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("store: commit batch: %s: %w", t.name, err)
		}
		changed += n
	}
	if _, err := tx.ExecContext(ctx, d.q(`UPDATE imports SET changed = $1 WHERE id = $2`), changed, id); err != nil {
		return 0, fmt.Errorf("store: commit batch: record import: %w", err)
	}
	if changed > 0 {
		if err := bumpVersion(ctx, tx); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: commit batch: %w", err)
	}
	return changed, nil
}

// Rollback abandons the batch. It is a no-op after Commit or a previous
// Rollback.
func (b *batch) Rollback() error {
	return b.rollback(b.ctx)
}

// rollback is Rollback with the context of the caller that abandons the
// batch (Commit's, on a failed commit).
func (b *batch) rollback(ctx context.Context) error {
	if b.done {
		return nil
	}
	b.done = true
	// The goroutine may be using the transaction: wait for it. Its error is
	// that of a write being abandoned, already returned by Put or Commit.
	_ = b.flusher.wait()
	b.closeWriters()
	if b.conn != nil {
		if err := b.release(ctx); err != nil {
			return fmt.Errorf("store: rollback batch: %w", err)
		}
		return nil
	}
	if err := b.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("store: rollback batch: %w", err)
	}
	return nil
}

// compare lists the staged rows that the registry already holds (see
// compareSQL), reading the registry in a snapshot whose version it
// returns. It writes only the temp tables: no lock is taken.
func (b *batch) compare(ctx context.Context) (version int64, err error) {
	if _, err := b.conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return 0, fmt.Errorf("store: commit batch: compare: %w", err)
	}
	b.staging = true // to be rolled back on error
	if err := b.conn.QueryRowContext(ctx, `SELECT n FROM registry_version WHERE id = 1`).Scan(&version); err != nil {
		return 0, fmt.Errorf("store: commit batch: compare: %w", err)
	}
	for _, t := range batchTables {
		if b.writers[t] == nil {
			continue
		}
		for _, q := range compareSQL(t) {
			if _, err := b.conn.ExecContext(ctx, q); err != nil {
				return 0, fmt.Errorf("store: commit batch: compare %s: %w", t.name, err)
			}
		}
	}
	if _, err := b.conn.ExecContext(ctx, `COMMIT`); err != nil {
		return 0, fmt.Errorf("store: commit batch: compare: %w", err)
	}
	b.staging = false
	return version, nil
}

// release ends a SQLite batch: it abandons the staging transaction if still
// open, drops the staging tables and gives the connection back to the pool.
// It runs whatever the state of ctx (context.WithoutCancel): a cancelled
// import still cleans up, and the connection always goes back. A failure
// here loses nothing (the rows were merged or are abandoned); a table left
// behind is dropped by the connection's next batch. It returns every
// failure, joined.
func (b *batch) release(ctx context.Context) error {
	if b.conn == nil {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	var errs []error
	if b.staging {
		if _, err := b.conn.ExecContext(ctx, `ROLLBACK`); err != nil {
			errs = append(errs, fmt.Errorf("abandon staging: %w", err))
		}
		b.staging = false
	}
	for t := range b.writers {
		for _, name := range []string{stageTable(t).name, stageTable(t).name + `_same`} {
			if _, err := b.conn.ExecContext(ctx, `DROP TABLE IF EXISTS `+name); err != nil {
				errs = append(errs, fmt.Errorf("drop %s: %w", name, err))
			}
		}
	}
	if err := b.conn.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close connection: %w", err))
	}
	b.conn = nil
	return errors.Join(errs...)
}

func (b *batch) closeWriters() {
	for _, w := range b.writers {
		w.close()
	}
}
