-- Scores: one row per person, as-of date, scheme version and input digest,
-- appended by `rooted score --db` and never updated. A re-run with the same
-- inputs inserts nothing (the unique key); changed inputs add a row beside
-- the old ones, so a person's history of scores is kept. eligible is a JSON
-- object (service → bool, the services the scheme declares), items a JSON
-- array of {"code","points"} for every rule; both are TEXT, as in SQLite.
CREATE TABLE scores (
	id            BIGSERIAL PRIMARY KEY,
	id_number     TEXT COLLATE "C" NOT NULL,
	as_of         DATE             NOT NULL,
	scheme        TEXT COLLATE "C" NOT NULL,
	version       TEXT COLLATE "C" NOT NULL,
	inputs_sha256 TEXT COLLATE "C" NOT NULL,
	total         DOUBLE PRECISION NOT NULL,
	school_points DOUBLE PRECISION NOT NULL,
	frozen        BOOLEAN          NOT NULL,
	eligible      TEXT             NOT NULL DEFAULT '{}',
	items         TEXT             NOT NULL DEFAULT '[]',
	scored_at     TIMESTAMPTZ      NOT NULL,
	UNIQUE (id_number, as_of, scheme, version, inputs_sha256)
);
CREATE INDEX scores_run ON scores (as_of, scheme, version);
