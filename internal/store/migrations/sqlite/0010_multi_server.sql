-- Many servers, one database (issue 20): what one server decides, every
-- other must see at once. Instants are INTEGER milliseconds since the Unix
-- epoch (UTC) on both engines.
--
-- auth_generation: one row, whose n grows by one in the same transaction
-- as every sign-out, role change or account lock. Servers cache sessions
-- for a while; each reads n a few times a second and drops its cached
-- sessions when n has changed.
CREATE TABLE auth_generation (
	id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	n  INTEGER NOT NULL
);
INSERT INTO auth_generation (id, n) VALUES (1, 0);

-- server_secrets: keys a deployment without configured key files
-- generates once and every server then shares (the seal key of
-- references to persons in pages). value is hex.
CREATE TABLE server_secrets (
	name       TEXT    NOT NULL PRIMARY KEY,
	value      TEXT    NOT NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- signin_failures: consecutive failed sign-ins per account (a citizen's
-- ID number, as an HMAC like signin_limits' keys), across the windows of
-- the rate limits. Only a successful sign-in or an officer removes a row:
-- at the cap (capped_at > 0) the account stays locked.
CREATE TABLE signin_failures (
	key_sha256 TEXT    NOT NULL PRIMARY KEY,
	failures   INTEGER NOT NULL,
	last_at    INTEGER NOT NULL,
	capped_at  INTEGER NOT NULL DEFAULT 0 -- 0: under the cap
) WITHOUT ROWID;
CREATE INDEX signin_failures_last ON signin_failures (last_at);
CREATE INDEX signin_failures_capped ON signin_failures (capped_at);

-- signin_failure_minutes: how many sign-ins failed in each minute (Unix
-- minutes), for the officers' view of mass attempts; kept a day.
CREATE TABLE signin_failure_minutes (
	minute INTEGER NOT NULL PRIMARY KEY,
	n      INTEGER NOT NULL
);
