-- Sign-in: officer accounts, sessions, and the audit log of access to
-- personal data. Instants are BIGINT milliseconds since the Unix epoch
-- (UTC) on both engines. Sessions keep the SHA-256 of their token, never
-- the token. The audit log is append-only; subject holds the ID number
-- concerned and is shown masked.
CREATE TABLE users (
	id            BIGSERIAL PRIMARY KEY,
	name          TEXT    NOT NULL UNIQUE,
	role          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	created_at    BIGINT  NOT NULL,
	disabled      BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE sessions (
	token_sha256 TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	kind         TEXT   NOT NULL,
	user_id      BIGINT NOT NULL DEFAULT 0,
	name         TEXT   NOT NULL DEFAULT '',
	role         TEXT   NOT NULL,
	subject      TEXT   NOT NULL DEFAULT '',
	created_at   BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE audit_log (
	id      BIGSERIAL PRIMARY KEY,
	at      BIGINT NOT NULL,
	actor   TEXT   NOT NULL,
	role    TEXT   NOT NULL,
	action  TEXT   NOT NULL,
	subject TEXT   NOT NULL DEFAULT '',
	reason  TEXT   NOT NULL DEFAULT '',
	ip      TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
