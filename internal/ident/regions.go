package ident

import (
	"slices"
	"strings"
)

// Region is one GB/T 2260 administrative region.
type Region struct {
	Code   string // 2 digits for a province, 6 digits for a county-level unit
	Name   string // Chinese name as published, e.g. 浙江省, 温岭市
	NameEN string // English name; set for provinces, empty for counties
}

// ProvinceName returns the Chinese name of the province-level region whose
// 2-digit code is code2 (33 → 浙江省), and whether the code is one.
func ProvinceName(code2 string) (zh string, ok bool) {
	zh, ok = provinces[code2]
	return zh, ok
}

// ProvinceNameEN returns the English name of the province-level region whose
// 2-digit code is code2 (33 → Zhejiang), or "" when it is not one.
func ProvinceNameEN(code2 string) string { return provincesEN[code2] }

// RegionName names the 6-digit region code code6 as precisely as the table
// allows: the county-level unit when it is listed, else its prefecture (the
// first 4 digits followed by 00), else its province. ok is false, and the
// name "", when code6 is not 6 digits or its province is unknown. A code that
// has been abolished since it was issued is named by what still exists
// above it.
func RegionName(code6 string) (string, bool) {
	if len(code6) != 6 || !allDigits(code6) {
		return "", false
	}
	if name, ok := counties[code6]; ok {
		return name, true
	}
	if name, ok := prefectures[code6[:4]+"00"]; ok {
		return name, true
	}
	return ProvinceName(code6[:2])
}

// Provinces returns every province-level region, sorted by code, with its
// Chinese and English names. The slice is the caller's to keep.
func Provinces() []Region {
	out := make([]Region, 0, len(provinces))
	for code, name := range provinces {
		out = append(out, Region{Code: code, Name: name, NameEN: provincesEN[code]})
	}
	slices.SortFunc(out, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// Counties returns the county-level regions (districts, county-level cities,
// counties) that the table knows in the province whose 2-digit code is
// province2, sorted by code; it is empty for an unknown province. The table
// is complete for Zhejiang (33) and a selection elsewhere. The slice is the
// caller's to keep.
func Counties(province2 string) []Region {
	var out []Region
	if len(province2) != 2 {
		return out
	}
	for code, name := range counties {
		if code[:2] == province2 {
			out = append(out, Region{Code: code, Name: name})
		}
	}
	slices.SortFunc(out, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	return out
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
