// Package rounds runs allocation rounds from the registry: school
// enrollment (primary grade 1, junior grade 7) and housing (public rental
// housing, talent apartments). A round is created with its places and
// seats (or unit types and units), opened with a published commitment to a
// secret lottery seed, takes applications checked against the registry
// (no paper proofs), is closed (the gates and priorities evaluated as of
// the close date, the inputs frozen and their digest recorded), allocated
// with internal/alloc (the seed revealed), published for objections (公示,
// a number of official working days, internal/calendar) and finalised.
//
//	draft → open → closed → allocated → published → final
//
// During the 公示 window an applicant (or a guardian of the child applied
// for) may object. The department that runs the round answers each
// objection: upheld (成立) or dismissed (不成立), with a reply, recorded in
// the chain like the objection (the digest of the text, not the text). A
// round is made final only once the window has ended and every objection
// is answered. An upheld objection does not change the allocation: the
// allocation is the deterministic result of the frozen input and the seed,
// which the export lets anyone re-run, so editing a result by hand would
// break exactly what makes it checkable. The reply says what the
// department will do instead — correct the registry and run a new round,
// offer a place left free, and so on; a re-run is a new round with its own
// chain.
//
// Every step is recorded in the round's hash chain (internal/ledger), and
// Export writes a self-contained file that Verify (and `rooted verify`)
// checks by re-running the allocation.
//
// This is domain code: it knows the registry, the points engine and the
// allocation engine, and talks to the database through Store, which
// internal/store implements. No SQL, no HTTP, no spreadsheets.
package rounds
