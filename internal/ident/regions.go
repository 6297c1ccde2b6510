package ident

// provinces maps the 2-digit province-level codes of GB/T 2260 to names.
// (Filled in by regions data; see regions_data.go.)
var provinces = map[string]string{}
