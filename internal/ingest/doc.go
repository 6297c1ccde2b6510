// Package ingest reads the spreadsheets that landlords, employers, the
// social-insurance bureau and officers hand the registry — CSV (UTF-8 or
// GB18030/GBK, detected) or XLSX — validates every row against the import
// contract (shared/contracts/import.md), writes the valid rows through a
// registry.Store in one batch per file, and writes the refused rows to a
// quarantine CSV with their line and reason.
//
// Import is the one entry point; `rooted import` and the web upload both
// call it. Files are streamed: memory grows with the registry's person count
// and the number of rows of a file (a few bytes each, for duplicate keys),
// never with the rows' contents.
//
// It is the files adapter (internal/archtest): spreadsheets in, and the
// publication files of a round out (PublicationFiles, which implements the
// interface internal/rounds defines). It writes only through registry.Store
// and must not import another adapter: the web console reaches it through
// web.Options.Import, which cmd/rooted sets.
package ingest
