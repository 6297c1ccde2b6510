-- rooted registry, PostgreSQL. Dates are DATE (NULL = no date); text
-- columns hold '' for empty. Keys compare bytewise (COLLATE "C"), like
-- SQLite, so keyset pagination orders the same on both engines. import_id
-- is provenance (imports.id of the run that last inserted or changed the
-- row) and NULL for seeded rows.

CREATE TABLE imports (
	id          BIGSERIAL PRIMARY KEY,
	file        TEXT        NOT NULL DEFAULT '',
	sha256      TEXT        NOT NULL DEFAULT '',
	kind        TEXT        NOT NULL DEFAULT '',
	read        BIGINT      NOT NULL DEFAULT 0,
	accepted    BIGINT      NOT NULL DEFAULT 0,
	quarantined BIGINT      NOT NULL DEFAULT 0,
	changed     BIGINT      NOT NULL DEFAULT 0,
	at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE towns (
	code      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	name      TEXT NOT NULL DEFAULT '',
	kind      TEXT NOT NULL DEFAULT '',
	import_id BIGINT
);

CREATE TABLE schools (
	code        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	name        TEXT    NOT NULL DEFAULT '',
	town        TEXT    NOT NULL DEFAULT '',
	level       TEXT    NOT NULL DEFAULT '',
	entry_seats INTEGER NOT NULL DEFAULT 0,
	import_id   BIGINT
);

CREATE TABLE persons (
	id_number  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	name       TEXT NOT NULL DEFAULT '',
	phone      TEXT NOT NULL DEFAULT '',
	education  TEXT NOT NULL DEFAULT '',
	hukou_type TEXT NOT NULL DEFAULT '',
	birth_date DATE,
	sex        TEXT NOT NULL DEFAULT '',
	origin     TEXT NOT NULL DEFAULT '',
	import_id  BIGINT
);

CREATE TABLE guardians (
	child     TEXT COLLATE "C" NOT NULL,
	guardian  TEXT COLLATE "C" NOT NULL,
	import_id BIGINT,
	PRIMARY KEY (child, guardian)
);
CREATE INDEX guardians_guardian ON guardians (guardian);

CREATE TABLE residences (
	id_number TEXT COLLATE "C" NOT NULL,
	since     DATE NOT NULL,
	address   TEXT COLLATE "C" NOT NULL,
	town      TEXT NOT NULL DEFAULT '',
	until     DATE,
	kind      TEXT NOT NULL DEFAULT '',
	source    TEXT NOT NULL DEFAULT '',
	import_id BIGINT,
	PRIMARY KEY (id_number, since, address)
);

CREATE TABLE jobs (
	id_number     TEXT COLLATE "C" NOT NULL,
	employer_uscc TEXT COLLATE "C" NOT NULL,
	since         DATE NOT NULL,
	employer_name TEXT NOT NULL DEFAULT '',
	until         DATE,
	contract      TEXT NOT NULL DEFAULT '',
	import_id     BIGINT,
	PRIMARY KEY (id_number, employer_uscc, since)
);
CREATE INDEX jobs_employer ON jobs (employer_uscc);

CREATE TABLE insurance (
	id_number     TEXT COLLATE "C" NOT NULL,
	kind          TEXT COLLATE "C" NOT NULL,
	from_month    DATE NOT NULL,
	to_month      DATE,
	employer_uscc TEXT NOT NULL DEFAULT '',
	import_id     BIGINT,
	PRIMARY KEY (id_number, kind, from_month)
);

CREATE TABLE facts (
	id_number TEXT COLLATE "C" NOT NULL,
	kind      TEXT COLLATE "C" NOT NULL,
	date      DATE NOT NULL,
	value     TEXT NOT NULL DEFAULT '',
	import_id BIGINT,
	PRIMARY KEY (id_number, kind, date)
);

CREATE TABLE permits (
	number     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	id_number  TEXT COLLATE "C" NOT NULL,
	town       TEXT NOT NULL DEFAULT '',
	issued_on  DATE,
	valid_to   DATE,
	status     TEXT NOT NULL DEFAULT '',
	lapsed_on  DATE,
	updated_on DATE
);
CREATE INDEX permits_id_number ON permits (id_number);
CREATE INDEX permits_status ON permits (status, valid_to);

CREATE TABLE permit_events (
	id        BIGSERIAL PRIMARY KEY,
	permit    TEXT COLLATE "C" NOT NULL,
	id_number TEXT COLLATE "C" NOT NULL,
	kind      TEXT NOT NULL,
	on_date   DATE,
	reason    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX permit_events_permit ON permit_events (permit);
CREATE INDEX permit_events_id_number ON permit_events (id_number);
