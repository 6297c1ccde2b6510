// Package golden compares what a test renders — a page, an explanation, an
// export — with a file under the package's testdata, and rewrites the
// files when the test binary runs with -update:
//
//	go test ./internal/web -run Golden -update
//
// A difference fails the test with the first lines where the file and the
// rendering part, so that a change to what a person reads shows in review
// as a change of the file. It is test support (internal/archtest): only
// tests import it, and it owns nothing of what is rendered — each test
// says what is random per run and replaces it before comparing.
package golden
