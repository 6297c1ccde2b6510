package policies

import "embed"

// FS holds every *.yaml scheme file of this folder.
//
//go:embed *.yaml
var FS embed.FS

// Default is the file name of the scheme used when none is given.
const Default = "zhejiang-county-default.yaml"
