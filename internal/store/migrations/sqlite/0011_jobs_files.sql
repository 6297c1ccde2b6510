-- Durable jobs (internal/jobs; the table "jobs" holds employment): work any server may take, with its
-- progress and result stored. At most one live (queued or running) job per
-- kind and key. Times are Unix milliseconds; 0 is "not yet".
CREATE TABLE job_queue (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	kind           TEXT NOT NULL,
	job_key        TEXT NOT NULL,
	owner          TEXT NOT NULL DEFAULT '',
	state          TEXT NOT NULL,
	progress_done  INTEGER NOT NULL DEFAULT 0,
	progress_total INTEGER NOT NULL DEFAULT 0,
	message        TEXT NOT NULL DEFAULT '',
	input          TEXT NOT NULL DEFAULT '',
	result         TEXT NOT NULL DEFAULT '',
	error          TEXT NOT NULL DEFAULT '',
	attempts       INTEGER NOT NULL DEFAULT 0,
	worker         TEXT NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL,
	started_at     INTEGER NOT NULL DEFAULT 0,
	finished_at    INTEGER NOT NULL DEFAULT 0,
	lease_until    INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX job_queue_live ON job_queue (kind, job_key) WHERE state IN ('queued', 'running');
CREATE INDEX job_queue_claim ON job_queue (state, id);
CREATE INDEX job_queue_owner ON job_queue (owner, kind, id);
CREATE INDEX job_queue_done ON job_queue (kind, job_key, finished_at) WHERE state = 'done';

-- Files: uploads waiting for their import job and the quarantine files
-- jobs make, reachable from every server. The content is in chunks of at
-- most 1 MiB, written one short transaction each; complete = 0 while it is
-- being written. A file is removed after expires_at (by the sweep every
-- server runs).
CREATE TABLE files (
	id         TEXT PRIMARY KEY,
	owner      TEXT NOT NULL,
	name       TEXT NOT NULL,
	size       INTEGER NOT NULL DEFAULT 0,
	sha256     TEXT NOT NULL DEFAULT '',
	complete   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX files_expires ON files (expires_at);
CREATE TABLE file_chunks (
	file_id TEXT NOT NULL,
	seq     INTEGER NOT NULL,
	data    BLOB NOT NULL,
	PRIMARY KEY (file_id, seq)
);
