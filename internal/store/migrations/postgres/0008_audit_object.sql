-- The audit log records what officers do, not only what they unmask: an
-- entry now names the object acted on (a round, an import), beside the
-- person (subject) an unmasking concerns. An entry has a reason (why: an
-- unmasking) or an object (what: a step of a round, an import), or both.
ALTER TABLE audit_log ADD COLUMN object TEXT NOT NULL DEFAULT '';
