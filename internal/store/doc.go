// Package store persists the registry in SQLite (the default, one file beside
// the binary) or PostgreSQL (production), behind registry.Store.
//
// One implementation serves both engines through database/sql; the few
// differences (placeholders, column types, how "differs" is spelled in an
// upsert, how dates travel) live in a small dialect value. The schema is
// created by embedded, numbered SQL migrations per engine, recorded in
// schema_migrations.
//
// Storage conventions, the same on both engines:
//   - Text columns are NOT NULL and hold ” for "empty"; only dates use NULL.
//   - Dates are TEXT 'YYYY-MM-DD' in SQLite and DATE in PostgreSQL; the zero
//     date.Date is NULL.
//   - Every imported record row carries import_id, the imports row of the run
//     that last inserted or changed it. It is provenance only: a re-import of
//     an identical row leaves the row, import_id included, untouched.
//   - Permits and permit events are written by UpdatePermits, not imports,
//     and carry no import_id.
//
// A batch (one import file) is written all or nothing. On PostgreSQL it is
// one transaction; on SQLite, whose write lock covers the whole database,
// its rows are staged in TEMP tables of a connection of its own (no lock)
// and merged into the real tables in one short write transaction at Commit,
// so that citizens' writes are not refused while a file is read; scoring
// and permits runs do the same (see batch, BeginScores, UpdatePermits).
// Rows are buffered per table, up to sortRows, and written as INSERT … ON
// CONFLICT … DO UPDATE … WHERE <a column differs> statements (PostgreSQL,
// sorted by key, at most dialect.stmtRows rows each; SQLite's merge, one
// statement per table in key order), so an identical row is never
// rewritten and the changed count is the statements' RowsAffected. Memory
// stays bounded whatever the size of the file (SQLite's staged rows live in
// a temporary file beyond a 64 MiB cache).
//
// Error messages never contain a full ID number (see ident.MaskID).
//
// It is the SQL adapter (internal/archtest): the one package that speaks
// SQL, implementing the Store interfaces the domain packages define
// (registry, auth, jobs, rounds, forecast, calendar). It decides nothing —
// the rules live in the domain packages — and must not import another
// adapter.
package store
