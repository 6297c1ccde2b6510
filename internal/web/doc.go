// Package web serves rooted over HTTP: the citizen portal, the officer
// console and the JSON API under /api/v1/, all from one handler built by
// New. Every route is listed in routes() (routes.go).
//
// Pages are server-rendered html/template files embedded in the binary,
// with htmx for partial updates and Apache ECharts for charts, both
// vendored under static/vendor/ (no CDN). Every string a page shows comes
// from the one message catalogue, internal/msg (zh-CN by default, English by a cookie or
// Accept-Language).
//
// Who may see what: anonymous callers get aggregate figures only. Citizens
// sign in with their ID number and a one-time code (CodeSender) and see
// their own family only. Officers sign in with a name and password and see
// what their role's scopes allow (internal/auth). Scripts use the
// deployment's API token, which acts as an admin. Sessions live in the
// store (hashed); every unmasking of an ID number is written to the audit
// log with the officer's reason. State-changing requests from other
// origins are refused (http.CrossOriginProtection).
//
// It is the HTTP adapter (internal/archtest). It must not speak SQL (it uses
// the Store interface it defines, which internal/store implements) nor
// import another adapter: what it needs of internal/ingest, the console's
// imports, comes through Options.Import, which cmd/rooted sets.
package web
