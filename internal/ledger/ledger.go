package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Entry is one sealed record.
type Entry struct {
	Seq           int64           `json:"seq"` // 1, 2, … within the round
	Round         string          `json:"round"`
	Kind          string          `json:"kind"`
	At            time.Time       `json:"at"`             // UTC, microseconds
	Payload       json.RawMessage `json:"payload"`        // compact JSON
	PayloadSHA256 string          `json:"payload_sha256"` // hex
	PrevHash      string          `json:"prev_hash"`      // hex
	Hash          string          `json:"hash"`           // hex
}

// Draft is what a caller records; Seal turns it into an Entry.
type Draft struct {
	Kind    string
	At      time.Time
	Payload []byte // JSON; compacted by Seal
}

// Genesis returns the prev_hash of a round's first entry: the hex SHA-256
// of "rooted-ledger/1 " + round.
func Genesis(round string) string {
	sum := sha256.Sum256([]byte("rooted-ledger/1 " + round))
	return hex.EncodeToString(sum[:])
}

// ErrOutOfOrder is returned (wrapped) by Seal for an entry dated before
// the previous entry of its round.
var ErrOutOfOrder = errors.New("entry dated before the previous entry")

// Seal returns the entry that follows prev (nil for the first entry of the
// round) with d's content. It returns an error when the kind is empty, the
// payload is not JSON, or prev belongs to another round, and one wrapping
// ErrOutOfOrder when d is dated before prev.
func Seal(prev *Entry, round string, d Draft) (Entry, error) {
	if d.Kind == "" {
		return Entry{}, fmt.Errorf("ledger: round %q: entry without a kind", round)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, d.Payload); err != nil {
		return Entry{}, fmt.Errorf("ledger: round %q: %s payload: %w", round, d.Kind, err)
	}
	e := Entry{Seq: 1, Round: round, Kind: d.Kind, At: d.At.UTC().Truncate(time.Microsecond), Payload: buf.Bytes(), PrevHash: Genesis(round)}
	if prev != nil {
		if prev.Round != round {
			return Entry{}, fmt.Errorf("ledger: round %q: previous entry is of round %q", round, prev.Round)
		}
		if e.At.Before(prev.At) {
			return Entry{}, fmt.Errorf("ledger: round %q: %s at %s, after %s at %s: %w",
				round, d.Kind, FormatTime(e.At), prev.Kind, FormatTime(prev.At), ErrOutOfOrder)
		}
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.PayloadSHA256 = Digest(e.Payload)
	e.Hash = e.ComputeHash()
	return e, nil
}

// Digest returns the hex SHA-256 of b.
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Canonical returns the bytes the entry's hash covers after prev_hash:
// {"seq":N,"round":"…","kind":"…","at":"RFC 3339, UTC, µs","payload_sha256":"…"}.
func (e *Entry) Canonical() []byte {
	b := []byte(`{"seq":`)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `,"round":`...)
	b = appendJSONString(b, e.Round)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, e.Kind)
	b = append(b, `,"at":`...)
	b = appendJSONString(b, FormatTime(e.At))
	b = append(b, `,"payload_sha256":`...)
	b = appendJSONString(b, e.PayloadSHA256)
	return append(b, '}')
}

// FormatTime is how entries write instants: RFC 3339 in UTC with exactly
// six fractional digits.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

// ComputeHash returns SHA-256(prev_hash bytes || Canonical()) in hex; a
// prev_hash that is not hex counts as its text.
func (e *Entry) ComputeHash() string {
	prev, err := hex.DecodeString(e.PrevHash)
	if err != nil {
		prev = []byte(e.PrevHash)
	}
	h := sha256.New()
	h.Write(prev)
	h.Write(e.Canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// MismatchError is a broken chain: the first entry (by position) that does
// not check, and what does not.
type MismatchError struct {
	Index int    // position in the slice given to Verify
	Seq   int64  // the entry's seq as recorded
	Kind  string // the entry's kind as recorded
	Field string // "seq", "round", "payload_sha256", "prev_hash", "hash" or "at"
	Want  string
	Got   string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("ledger[%d] (seq %d, %s): %s is %s, want %s", e.Index, e.Seq, e.Kind, e.Field, e.Got, e.Want)
}

// Verify checks that entries are the whole chain of round from its first
// entry, in order: seq 1, 2, …; every entry of round; each payload's
// digest; each prev_hash the previous hash (Genesis for the first); each
// hash recomputed; each entry dated at or after the one before it. It
// returns nil or a *MismatchError naming the first entry that fails.
func Verify(round string, entries []Entry) error {
	return verify(round, entries, time.Time{})
}

// VerifyAt is Verify, and also reports (Field "at") the first entry dated
// after now: a decision recorded before it was taken.
func VerifyAt(round string, entries []Entry, now time.Time) error {
	return verify(round, entries, now)
}

func verify(round string, entries []Entry, now time.Time) error {
	prev := Genesis(round)
	for i := range entries {
		e := &entries[i]
		fail := func(field, want, got string) error {
			return &MismatchError{Index: i, Seq: e.Seq, Kind: e.Kind, Field: field, Want: want, Got: got}
		}
		if e.Seq != int64(i+1) {
			return fail("seq", strconv.Itoa(i+1), strconv.FormatInt(e.Seq, 10))
		}
		if e.Round != round {
			return fail("round", strconv.Quote(round), strconv.Quote(e.Round))
		}
		if d := Digest(e.Payload); d != e.PayloadSHA256 {
			return fail("payload_sha256", d+" (of the payload)", e.PayloadSHA256)
		}
		if e.PrevHash != prev {
			return fail("prev_hash", prev, e.PrevHash)
		}
		if h := e.ComputeHash(); h != e.Hash {
			return fail("hash", h+" (recomputed)", e.Hash)
		}
		if i > 0 && e.At.Before(entries[i-1].At) {
			return fail("at", "at or after "+FormatTime(entries[i-1].At)+" (the previous entry)", FormatTime(e.At))
		}
		if !now.IsZero() && e.At.After(now) {
			return fail("at", "at or before "+FormatTime(now)+" (now)", FormatTime(e.At))
		}
		prev = e.Hash
	}
	return nil
}
