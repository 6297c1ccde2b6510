-- Sign-in: officer accounts, sessions, and the audit log of access to
-- personal data. Instants are INTEGER milliseconds since the Unix epoch
-- (UTC) on both engines. Sessions keep the SHA-256 of their token, never
-- the token. The audit log is append-only; subject holds the ID number
-- concerned and is shown masked.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL UNIQUE,
	role          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	created_at    INTEGER NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
	token_sha256 TEXT    NOT NULL PRIMARY KEY,
	kind         TEXT    NOT NULL,
	user_id      INTEGER NOT NULL DEFAULT 0,
	name         TEXT    NOT NULL DEFAULT '',
	role         TEXT    NOT NULL,
	subject      TEXT    NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE audit_log (
	id      INTEGER PRIMARY KEY,
	at      INTEGER NOT NULL,
	actor   TEXT    NOT NULL,
	role    TEXT    NOT NULL,
	action  TEXT    NOT NULL,
	subject TEXT    NOT NULL DEFAULT '',
	reason  TEXT    NOT NULL DEFAULT '',
	ip      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
