package ingest

import (
	"fmt"
	"testing"
)

// TestReasonsIDOrder pins the reason an ID number gets when it fails more
// than one of ident's checks at once: the reasons name a bad birth date
// first, then the check character, then the province (ParseID's own
// message names the province first), and a number of 18 characters that
// are not all ASCII is reported by its length.
func TestReasonsIDOrder(t *testing.T) {
	header := "id_number,name,phone,education,hukou_type,guardian_id_number"
	province99 := id("99010219850303331")
	wrongCheck := province99[:17] + string(otherChar(province99[17]))
	runReasonCases(t, header, "en", func() *fakeStore { return storeWith(t) }, []reasonCase{
		{"province and check character", []string{wrongCheck + ",王芳,,,,"},
			fmt.Sprintf("id_number check character is %c, want %c", wrongCheck[17], province99[17])},
		{"province and impossible date", []string{"990102202502301230,王芳,,,,"}, "id_number birth date 20250230 is not a real date"},
		{"province and born 1899", []string{id("99010218991231123") + ",王芳,,,,"}, "id_number birth date 18991231 is not a real date"},
		{"province and future", []string{id("99010220270101001") + ",王芳,,,,"}, "id_number birth date 2027-01-01 is in the future"},
		{"future and check character", []string{"520102202701010010,王芳,,,,"}, "id_number birth date 2027-01-01 is in the future"},
		{"full-width digits", []string{"１１０１０５１９４９１２３１００２Ｘ,王芳,,,,"}, "id_number has 18 characters, want 18"},
		{"bad last character", []string{"52010219850303331Y,王芳,,,,"}, "id_number check character must be a digit or X"},
		{"stored as a number, short", []string{"5.2E+17,王芳,,,,"}, `id_number "5.2E+17" was stored as a number`},
		{"a number of 18 characters", []string{"5.201021985030E+17,王芳,,,,"}, "id_number character 2 is not a digit"},
	})
	runReasonCases(t, header, "zh", func() *fakeStore { return storeWith(t) }, []reasonCase{
		{"province", []string{province99 + ",王芳,,,,"}, "身份证号前两位 99 不是省级行政区代码"},
		{"stored as a number", []string{"5.20102198503033E+17,王芳,,,,"}, "身份证号“5.20102198503033E+17”被存成了数字"},
	})
}

// TestReasonsUSCCChecks pins the reason a credit code gets for each of
// ParseUSCC's checks.
func TestReasonsUSCCChecks(t *testing.T) {
	header := "id_number,employer_uscc,employer_name,since,until,contract"
	code := uscc("91331081MA2AXXXX")
	runReasonCases(t, header, "en", func() *fakeStore { return storeWith(t, wangFang) }, []reasonCase{
		{"valid, lower case", []string{wangFang + "," + toLowerASCII(code) + ",温岭泵业,2024-03-01,,"}, ""},
		{"lower-case i", []string{wangFang + ",91331081Mi2AXXXX00,温岭泵业,2024-03-01,,"}, `employer_uscc character 10 ("I") is not allowed`},
		{"full-width", []string{wangFang + ",９１３３１０８１ＭＡ２ＡＸＸＸＸ０Ｙ,温岭泵业,2024-03-01,,"}, "employer_uscc has 18 characters, want 18"},
		{"non-ASCII in 18 bytes", []string{wangFang + ",913310８MA2AXXXX0,温岭泵业,2024-03-01,,"}, `employer_uscc character 7 ("ï") is not allowed`},
		{"region", []string{wangFang + "," + uscc("91A31081MA2AXXXX") + ",温岭泵业,2024-03-01,,"}, "employer_uscc characters 3–8 (region) must be digits"},
		{"check", []string{wangFang + "," + code[:17] + string(otherChar(code[17])) + ",温岭泵业,2024-03-01,,"},
			fmt.Sprintf("employer_uscc check character is %c, want %c", otherChar(code[17]), code[17])},
	})
}

func toLowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
