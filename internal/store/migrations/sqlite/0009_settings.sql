-- settings: facts about the database itself, one value per key, written
-- rarely and read when a server or command starts. The key "sandbox" =
-- "true" marks a database created as a demo sandbox (rooted demo, or
-- rooted migrate --sandbox): only there may a command that changes state
-- be run as of another day (--as-of), and every page says 演示数据.
-- Number 0009 sits before migrations applied earlier on existing
-- databases; the runner applies each missing version, whatever its place.
CREATE TABLE settings (
	key   TEXT NOT NULL PRIMARY KEY,
	value TEXT NOT NULL
);
