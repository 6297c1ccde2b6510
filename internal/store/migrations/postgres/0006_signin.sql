-- Sign-in state shared by every server of a cluster and kept across
-- restarts: the counts and lockouts of the sign-in limits (auth.Limiter)
-- and citizens' pending one-time codes (auth.Codes). Instants are BIGINT
-- milliseconds since the Unix epoch (UTC) on both engines. Neither table
-- holds an ID number or a code in clear: a limit's key is the SHA-256 of
-- the limiter's name and the key (an account, an address, an ID number);
-- a code is kept as an HMAC-SHA-256 of the ID number and the code, under
-- an HMAC of the ID number. A row whose expires_at has passed means
-- nothing any more and is purged.
CREATE TABLE signin_limits (
	key_sha256   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	window_start BIGINT  NOT NULL,
	events       INTEGER NOT NULL, -- in the window that started at window_start
	locked_until BIGINT  NOT NULL, -- 0 when never locked
	expires_at   BIGINT  NOT NULL  -- the later of locked_until and the window's end
);
CREATE INDEX signin_limits_expires ON signin_limits (expires_at);

CREATE TABLE signin_codes (
	subject_hmac TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	code_hmac    TEXT    NOT NULL,
	issued_at    BIGINT  NOT NULL,
	expires_at   BIGINT  NOT NULL,
	tries        INTEGER NOT NULL DEFAULT 0 -- checks so far, right or wrong
);
CREATE INDEX signin_codes_expires ON signin_codes (expires_at);
