// Package registry holds what the city knows about its new citizens: persons
// and the guardian links between parents and children, where they live, where
// they work, their social-insurance periods, dated facts that the points
// scheme reads, residence permits, and the towns and schools of the city.
//
// Every record is dated (valid from / to, or a month range, or a day), so that
// the registry as of any past date can be rebuilt from the records alone. The
// package knows nothing of SQL or HTTP: it defines the records, their
// validation, the permit rule, and the Store interface that adapters implement.
//
// It owns the records and their invariants (Validate) and the interfaces
// the adapters implement, each method's doc saying which errors it
// returns; it must not do I/O (internal/archtest).
package registry
