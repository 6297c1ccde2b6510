// Package auth holds who may use rooted and what each may see: officer
// accounts and their roles, the scopes each role is granted, password
// hashing, session tokens, one-time codes for citizens, and the limits on
// sign-in attempts. It is domain code: no HTTP and no SQL. internal/store
// persists users, sessions and the audit log behind Store, and the state
// of sign-in limits and one-time codes behind SignInStore; internal/web
// speaks it over HTTP.
//
// It owns the table of roles and scopes: a page or route asks it whether a
// caller may act, and never decides that itself. It must not speak HTTP or
// SQL (internal/archtest).
package auth
