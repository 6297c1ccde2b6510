// Package policies embeds the scheme files shipped with rooted: the
// default Zhejiang county points scheme and the insurance-weighted reform
// the schemes page compares it with, each beside its worked cases
// (*.test.yaml). It holds data only; internal/policy reads and checks it.
package policies
