// Package pgtest gives tests a fresh, empty PostgreSQL database each.
//
// The server is, in order of preference: the one named by the environment
// variable ROOTED_TEST_POSTGRES (a DSN whose user may CREATE DATABASE), or a
// throwaway cluster that this package starts once per test binary with the
// initdb and pg_ctl found on PATH (fsync off; as root, it runs them as the
// postgres user). A test binary that uses DSN should call Main from its
// TestMain so that the cluster is stopped and its directory removed.
//
// When no server can be had, DSN skips the test with a message starting
// "PostgreSQL not available:", or fails it when ROOTED_REQUIRE_POSTGRES=1.
//
// It is test support (internal/archtest): no package's non-test code may
// import it.
package pgtest
