// Package alloc is the allocation engine: it places applicants in schools
// (or housing) by points, with student-proposing deferred acceptance, so that
// anyone holding the published input can re-run a round and get the same
// result (contract: shared/contracts/allocate.md).
//
// The package is pure: no files, no network, no database. An Instance is one
// round's input, Allocate turns it into a Result, and ParseInstance and the
// AppendJSON methods are the contract's published JSON form. Rounds stored in
// the database build an Instance from their rows and keep the Result.
//
// Priority at a school, strict and the same for every school except for the
// district rule: applicants whose district equals the school's district (when
// the school has one) first; then more points; then the higher tie-break
// vector, element by element; then the lower lottery Ticket. Two distinct ids
// with the same 64-bit ticket (a chance of about 1 in 10^7 per round of a
// million applicants) are ordered by id, bytewise, so the order stays strict
// and independent of input order.
//
// It owns the allocation rule and its published JSON form. It must not read
// the registry, the database or the clock: internal/rounds builds the
// Instance and keeps the Result.
package alloc
