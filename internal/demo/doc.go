// Package demo generates a synthetic city of new citizens modelled on Wenling
// (温岭市), Zhejiang: towns, schools, migrant persons and their households,
// residences, jobs with the firms of the local industry clusters, social
// insurance periods, and the dated facts the points scheme reads. The files
// follow the import contract (rooted import reads them unchanged), so the
// demo exercises the same path as a real city's feeds.
//
// The figures the city is drawn from live in calibration.go with their
// sources. Generation is deterministic: the same Persons, Seed and AsOf give
// byte-identical files. It streams household by household, so a million
// persons need little memory beyond the set of ID numbers already used.
//
// It is an adapter (internal/archtest): it writes files, and imports only
// domain packages. It must not write to a database: its files reach the
// registry through `rooted import`, as a real city's do.
package demo
