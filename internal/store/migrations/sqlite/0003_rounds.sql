-- Allocation rounds (internal/rounds), their applications, objections and
-- frozen documents; the append-only ledger (internal/ledger); officers'
-- holiday notices (internal/calendar). config is the JSON of
-- rounds.Config, exactly as recorded in the round's first ledger entry.
CREATE TABLE rounds (
	id             TEXT NOT NULL PRIMARY KEY,
	kind           TEXT NOT NULL,
	status         TEXT NOT NULL,
	config         TEXT NOT NULL,
	seed           TEXT NOT NULL DEFAULT '',
	seed_sha256    TEXT NOT NULL DEFAULT '',
	scheme_version TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	opened_on      TEXT,
	closed_on      TEXT,
	allocated_on   TEXT,
	published_on   TEXT,
	window_ends    TEXT,
	final_on       TEXT
) WITHOUT ROWID;

-- subject is the child (school rounds) or the applicant (housing): one
-- application that is not refused per subject and round. tiebreak is a JSON
-- array or ''; ticket is 16 hex digits or ''.
CREATE TABLE round_applications (
	round_id       TEXT    NOT NULL,
	seq            INTEGER NOT NULL,
	number         TEXT    NOT NULL,
	applicant      TEXT    NOT NULL,
	applicant_name TEXT    NOT NULL DEFAULT '',
	child          TEXT    NOT NULL DEFAULT '',
	child_name     TEXT    NOT NULL DEFAULT '',
	subject        TEXT    NOT NULL,
	household      INTEGER NOT NULL DEFAULT 0,
	choices        TEXT    NOT NULL DEFAULT '',
	applied_on     TEXT,
	status         TEXT    NOT NULL,
	reason         TEXT    NOT NULL DEFAULT '',
	detail         TEXT    NOT NULL DEFAULT '',
	points         REAL    NOT NULL DEFAULT 0,
	tiebreak       TEXT    NOT NULL DEFAULT '',
	district       TEXT    NOT NULL DEFAULT '',
	placed         TEXT    NOT NULL DEFAULT '',
	choice         INTEGER NOT NULL DEFAULT 0,
	ticket         TEXT    NOT NULL DEFAULT '',
	wait_position  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (round_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX round_applications_live ON round_applications (round_id, subject) WHERE status <> 'refused';
CREATE INDEX round_applications_applicant ON round_applications (applicant);

CREATE TABLE round_objections (
	id        INTEGER PRIMARY KEY,
	round_id  TEXT NOT NULL,
	applicant TEXT NOT NULL,
	number    TEXT NOT NULL,
	at        TEXT NOT NULL,
	text      TEXT NOT NULL
);
CREATE INDEX round_objections_round ON round_objections (round_id);

CREATE TABLE round_documents (
	round_id TEXT NOT NULL,
	kind     TEXT NOT NULL,
	sha256   TEXT NOT NULL,
	body     TEXT NOT NULL,
	PRIMARY KEY (round_id, kind)
) WITHOUT ROWID;

-- The ledger: one hash chain per round (see internal/ledger). Append only:
-- the triggers refuse any UPDATE or DELETE.
CREATE TABLE ledger (
	round_id       TEXT    NOT NULL,
	seq            INTEGER NOT NULL,
	kind           TEXT    NOT NULL,
	at             TEXT    NOT NULL,
	payload        TEXT    NOT NULL,
	payload_sha256 TEXT    NOT NULL,
	prev_hash      TEXT    NOT NULL,
	hash           TEXT    NOT NULL,
	PRIMARY KEY (round_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER round_documents_no_update BEFORE UPDATE ON round_documents BEGIN SELECT RAISE(ABORT, 'round documents are written once'); END;

-- Holiday notices stored by officers, one per year, in the file format of
-- internal/calendar (body).
CREATE TABLE calendar_years (
	year       INTEGER NOT NULL PRIMARY KEY,
	notice     TEXT    NOT NULL DEFAULT '',
	body       TEXT    NOT NULL,
	updated_at TEXT    NOT NULL
);
