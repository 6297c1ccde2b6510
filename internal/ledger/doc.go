// Package ledger is the append-only, hash-chained record of the decisions
// rooted takes: each allocation round's configuration, the commitment to
// its lottery seed, the digest of its inputs, the seed revealed, the digest
// of its outputs, its publication, objections and the answers to them, and
// finalisation.
//
// Each round has its own chain, so that a round's entries, exported, can be
// checked by anyone without the rest of the ledger:
//
//	entry.hash = SHA-256(prev_hash bytes || canonical(entry))
//
// where prev_hash is the previous entry's hash of the same round (for the
// first entry, Genesis(round)) and canonical(entry) is the compact JSON
// object {"seq":…,"round":…,"kind":…,"at":…,"payload_sha256":…} with the
// keys in that order (see Canonical). The payload itself is compact JSON
// whose SHA-256 is payload_sha256. Changing any field of any entry, or
// dropping or reordering entries, breaks the chain from that entry on, and
// Verify names the first one.
//
// The package is pure: the store keeps the entries (append only), the
// rounds service decides what is recorded.
//
// It must not decide what is recorded nor read the clock: the time of an
// entry is given to it.
package ledger
