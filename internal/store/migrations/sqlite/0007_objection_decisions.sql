-- Objections answered (internal/rounds): each objection gets its number
-- within the round (seq: 1, 2, … in the order filed, as the ledger counts
-- them; numbered here for objections filed before) and the department's
-- answer: decision ('upheld' or 'dismissed'; '' until answered), the
-- reply, who answered (officer's user name) and when (RFC 3339, UTC, '' until
-- answered). An answer is given once: the trigger refuses to change it.
ALTER TABLE round_objections ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE round_objections ADD COLUMN decision TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'upheld', 'dismissed'));
ALTER TABLE round_objections ADD COLUMN reply TEXT NOT NULL DEFAULT '';
ALTER TABLE round_objections ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE round_objections ADD COLUMN decided_at TEXT NOT NULL DEFAULT '';
UPDATE round_objections SET seq = (SELECT COUNT(*) FROM round_objections o
	WHERE o.round_id = round_objections.round_id AND o.id <= round_objections.id);
CREATE UNIQUE INDEX round_objections_seq ON round_objections (round_id, seq);
CREATE TRIGGER round_objections_answered_once BEFORE UPDATE ON round_objections WHEN OLD.decision <> ''
BEGIN SELECT RAISE(ABORT, 'an answered objection is final'); END;
