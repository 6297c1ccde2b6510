// Package archtest keeps the architecture honest. Its tests place every
// package of the module in one table — domain (what the city decides),
// adapter (one technology at the edge: SQL, HTTP, files), wiring
// (cmd/rooted) or test support — and fail when a package is not placed,
// when a domain package depends on I/O or on an adapter, when an adapter
// depends on another adapter, or when a package has no doc.go saying what
// it owns.
//
// It holds no code the product runs; a new package gets a row in its
// table, which is where the decision of its place is reviewed.
package archtest
