// Package policy is the points engine: it loads a points scheme (a YAML
// file of typed inputs, dated versions and rules whose formulas are CEL
// expressions), refuses one that does not type-check, and scores persons
// under the version in force on a day — one at a time (Scheme.Evaluate, with
// an explanation per rule) or by the million (Batch, ScoreJSONL).
//
// Expressions are type-checked with cel-go and compiled into vector
// operations over columns of float64 (see compile.go); nothing is
// interpreted per person. The package also reads the fact kinds a scheme
// declares for the registry (FactKinds) and checks and resolves how its
// inputs are derived from the registry (the `derive:` section, DerivePlan;
// internal/points interprets it).
//
// It owns the scheme format and its evaluation. It must not speak SQL or
// HTTP; the only files it reads are the scheme and case files it is given
// by path (or the embedded ones of package policies).
package policy
