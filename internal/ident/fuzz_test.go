package ident

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", " 520102198503033311 ",
		"440524188001010014", "33108120250230001X", "１１０１０５１９４９１２３１００２Ｘ",
		"", "X", "******************", "00000000000000000000",
		withCheck("33108120260615001"), withCheck("33108120260616001"),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s, testToday)
		if err == nil {
			again, err := ParseID(id.Number, testToday)
			if err != nil || again != id {
				t.Fatalf("ParseID(%q) = %+v, but ParseID(%q) = %+v, %v", s, id, id.Number, again, err)
			}
			if len(id.Number) != 18 || IDCheckChar(id.Number) != id.Number[17] {
				t.Fatalf("ParseID(%q) accepted %q with a wrong check character", s, id.Number)
			}
			if id.Region != id.Number[:6] || id.BirthDate > testToday || id.BirthDate.Year() < minBirthYear ||
				id.Sequence < 0 || id.Sequence > 999 {
				t.Fatalf("ParseID(%q) = %+v, out of its contract", s, id)
			}
			if _, ok := ProvinceName(id.Province()); !ok {
				t.Fatalf("ParseID(%q) accepted unknown province %q", s, id.Province())
			}
		}

		masked := MaskID(s)
		trimmed := []rune(strings.TrimSpace(s))
		if utf8.RuneCountInString(masked) != len(trimmed) {
			t.Fatalf("MaskID(%q) = %q, %d characters, want %d", s, masked, utf8.RuneCountInString(masked), len(trimmed))
		}
		if len(trimmed) == 18 {
			birth := string(trimmed[6:14])
			if !strings.Contains(birth, "*") && strings.Contains(masked, birth) {
				t.Fatalf("MaskID(%q) = %q shows the birth-date characters %q", s, masked, birth)
			}
		}
		if err == nil && MaskID(id.Number) != id.Number[:6]+"********"+id.Number[14:] {
			t.Fatalf("MaskID(%q) = %q", id.Number, MaskID(id.Number))
		}
	})
}

func FuzzParseUSCC(f *testing.F) {
	for _, s := range []string{
		"91350100M000100Y43", "91350100m000100y43", " 91350100M000100Y43\u3000",
		"91350100I000100Y43", "913A0100M000100Y4", "91350100M000100Y44",
		"９１３５０１００Ｍ０００１００Ｙ４３", "", "ııııııııııııııııı", "ſſſſſſſſſſſſſſſſſſ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUSCC(s)
		if err != nil {
			return
		}
		again, err := ParseUSCC(u.Code)
		if err != nil || again != u {
			t.Fatalf("ParseUSCC(%q) = %+v, but ParseUSCC(%q) = %+v, %v", s, u, u.Code, again, err)
		}
		if len(u.Code) != 18 || USCCCheckChar(u.Code) != u.Code[17] {
			t.Fatalf("ParseUSCC(%q) accepted %q with a wrong check character", s, u.Code)
		}
		for i := 0; i < 18; i++ {
			if strings.IndexByte(usccChars, u.Code[i]) < 0 {
				t.Fatalf("ParseUSCC(%q) accepted %q with %q outside the character set", s, u.Code, u.Code[i])
			}
		}
		if u.Department+u.Type+u.Region+u.OrgCode+u.Code[17:] != u.Code || !allDigits(u.Region) {
			t.Fatalf("ParseUSCC(%q) = %+v, parts do not make up the code", s, u)
		}
	})
}
