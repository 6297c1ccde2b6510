-- Allocation rounds (internal/rounds), their applications, objections and
-- frozen documents; the append-only ledger (internal/ledger); officers'
-- holiday notices (internal/calendar). As in SQLite, but dates are DATE.
-- config is the JSON of rounds.Config, exactly as recorded in the round's
-- first ledger entry (TEXT, not JSONB, so that its bytes are kept).
CREATE TABLE rounds (
	id             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	kind           TEXT NOT NULL,
	status         TEXT NOT NULL,
	config         TEXT NOT NULL,
	seed           TEXT NOT NULL DEFAULT '',
	seed_sha256    TEXT NOT NULL DEFAULT '',
	scheme_version TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	opened_on      DATE,
	closed_on      DATE,
	allocated_on   DATE,
	published_on   DATE,
	window_ends    DATE,
	final_on       DATE
);

CREATE TABLE round_applications (
	round_id       TEXT COLLATE "C" NOT NULL,
	seq            INTEGER          NOT NULL,
	number         TEXT COLLATE "C" NOT NULL,
	applicant      TEXT COLLATE "C" NOT NULL,
	applicant_name TEXT             NOT NULL DEFAULT '',
	child          TEXT COLLATE "C" NOT NULL DEFAULT '',
	child_name     TEXT             NOT NULL DEFAULT '',
	subject        TEXT COLLATE "C" NOT NULL,
	household      INTEGER          NOT NULL DEFAULT 0,
	choices        TEXT             NOT NULL DEFAULT '',
	applied_on     DATE,
	status         TEXT             NOT NULL,
	reason         TEXT             NOT NULL DEFAULT '',
	detail         TEXT             NOT NULL DEFAULT '',
	points         DOUBLE PRECISION NOT NULL DEFAULT 0,
	tiebreak       TEXT             NOT NULL DEFAULT '',
	district       TEXT             NOT NULL DEFAULT '',
	placed         TEXT             NOT NULL DEFAULT '',
	choice         INTEGER          NOT NULL DEFAULT 0,
	ticket         TEXT             NOT NULL DEFAULT '',
	wait_position  INTEGER          NOT NULL DEFAULT 0,
	PRIMARY KEY (round_id, seq)
);
CREATE UNIQUE INDEX round_applications_live ON round_applications (round_id, subject) WHERE status <> 'refused';
CREATE INDEX round_applications_applicant ON round_applications (applicant);

CREATE TABLE round_objections (
	id        BIGSERIAL PRIMARY KEY,
	round_id  TEXT COLLATE "C" NOT NULL,
	applicant TEXT COLLATE "C" NOT NULL,
	number    TEXT NOT NULL,
	at        TEXT NOT NULL,
	text      TEXT NOT NULL
);
CREATE INDEX round_objections_round ON round_objections (round_id);

CREATE TABLE round_documents (
	round_id TEXT COLLATE "C" NOT NULL,
	kind     TEXT NOT NULL,
	sha256   TEXT NOT NULL,
	body     TEXT NOT NULL,
	PRIMARY KEY (round_id, kind)
);

-- The ledger: one hash chain per round (see internal/ledger). Append only:
-- the trigger refuses any UPDATE, DELETE or TRUNCATE.
CREATE TABLE ledger (
	round_id       TEXT COLLATE "C" NOT NULL,
	seq            BIGINT NOT NULL,
	kind           TEXT   NOT NULL,
	at             TEXT   NOT NULL,
	payload        TEXT   NOT NULL,
	payload_sha256 TEXT   NOT NULL,
	prev_hash      TEXT   NOT NULL,
	hash           TEXT   NOT NULL,
	PRIMARY KEY (round_id, seq)
);
CREATE FUNCTION rooted_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION rooted_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger FOR EACH STATEMENT EXECUTE FUNCTION rooted_append_only();
CREATE TRIGGER round_documents_append_only BEFORE UPDATE ON round_documents FOR EACH ROW EXECUTE FUNCTION rooted_append_only();

CREATE TABLE calendar_years (
	year       INTEGER NOT NULL PRIMARY KEY,
	notice     TEXT    NOT NULL DEFAULT '',
	body       TEXT    NOT NULL,
	updated_at TEXT    NOT NULL
);
