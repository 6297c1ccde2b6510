-- Objections answered (internal/rounds): each objection gets its number
-- within the round (seq: 1, 2, … in the order filed, as the ledger counts
-- them; numbered here for objections filed before) and the department's
-- answer: decision ('upheld' or 'dismissed'; '' until answered), the
-- reply, who answered (officer's user name) and when (RFC 3339, UTC, '' until
-- answered). An answer is given once: the trigger refuses to change it.
ALTER TABLE round_objections
	ADD COLUMN seq        INTEGER NOT NULL DEFAULT 0,
	ADD COLUMN decision   TEXT    NOT NULL DEFAULT '' CHECK (decision IN ('', 'upheld', 'dismissed')),
	ADD COLUMN reply      TEXT    NOT NULL DEFAULT '',
	ADD COLUMN decided_by TEXT    NOT NULL DEFAULT '',
	ADD COLUMN decided_at TEXT    NOT NULL DEFAULT '';
UPDATE round_objections SET seq = (SELECT COUNT(*) FROM round_objections o
	WHERE o.round_id = round_objections.round_id AND o.id <= round_objections.id);
CREATE UNIQUE INDEX round_objections_seq ON round_objections (round_id, seq);
CREATE FUNCTION rooted_answered_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'an answered objection is final';
END;
$$;
CREATE TRIGGER round_objections_answered_once BEFORE UPDATE ON round_objections
	FOR EACH ROW WHEN (OLD.decision <> '') EXECUTE FUNCTION rooted_answered_once();
