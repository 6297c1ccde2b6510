-- rooted registry, SQLite. Dates are TEXT 'YYYY-MM-DD' (NULL = no date);
-- text columns hold '' for empty. import_id is provenance (imports.id of the
-- run that last inserted or changed the row) and NULL for seeded rows.

CREATE TABLE imports (
	id          INTEGER PRIMARY KEY,
	file        TEXT    NOT NULL DEFAULT '',
	sha256      TEXT    NOT NULL DEFAULT '',
	kind        TEXT    NOT NULL DEFAULT '',
	read        INTEGER NOT NULL DEFAULT 0,
	accepted    INTEGER NOT NULL DEFAULT 0,
	quarantined INTEGER NOT NULL DEFAULT 0,
	changed     INTEGER NOT NULL DEFAULT 0,
	at          TEXT    NOT NULL
);

CREATE TABLE towns (
	code      TEXT NOT NULL PRIMARY KEY,
	name      TEXT NOT NULL DEFAULT '',
	kind      TEXT NOT NULL DEFAULT '',
	import_id INTEGER
) WITHOUT ROWID;

CREATE TABLE schools (
	code        TEXT    NOT NULL PRIMARY KEY,
	name        TEXT    NOT NULL DEFAULT '',
	town        TEXT    NOT NULL DEFAULT '',
	level       TEXT    NOT NULL DEFAULT '',
	entry_seats INTEGER NOT NULL DEFAULT 0,
	import_id   INTEGER
) WITHOUT ROWID;

-- A rowid table: imports insert persons in no key order, and the narrow
-- primary-key index takes scattered inserts better than a WITHOUT ROWID
-- table whose leaves hold whole rows.
CREATE TABLE persons (
	id_number  TEXT NOT NULL PRIMARY KEY,
	name       TEXT NOT NULL DEFAULT '',
	phone      TEXT NOT NULL DEFAULT '',
	education  TEXT NOT NULL DEFAULT '',
	hukou_type TEXT NOT NULL DEFAULT '',
	birth_date TEXT,
	sex        TEXT NOT NULL DEFAULT '',
	origin     TEXT NOT NULL DEFAULT '',
	import_id  INTEGER
);

CREATE TABLE guardians (
	child     TEXT NOT NULL,
	guardian  TEXT NOT NULL,
	import_id INTEGER,
	PRIMARY KEY (child, guardian)
) WITHOUT ROWID;
CREATE INDEX guardians_guardian ON guardians (guardian);

CREATE TABLE residences (
	id_number TEXT NOT NULL,
	since     TEXT NOT NULL,
	address   TEXT NOT NULL,
	town      TEXT NOT NULL DEFAULT '',
	until     TEXT,
	kind      TEXT NOT NULL DEFAULT '',
	source    TEXT NOT NULL DEFAULT '',
	import_id INTEGER,
	PRIMARY KEY (id_number, since, address)
) WITHOUT ROWID;

CREATE TABLE jobs (
	id_number     TEXT NOT NULL,
	employer_uscc TEXT NOT NULL,
	since         TEXT NOT NULL,
	employer_name TEXT NOT NULL DEFAULT '',
	until         TEXT,
	contract      TEXT NOT NULL DEFAULT '',
	import_id     INTEGER,
	PRIMARY KEY (id_number, employer_uscc, since)
) WITHOUT ROWID;
CREATE INDEX jobs_employer ON jobs (employer_uscc);

CREATE TABLE insurance (
	id_number     TEXT NOT NULL,
	kind          TEXT NOT NULL,
	from_month    TEXT NOT NULL,
	to_month      TEXT,
	employer_uscc TEXT NOT NULL DEFAULT '',
	import_id     INTEGER,
	PRIMARY KEY (id_number, kind, from_month)
) WITHOUT ROWID;

CREATE TABLE facts (
	id_number TEXT NOT NULL,
	kind      TEXT NOT NULL,
	date      TEXT NOT NULL,
	value     TEXT NOT NULL DEFAULT '',
	import_id INTEGER,
	PRIMARY KEY (id_number, kind, date)
) WITHOUT ROWID;

CREATE TABLE permits (
	number     TEXT NOT NULL PRIMARY KEY,
	id_number  TEXT NOT NULL,
	town       TEXT NOT NULL DEFAULT '',
	issued_on  TEXT,
	valid_to   TEXT,
	status     TEXT NOT NULL DEFAULT '',
	lapsed_on  TEXT,
	updated_on TEXT
) WITHOUT ROWID;
CREATE INDEX permits_id_number ON permits (id_number);
CREATE INDEX permits_status ON permits (status, valid_to);

CREATE TABLE permit_events (
	id        INTEGER PRIMARY KEY,
	permit    TEXT NOT NULL,
	id_number TEXT NOT NULL,
	kind      TEXT NOT NULL,
	on_date   TEXT,
	reason    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX permit_events_permit ON permit_events (permit);
CREATE INDEX permit_events_id_number ON permit_events (id_number);
