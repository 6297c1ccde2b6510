package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
)

// DefaultSQLiteFile is the database Open uses for an empty DSN.
const DefaultSQLiteFile = "rooted.db"

// Engine names returned by (*DB).Engine.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// DB is the registry store. It is safe for concurrent use. On SQLite one
// transaction writes at a time: the writers of this process queue for their
// turn (writeTurn), a writer of another process on the same file is waited
// for up to busyTimeout, and readers proceed beside the writer (WAL).
type DB struct {
	sql *sql.DB
	d   dialect
	// turn is the in-process writer queue of SQLite (nil on PostgreSQL):
	// holding its one slot is the right to begin a write transaction.
	// Without it, writers of one process would spin in SQLite's busy
	// handler, which sleeps in growing steps and gives up after
	// busyTimeout whatever the queue; with it, they wait in line, in
	// order, for as long as their context allows.
	turn chan struct{}
	// stagers bounds the staged runs of SQLite (see stageConn); nil on
	// PostgreSQL.
	stagers chan struct{}
}

// busyTimeout is how long a SQLite writer waits for another connection's
// write lock: the writers of another process on the same file (a job
// worker, the CLI) and this process's autocommit statements. It must
// exceed the longest write transaction, a large import's merge (see
// BENCHMARKS.md, "SQLite: citizens' writes during an import").
const busyTimeout = 30 * time.Second

var _ registry.Store = (*DB)(nil)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// dialect is what differs between the engines.
type dialect struct {
	engine string
	// dollar reports whether placeholders are $n (PostgreSQL) rather
	// than ?n (SQLite).
	dollar bool
	// differs is the null-safe inequality operator.
	differs string
	// maxParams bounds the parameters of one statement.
	maxParams int
	// stmtRows is how many rows one upsert statement carries. SQLite
	// writes a statement journal (a copy of every page the statement
	// touches) for any statement that may change more than one row inside
	// a transaction, which made multi-row upserts several times slower
	// than a prepared one-row statement; PostgreSQL pays a round trip per
	// statement, so it takes many rows at once.
	stmtRows int
}

var (
	sqliteDialect = dialect{engine: EngineSQLite, differs: "IS NOT", maxParams: 32766, stmtRows: 1}
	pgDialect     = dialect{engine: EnginePostgres, dollar: true, differs: "IS DISTINCT FROM", maxParams: 65535, stmtRows: 500}
)

// ph returns the n-th (1-based) placeholder of a statement that uses each
// parameter once. SQLite gets a bare "?": sqlite3_bind_parameter_name scans
// a list of the named (?NNN) parameters, which makes binding the thousands
// of parameters of a multi-row INSERT quadratic.
func (d dialect) ph(n int) string {
	if d.dollar {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// q rewrites a query written with $n placeholders for the engine. SQLite
// reads ?n, which, like $n, may be repeated. For queries with a few
// parameters only (see ph).
func (d dialect) q(query string) string {
	if d.dollar {
		return query
	}
	return strings.ReplaceAll(query, "$", "?")
}

// date returns the argument that stores day: NULL for the zero date.
func (d dialect) date(day date.Date) any {
	if day.IsZero() {
		return nil
	}
	if d.dollar {
		return day.Time()
	}
	return day.String()
}

// timestamp returns the argument that stores an instant.
func (d dialect) timestamp(t time.Time) any {
	if d.dollar {
		return t.UTC()
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Open opens the database named by dsn and applies pending migrations.
//
//   - "" is the SQLite file DefaultSQLiteFile in the working directory;
//   - "postgres://…" or "postgresql://…" is PostgreSQL;
//   - anything else, optionally prefixed "sqlite:", is a SQLite file path
//     (created when missing).
//
// It returns an error when the database cannot be opened or reached, or a
// migration fails; the DB is then closed.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		db  *DB
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err = openPostgres(dsn)
	default:
		db, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	}
	if err != nil {
		return nil, err
	}
	if err := db.sql.PingContext(ctx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("store: open %s: %w", db.d.engine, err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.sql.Close()
		return nil, err
	}
	return db, nil
}

func openSQLite(file string) (*DB, error) {
	if file == "" {
		file = DefaultSQLiteFile
	}
	// busy_timeout: a second writer waits for the lock instead of failing
	// (see busyTimeout).
	// cache_size: 64 MiB per connection (allocated as used), so that a
	// large import's key index stays in memory instead of spilling pages
	// to the WAL mid-transaction.
	// _txlock=immediate: every transaction here writes, so take the write
	// lock at BEGIN; upgrading a read transaction later can fail with
	// SQLITE_BUSY without waiting.
	params := "_pragma=busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")&_pragma=cache_size(-65536)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	// Options given in the DSN (path?_pragma=…) come after the defaults, so
	// that they win: SQLite applies the pragmas in order.
	if path, opts, ok := strings.Cut(file, "?"); ok {
		file, params = path, params+"&"+opts
	}
	sqldb, err := sql.Open("sqlite", file+"?"+params)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	// SQLite has one writer; WAL lets readers run beside it. A handful of
	// connections covers one writing transaction plus concurrent readers;
	// more would only hold more page caches.
	n := max(4, runtime.GOMAXPROCS(0))
	sqldb.SetMaxOpenConns(n)
	sqldb.SetMaxIdleConns(n)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{sql: sqldb, d: sqliteDialect, turn: make(chan struct{}, 1), stagers: make(chan struct{}, n-1)}, nil
}

func openPostgres(dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors may echo the DSN, password included.
		return nil, errors.New("store: open postgres: invalid DSN")
	}
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(16)
	sqldb.SetMaxIdleConns(8)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{sql: sqldb, d: pgDialect}, nil
}

// Engine returns "sqlite" or "postgres".
func (db *DB) Engine() string { return db.d.engine }

// Close closes the database. Outstanding batches are rolled back.
func (db *DB) Close() error { return db.sql.Close() }

// migration is one embedded SQL file, named NNNN_what.sql.
type migration struct {
	version int
	name    string
	sql     string
}

func (db *DB) migrations() ([]migration, error) {
	dir := path.Join("migrations", db.d.engine)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("store: migrations: bad file name %s", name)
		}
		b, err := migrationFiles.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("store: migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate applies the pending embedded migrations of the engine, each in its
// own transaction, records them in schema_migrations, and then seeds
// registry.DefaultTowns if the towns table is empty. It returns how many
// migrations it applied (0 when the schema is current). Running it twice, or
// from two processes at once, is safe.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	ms, err := db.migrations()
	if err != nil {
		return 0, err
	}
	if err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.migrationLock(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TEXT NOT NULL)`)
		return err
	}); err != nil {
		return 0, fmt.Errorf("store: migrate: schema_migrations: %w", err)
	}
	for _, m := range ms {
		var did bool
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			if err := db.migrationLock(ctx, tx); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = $1`), m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, db.d.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`),
				m.version, m.name, time.Now().UTC().Format(time.RFC3339))
			did = err == nil
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("store: migrate %s %s: %w", db.d.engine, m.name, err)
		}
		if did {
			applied++
		}
	}
	if err := db.seedTowns(ctx); err != nil {
		return applied, err
	}
	return applied, nil
}

// migrationLock serialises concurrent migrators on PostgreSQL (SQLite's
// immediate transactions already do).
func (db *DB) migrationLock(ctx context.Context, tx *sql.Tx) error {
	if db.d.engine != EnginePostgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7250394718)`)
	return err
}

// seedTowns inserts registry.DefaultTowns into an empty towns table.
func (db *DB) seedTowns(ctx context.Context) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.migrationLock(ctx, tx); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM towns`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		ins := db.d.q(`INSERT INTO towns (code, name, kind) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING`)
		for _, t := range registry.DefaultTowns {
			if _, err := tx.ExecContext(ctx, ins, t.Code, t.Name, t.Kind); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: seed towns: %w", err)
	}
	return nil
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, done, err := db.beginWrite(ctx, db.sql)
	if err != nil {
		return err
	}
	defer done()
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// waitTurn waits for this process's turn to write (SQLite; at once on
// PostgreSQL, whose writers lock rows, not the database) and returns the
// function that passes the turn on, which may be called more than once.
// It fails only when ctx ends first. A holder must not wait for the turn
// again: the turn is not reentrant.
func (db *DB) waitTurn(ctx context.Context) (done func(), err error) {
	if db.turn == nil {
		return func() {}, nil
	}
	select {
	case db.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("store: waiting to write: %w", context.Cause(ctx))
	}
	var once sync.Once
	return func() { once.Do(func() { <-db.turn }) }, nil
}

// stageConn is the connection a staged SQLite run (an import, a scoring or
// a permits run) keeps, with its TEMP tables, from start to end.
type stageConn struct {
	*sql.Conn
	slot chan struct{}
}

// Close gives the connection back to the pool and frees its slot.
func (c *stageConn) Close() error {
	err := c.Conn.Close()
	<-c.slot
	return err
}

// stageConn takes a connection for a staged run. Fewer runs than the pool
// has connections may hold one at once: a run waiting for the turn to
// write keeps its connection, so without the bound, runs could hold every
// connection while the writer whose turn it is waits for one.
func (db *DB) stageConn(ctx context.Context) (*stageConn, error) {
	select {
	case db.stagers <- struct{}{}:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		<-db.stagers
		return nil, err
	}
	return &stageConn{Conn: conn, slot: db.stagers}, nil
}

// txBeginner is what a write transaction is begun on: the pool (*sql.DB)
// or a staged run's own connection (*sql.Conn).
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// beginWrite waits for the turn to write and begins a write transaction on
// on (BEGIN IMMEDIATE on SQLite: see openSQLite). done passes the turn on;
// call it once the transaction is committed or rolled back.
func (db *DB) beginWrite(ctx context.Context, on txBeginner) (tx *sql.Tx, done func(), err error) {
	done, err = db.waitTurn(ctx)
	if err != nil {
		return nil, nil, err
	}
	tx, err = on.BeginTx(ctx, nil)
	if err != nil {
		done()
		return nil, nil, err
	}
	return tx, done, nil
}
