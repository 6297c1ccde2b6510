// Package msg owns every message a person can read — on a page, in an API
// error, in a quarantine file, in a round's results, on the command line —
// in Simplified Chinese and English: the one Lang type, the one catalogue
// (zh.json and en.json, embedded) and T, which renders a key in a language.
//
// Keys are named by area, "area.name": err.* for errors shown to the
// reader, error.* for the lower layers' errors (the keys of apperr.E, whose
// English is also the text of Error()), quarantine.* for the reasons an
// import row is put aside, result.* for a round's refusal reasons and
// result explanations, raise.* for the actions that raise points, cli.*
// for the command line's own words, and the pages' areas (nav., round.,
// points., …). Code names a key as a
// whole string literal, so a reader (and TestCatalogue) can find every
// use; the few families whose last part is data (a role, a status) are
// built only with Key, whose prefixes are listed in Families.
//
// The catalogue is JSON rather than a Go table because translators and
// reviewers read one file per language, the keys were already in that
// shape for the templates, and the test — not the compiler — is what
// proves a key exists in both languages and is used.
package msg
