-- Scores: one row per person, as-of date, scheme version and input digest,
-- appended by `rooted score --db` and never updated. A re-run with the same
-- inputs inserts nothing (the unique key); changed inputs add a row beside
-- the old ones, so a person's history of scores is kept. eligible is a JSON
-- object (service → bool, the services the scheme declares), items a JSON
-- array of {"code","points"} for every rule.
CREATE TABLE scores (
	id            INTEGER PRIMARY KEY,
	id_number     TEXT    NOT NULL,
	as_of         TEXT    NOT NULL,
	scheme        TEXT    NOT NULL,
	version       TEXT    NOT NULL,
	inputs_sha256 TEXT    NOT NULL,
	total         REAL    NOT NULL,
	school_points REAL    NOT NULL,
	frozen        INTEGER NOT NULL,
	eligible      TEXT    NOT NULL DEFAULT '{}',
	items         TEXT    NOT NULL DEFAULT '[]',
	scored_at     TEXT    NOT NULL,
	UNIQUE (id_number, as_of, scheme, version, inputs_sha256)
);
CREATE INDEX scores_run ON scores (as_of, scheme, version);
