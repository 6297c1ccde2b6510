// Command rooted is the one binary of the rooted new-citizen service
// platform: it generates a synthetic city, imports registry spreadsheets,
// issues residence permits, and serves the web interface. Run `rooted help`.
//
// It is the wiring (internal/archtest): the one package that imports the
// adapters together — store, web, ingest, demo — and hands one's work to
// another (web.Options.Import is ingest's importer; a round's publication
// files are ingest's). It holds no rule: each subcommand reads its flags
// and environment once, opens the store, calls the domain and prints the
// answer.
package main
