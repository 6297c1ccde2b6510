// Package jobs runs durable background work: an import from the web, and
// later any computation too long for a request (the reform comparison,
// housing, the forecast). A job is a row in the database, not a goroutine
// of one process: any server may take it, its progress and result are
// stored, and a server that dies mid-job leaves it to another.
//
// The life of a job: Enqueue stores it queued (or returns the queued or
// running job of the same kind and key, so that a double submit does one
// piece of work); a Runner on some server claims it (running, with a lease
// until some time); while its handler works the runner renews the lease
// and records progress (Heartbeat); it ends done with a result or failed
// with an error sentence (Finish). A running job whose lease has run out
// — its server stopped — is claimed again and re-run from the start, up to
// MaxAttempts claims, then failed. Handlers must therefore be safe to run
// again: an import file is one transaction, so a re-run either finds the
// file applied (and changes nothing) or applies it whole.
//
// The package holds no SQL and no HTTP: internal/store implements Store.
//
// It must not know what a job does: the packages that own the work (web's
// imports and computed views) register the handlers.
package jobs
