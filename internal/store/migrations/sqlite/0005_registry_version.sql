-- The registry's version: one row, whose n grows by one in the same
-- transaction as every change to the registry that commits (an import, a
-- permits run). Readers that cache what they derive from the registry
-- (the web server's points pages) compare it with the n they cached at,
-- so a change made by any process is seen by every server.
CREATE TABLE registry_version (
	id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	n  INTEGER  NOT NULL
);
INSERT INTO registry_version (id, n) VALUES (1, 0);
