package ident

import (
	"fmt"
	"strings"

	"github.com/newcitizens/rooted/internal/date"
)

// GenerateID returns a well-formed 18-character ID number for the 6-digit
// region code region, the birth date birth and the sequence seq (0–999; odd
// for a man, even for a woman), with its check character. It is for
// generators of demo and test data. ParseID accepts the result on any day
// from birth onwards. It panics, as a programming error, when region is not
// 6 digits of a known province (ProvinceName), birth is not from 1900 to
// 9999, or seq is outside 0–999.
func GenerateID(region string, birth date.Date, seq int) string {
	if len(region) != 6 || !allDigits(region) {
		panic(fmt.Sprintf("ident: GenerateID region %q is not 6 digits", region))
	}
	if _, ok := provinces[region[:2]]; !ok {
		panic(fmt.Sprintf("ident: GenerateID region %q: %s is not a province code", region, region[:2]))
	}
	if birth.IsZero() || birth.Year() < minBirthYear || birth.Year() > 9999 {
		panic(fmt.Sprintf("ident: GenerateID birth date %s is not from %d to 9999", birth, minBirthYear))
	}
	if seq < 0 || seq > 999 {
		panic(fmt.Sprintf("ident: GenerateID sequence %d is not from 0 to 999", seq))
	}
	y, m, d := birth.Parts()
	body := fmt.Sprintf("%s%04d%02d%02d%03d", region, y, int(m), d, seq)
	return body + string(IDCheckChar(body))
}

// GenerateUSCC returns a unified social credit code for a company registered
// with market regulation (department 9, type 1) in the 6-digit region code
// region, with the 9-character organisation code org, and its check
// character. org must use only the GB 32100 characters (digits and
// upper-case letters but I, O, Z, S, V); its own GB 11714 check character is
// not computed, so pass a real one when it matters. ParseUSCC accepts the
// result. It panics, as a programming error, when region is not 6 digits or
// org is not 9 such characters.
func GenerateUSCC(region string, org string) string {
	if len(region) != 6 || !allDigits(region) {
		panic(fmt.Sprintf("ident: GenerateUSCC region %q is not 6 digits", region))
	}
	if len(org) != 9 {
		panic(fmt.Sprintf("ident: GenerateUSCC organisation code %q is not 9 characters", org))
	}
	for i := 0; i < len(org); i++ {
		if strings.IndexByte(usccChars, org[i]) < 0 {
			panic(fmt.Sprintf("ident: GenerateUSCC organisation code %q: %q is not a GB 32100 character", org, org[i]))
		}
	}
	body := "91" + region + org
	return body + string(USCCCheckChar(body))
}
