package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
)

var update = flag.Bool("update", false, "rewrite the generated testdata files (XLSX)")

var testToday = date.MustParse("2026-06-15")

// Persons of the tests: valid ID numbers.
const (
	wangFang  = "520102198503033311"
	liQiang   = "510104198603039703"
	chenJing  = "360102198703031548"
	zhaoMin   = "340102198803034048"
	xiaoMing  = "520102201506011235" // child of wangFang
	zhouJie   = "51010419900115109X"
	strangerB = "52010219900101" // completed by id()
)

// id completes a 17-digit body with its check character.
func id(body string) string {
	for len(body) < 17 {
		body += "1"
	}
	return body + string(ident.IDCheckChar(body))
}

// uscc completes a 17-character body (padded with 0) with its check character.
func uscc(body string) string {
	for len(body) < 17 {
		body += "0"
	}
	return body + string(ident.USCCCheckChar(body))
}

var testFactKinds = []registry.FactKind{
	{Kind: "skill_level", LabelZH: "职业技能等级", LabelEN: "vocational skill level", Value: "int", Min: ptr(1.0), Max: ptr(5.0)},
	{Kind: "title", LabelZH: "专业技术职称", Value: "level", Levels: []registry.Level{{Code: "junior", ZH: "初级"}, {Code: "intermediate", ZH: "中级"}, {Code: "senior", ZH: "高级"}}},
	{Kind: "income_tax", LabelZH: "个人所得税", Value: "number", Min: ptr(0.0), Max: ptr(1e8)},
	{Kind: "blood_donation", LabelZH: "无偿献血", Value: "none"},
}

func ptr[T any](v T) *T { return &v }

func testOptions(dir string) Options {
	return Options{Today: testToday, QuarantineDir: dir, FactKinds: testFactKinds}
}

// storeWith returns a fake store holding persons with the given IDs.
func storeWith(t *testing.T, ids ...string) *fakeStore {
	t.Helper()
	st := newFakeStore()
	for _, s := range ids {
		p, err := ident.ParseID(s, testToday)
		if err != nil {
			t.Fatalf("test person %s: %v", s, err)
		}
		st.persons[p.Number] = registry.Person{IDNumber: p.Number, Name: "测试"}
	}
	return st
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustImport(t *testing.T, st registry.Store, opt Options, paths ...string) Summary {
	t.Helper()
	sum, err := Import(context.Background(), st, paths, opt)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	for _, f := range sum.Files {
		if f.Read != f.Accepted+f.Quarantined {
			t.Fatalf("%s: read %d != accepted %d + quarantined %d", f.File, f.Read, f.Accepted, f.Quarantined)
		}
	}
	return sum
}

// readQuarantine returns the rows of a quarantine file, header first,
// checking that it starts with a UTF-8 BOM.
func readQuarantine(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, utf8BOM) {
		t.Fatalf("%s does not start with a UTF-8 BOM", path)
	}
	rows, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func TestConformancePersons(t *testing.T) {
	dir := t.TempDir()
	st := newFakeStore()
	sum := mustImport(t, st, testOptions(dir), "testdata/import-persons.csv")
	f := sum.Files[0]
	if f.File != "import-persons.csv" || f.Kind != KindPersons || f.Read != 7 || f.Accepted != 4 || f.Quarantined != 3 {
		t.Fatalf("got %+v, want import-persons.csv persons read 7 accepted 4 quarantined 3", f)
	}
	if f.QuarantineFile != filepath.Join(dir, "import-persons.quarantine.csv") {
		t.Errorf("quarantine file %q", f.QuarantineFile)
	}
	rows := readQuarantine(t, f.QuarantineFile)
	wantHeader := []string{"身份证号", "姓名", "手机号", "学历", "户口性质", "监护人身份证号", "line", "reason"}
	if !slices.Equal(rows[0], wantHeader) {
		t.Errorf("header %q, want %q", rows[0], wantHeader)
	}
	want := [][2]string{
		{"6", "身份证号校验位错误：应为 1"},
		{"7", "身份证号中的出生日期 20250230 不存在"},
		{"8", "身份证号应为 18 位，实际 16 位"},
	}
	if len(rows) != 4 {
		t.Fatalf("quarantine has %d rows, want header + 3", len(rows))
	}
	for i, w := range want {
		got := rows[i+1]
		if got[6] != w[0] || got[7] != w[1] {
			t.Errorf("quarantine row %d: line %s reason %q, want line %s reason %q", i+1, got[6], got[7], w[0], w[1])
		}
	}
	if p := st.persons[liQiang]; p.Name != "李强" || p.Education != "junior" || p.HukouType != "non_agricultural" || p.Sex != registry.Female {
		t.Errorf("李强 stored as %+v", p)
	}
	if p := st.persons[wangFang]; p.Phone != "13812345678" || p.BirthDate != date.MustParse("1985-03-03") || p.Origin != "520102" || p.Sex != registry.Male {
		t.Errorf("王芳 stored as %+v", p)
	}
	if len(st.runs) != 1 || st.runs[0].File != "import-persons.csv" || len(st.runs[0].SHA256) != 64 || st.runs[0].Read != 7 {
		t.Errorf("import runs %+v", st.runs)
	}

	// Importing the same file again changes nothing.
	sum2 := mustImport(t, st, testOptions(dir), "testdata/import-persons.csv")
	if sum2.Files[0].Changed != 0 || sum2.Files[0].Accepted != 4 {
		t.Errorf("second import: %+v, want 4 accepted and nothing changed", sum2.Files[0])
	}
}

// reasonCase is one row of one kind and the reason it should be refused
// with ("" when it should be accepted).
type reasonCase struct {
	name string
	rows []string // data rows; the case is about the last one
	want string
}

func runReasonCases(t *testing.T, header string, lang string, st func() *fakeStore, cases []reasonCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			data := header + "\n" + strings.Join(tt.rows, "\n") + "\n"
			path := writeFile(t, dir, "feed.csv", []byte(data))
			opt := testOptions(dir)
			opt.Lang = lang
			sum := mustImport(t, st(), opt, path)
			f := sum.Files[0]
			if f.Read != len(tt.rows) {
				t.Fatalf("read %d rows, want %d", f.Read, len(tt.rows))
			}
			var last []string
			if f.QuarantineFile != "" {
				q := readQuarantine(t, f.QuarantineFile)
				last = q[len(q)-1]
			}
			lastLine := fmt.Sprint(len(tt.rows) + 1)
			refused := last != nil && last[len(last)-2] == lastLine
			switch {
			case tt.want == "" && refused:
				t.Fatalf("refused with %q, want accepted", last[len(last)-1])
			case tt.want != "" && !refused:
				t.Fatalf("accepted (summary %+v), want refused with %q", f, tt.want)
			case tt.want != "" && !strings.Contains(last[len(last)-1], tt.want):
				t.Fatalf("reason %q, want it to contain %q", last[len(last)-1], tt.want)
			}
		})
	}
}

func TestReasonsPersons(t *testing.T) {
	header := "id_number,name,phone,education,hukou_type,guardian_id_number"
	long := strings.Repeat("名", 51)
	runReasonCases(t, header, "en", func() *fakeStore { return storeWith(t, zhaoMin) }, []reasonCase{
		{"valid", []string{wangFang + ",王芳,13812345678,大专,农业,"}, ""},
		{"lower-case x", []string{strings.ToLower(zhouJie) + ",周杰,,,,"}, ""},
		{"English codes", []string{wangFang + ",王芳,,college,non_agricultural,"}, ""},
		{"bad check character", []string{"520102198503033310,王芳,,,,"}, "id_number check character is 0, want 1"},
		{"impossible birth date", []string{"52010220250230123X,日期错,,,,"}, "birth date 20250230 is not a real date"},
		{"birth in the future", []string{id("52010220270101001") + ",未来,,,,"}, "birth date 2027-01-01 is in the future"},
		{"wrong length", []string{"3601021987030315,长度错,,,,"}, "id_number has 16 characters, want 18"},
		{"letter inside", []string{"52010219850303A311,王芳,,,,"}, "id_number character 15 is not a digit"},
		{"stored as a number", []string{"5.20102198503033E+17,王芳,,,,"}, "was stored as a number"},
		{"unknown province", []string{id("99010219850303331") + ",王芳,,,,"}, "region starts 99, which is not a province code"},
		{"empty ID", []string{",王芳,,,,"}, "id_number is empty"},
		{"empty name", []string{wangFang + ",　,,,,"}, "name is empty"},
		{"name too long", []string{wangFang + "," + long + ",,,,"}, "name has 51 characters, at most 50"},
		{"name of 50", []string{wangFang + "," + long[len("名"):] + ",,,,"}, ""},
		{"bad phone", []string{wangFang + ",王芳,12812345678,,,"}, `phone "12812345678" is not 11 digits`},
		{"short phone", []string{wangFang + ",王芳,1381234567,,,"}, `phone "1381234567"`},
		{"unknown education", []string{wangFang + ",王芳,,大学,,"}, `education "大学" is not one of none/primary`},
		{"unknown hukou", []string{wangFang + ",王芳,,,城镇,"}, `hukou_type "城镇" is not one of agricultural/non_agricultural`},
		{"guardian in registry", []string{xiaoMing + ",王小明,,,," + zhaoMin}, ""},
		{"guardian unknown", []string{xiaoMing + ",王小明,,,," + chenJing}, "guardian_id_number 360102********1548 is neither"},
		{"guardian invalid", []string{xiaoMing + ",王小明,,,,360102198703031549"}, "guardian_id_number check character is 9, want 8"},
		{"guardian is self", []string{wangFang + ",王芳,,,," + wangFang}, "guardian_id_number is the person's own ID number"},
		{"guardian after child", []string{xiaoMing + ",王小明,,,," + wangFang, wangFang + ",王芳,,,,"}, ""},
		{"duplicate key", []string{wangFang + ",王芳,,,,", liQiang + ",李强,,,,", strings.ToLower(wangFang) + ",王芳芳,,,,"}, "same key as line 2"},
		{"duplicate of a refused row is fine", []string{wangFang + ",,,,,", wangFang + ",王芳,,,,"}, ""},
		{"too few fields", []string{wangFang + ",王芳"}, "row has 2 fields, header has 6"},
		{"too many fields", []string{wangFang + ",王芳,,,,,多余"}, "row has 7 fields, header has only 6; extra: 多余"},
		{"stray quote", []string{wangFang + `,王"芳,,,,`}, "stray quote in field 2"},
		{"several faults", []string{"1,,x,,,"}, "id_number has 1 characters, want 18; name is empty; phone"},
	})
}

func TestReasonsPersonsChinese(t *testing.T) {
	header := "身份证号,姓名,手机号,学历,户口性质,监护人身份证号"
	runReasonCases(t, header, "zh", func() *fakeStore { return storeWith(t) }, []reasonCase{
		{"bad check character", []string{"52010219850303331X,王芳,,,,"}, "身份证号校验位错误：应为 1"},
		{"unknown education", []string{wangFang + ",王芳,,大学,,"}, "学历“大学”不是可选值（无/小学/初中/高中/中专/大专/本科/硕士/博士）"},
		{"guardian unknown", []string{xiaoMing + ",王小明,,,," + chenJing}, "监护人身份证号 360102********1548 不在登记库中，也不在本次导入中"},
		{"duplicate", []string{wangFang + ",王芳,,,,", wangFang + ",王芳,,,,"}, "与第 2 行重复"},
		{"several faults", []string{"1,,,,,"}, "身份证号应为 18 位，实际 1 位；姓名为空"},
	})
}

func TestReasonsResidences(t *testing.T) {
	header := "id_number,town,address,since,until,kind,source"
	stranger := id(strangerB)
	runReasonCases(t, header, "en", func() *fakeStore { return storeWith(t, wangFang) }, []reasonCase{
		{"valid", []string{wangFang + ",泽国镇,牧屿村 12 号,2024-03-01,,租赁,房东"}, ""},
		{"town code and English", []string{wangFang + ",ZeGuo,牧屿村 12 号,2024/3/1,2025年1月31日,rented,landlord"}, ""},
		{"town short name", []string{wangFang + ",太平,东门路 8 号,2024年3月1日,,owned,"}, ""},
		{"single-digit dash date", []string{wangFang + ",泽国,东门路 8 号,2024-3-1,,owned,"}, ""},
		{"date with midnight time", []string{wangFang + ",泽国,东门路 8 号,2024/3/1 0:00,,owned,"}, ""},
		{"unknown person", []string{stranger + ",泽国镇,牧屿村,2024-03-01,,租赁,"}, "id_number " + ident.MaskID(stranger) + " is neither in the registry"},
		{"bad ID", []string{"520102198503033312,泽国镇,牧屿村,2024-03-01,,租赁,"}, "id_number check character is 2, want 1"},
		{"bad town", []string{wangFang + ",火星镇,牧屿村,2024-03-01,,租赁,"}, `town "火星镇" is not a town or street`},
		{"empty address", []string{wangFang + ",泽国镇, ,2024-03-01,,租赁,"}, "address is empty"},
		{"until before since", []string{wangFang + ",泽国镇,牧屿村,2024-03-01,2023-01-01,租赁,"}, "until 2023-01-01 is before since 2024-03-01"},
		{"since in the future", []string{wangFang + ",泽国镇,牧屿村,2026-06-16,,租赁,"}, "since 2026-06-16 is in the future"},
		{"since today", []string{wangFang + ",泽国镇,牧屿村,2026-06-15,,租赁,"}, ""},
		{"no such day", []string{wangFang + ",泽国镇,牧屿村,2023-02-29,,租赁,"}, `since "2023-02-29" is not a date`},
		{"not a date", []string{wangFang + ",泽国镇,牧屿村,三月,,租赁,"}, `since "三月" is not a date`},
		{"serial number in CSV", []string{wangFang + ",泽国镇,牧屿村,45352,,租赁,"}, `since "45352" is not a date`},
		{"empty since", []string{wangFang + ",泽国镇,牧屿村,,,租赁,"}, "since is empty"},
		{"bad kind", []string{wangFang + ",泽国镇,牧屿村,2024-03-01,,hotel,"}, `kind "hotel" is not one of rented/dormitory/owned/relative/other`},
		{"bad source", []string{wangFang + ",泽国镇,牧屿村,2024-03-01,,租赁,邻居"}, `source "邻居" is not one of landlord/employer/self/police`},
		{"duplicate key", []string{wangFang + ",泽国镇,牧屿村,2024-03-01,,租赁,", wangFang + ",zeguo,牧屿村,2024/3/1,,亲友,"}, "same key as line 2"},
		{"other address is no duplicate", []string{wangFang + ",泽国镇,牧屿村,2024-03-01,,租赁,", wangFang + ",泽国镇,联树村,2024-03-01,,租赁,"}, ""},
	})
}

func TestReasonsResidencesChinese(t *testing.T) {
	header := "身份证号,镇街,地址,起始日期,结束日期,居住类型,来源"
	runReasonCases(t, header, "zh", func() *fakeStore { return storeWith(t, wangFang) }, []reasonCase{
		{"until before since", []string{wangFang + ",泽国镇,牧屿村,2024-03-01,2023-01-01,租赁,"}, "结束日期 2023-01-01 早于起始日期 2024-03-01"},
		{"unknown person", []string{id("52010219850303332") + ",泽国镇,牧屿村,2024-03-01,,租赁,"}, "身份证号 " + ident.MaskID(id("52010219850303332")) + " 不在登记库中"},
		{"future", []string{wangFang + ",泽国镇,牧屿村,2027-01-01,,租赁,"}, "起始日期 2027-01-01 晚于今天"},
	})
}

func TestReasonsJobs(t *testing.T) {
	header := "id_number,employer_uscc,employer_name,since,until,contract"
	code := uscc("91331081MA2AXXXX")
	bad := code[:17] + string(otherChar(code[17]))
	runReasonCases(t, header, "en", func() *fakeStore { return storeWith(t, wangFang) }, []reasonCase{
		{"valid", []string{wangFang + "," + code + ",温岭泵业有限公司,2024-03-01,,是"}, ""},
		{"lower-case code", []string{wangFang + "," + strings.ToLower(code) + ",温岭泵业,2024-03-01,2025-01-01,no"}, ""},
		{"bad USCC check", []string{wangFang + "," + bad + ",温岭泵业,2024-03-01,,"}, fmt.Sprintf("employer_uscc check character is %c, want %c", bad[17], code[17])},
		{"USCC length", []string{wangFang + ",91331081MA2A,温岭泵业,2024-03-01,,"}, "employer_uscc has 12 characters, want 18"},
		{"USCC letter I", []string{wangFang + ",91331081MI2AXXXX00,温岭泵业,2024-03-01,,"}, `employer_uscc character 10 ("I") is not allowed`},
		{"USCC region", []string{wangFang + "," + uscc("91A31081MA2AXXXX") + ",温岭泵业,2024-03-01,,"}, "employer_uscc characters 3–8 (region) must be digits"},
		{"empty employer", []string{wangFang + "," + code + ",,2024-03-01,,"}, "employer_name is empty"},
		{"until before since", []string{wangFang + "," + code + ",温岭泵业,2024-03-01,2024-02-29,"}, "until 2024-02-29 is before since 2024-03-01"},
		{"bad contract", []string{wangFang + "," + code + ",温岭泵业,2024-03-01,,maybe"}, `contract "maybe" is not one of yes/no`},
		{"unknown person", []string{zhaoMin + "," + code + ",温岭泵业,2024-03-01,,"}, "id_number 340102********4048 is neither"},
		{"duplicate key", []string{wangFang + "," + code + ",温岭泵业,2024-03-01,,", wangFang + "," + code + ",温岭泵业二厂,2024/3/1,,"}, "same key as line 2"},
		// One rule for residences and jobs: a start date in the future is
		// quarantined, in the same words.
		{"since in the future", []string{wangFang + "," + code + ",温岭泵业,2026-06-16,,"}, "since 2026-06-16 is in the future"},
		{"since today", []string{wangFang + "," + code + ",温岭泵业,2026-06-15,,"}, ""},
	})
	runReasonCases(t, "身份证号,统一社会信用代码,单位名称,入职日期,离职日期,劳动合同", "zh", func() *fakeStore { return storeWith(t, wangFang) }, []reasonCase{
		{"future", []string{wangFang + "," + code + ",温岭泵业,2027-01-01,,"}, "入职日期 2027-01-01 晚于今天"},
	})
}

// otherChar returns a GB 32100 character other than c.
func otherChar(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

func TestReasonsInsurance(t *testing.T) {
	header := "id_number,kind,from_month,to_month,employer_uscc"
	code := uscc("91331081MA2AXXXX")
	runReasonCases(t, header, "en", func() *fakeStore { return storeWith(t, wangFang) }, []reasonCase{
		{"valid", []string{wangFang + ",养老,2024-03,2025-02," + code}, ""},
		{"other month forms", []string{wangFang + ",medical,2024/3,2026年6月,"}, ""},
		{"unknown kind", []string{wangFang + ",住房公积金,2024-03,2025-02,"}, `kind "住房公积金" is not one of pension/medical/unemployment/injury/maternity`},
		{"bad month", []string{wangFang + ",养老,2024-13,2025-02,"}, `from_month "2024-13" is not a month`},
		{"a day is no month", []string{wangFang + ",养老,2024-03-01,2025-02,"}, `from_month "2024-03-01" is not a month`},
		{"to before from", []string{wangFang + ",养老,2024-03,2023-01,"}, "to_month 2023-01 is before from_month 2024-03"},
		{"to in the future", []string{wangFang + ",养老,2024-03,2026-07,"}, "to_month 2026-07 is in the future"},
		{"empty to", []string{wangFang + ",养老,2024-03,,"}, "to_month is empty"},
		{"bad USCC", []string{wangFang + ",养老,2024-03,2025-02,91331081MA2A"}, "employer_uscc has 12 characters"},
		{"unknown person", []string{chenJing + ",养老,2024-03,2025-02,"}, "is neither in the registry"},
		{"duplicate key", []string{wangFang + ",养老,2024-03,2025-02,", wangFang + ",pension,2024/3,2025/6,"}, "same key as line 2"},
	})
}

func TestReasonsFacts(t *testing.T) {
	header := "id_number,kind,value,date"
	runReasonCases(t, header, "en", func() *fakeStore { return storeWith(t, wangFang) }, []reasonCase{
		{"valid", []string{wangFang + ",skill_level,3,2024-03-01"}, ""},
		{"Chinese label and level", []string{wangFang + ",专业技术职称,中级,2024-03-01"}, ""},
		{"no value kind", []string{wangFang + ",无偿献血,,2024-03-01"}, ""},
		{"unknown fact kind", []string{wangFang + ",lottery,1,2024-03-01"}, `kind "lottery" is not a fact kind of the scheme in force`},
		{"above max", []string{wangFang + ",skill_level,7,2024-03-01"}, "skill_level value 7 is above 5"},
		{"below min", []string{wangFang + ",skill_level,0,2024-03-01"}, "skill_level value 0 is below 1"},
		{"not whole", []string{wangFang + ",skill_level,2.5,2024-03-01"}, `skill_level value "2.5" is not a whole number`},
		{"not a number", []string{wangFang + ",income_tax,很多,2024-03-01"}, `income_tax value "很多" is not a number`},
		{"infinite", []string{wangFang + ",blood_donation,,2024-03-01", wangFang + ",income_tax,Inf,2024-03-01"}, "is not a number"},
		{"needs a value", []string{wangFang + ",income_tax,,2024-03-01"}, "income_tax needs a value"},
		{"bad level", []string{wangFang + ",title,expert,2024-03-01"}, `title value "expert" is not one of junior/intermediate/senior`},
		{"takes no value", []string{wangFang + ",blood_donation,5,2024-03-01"}, `blood_donation takes no value, got "5"`},
		{"date in the future", []string{wangFang + ",skill_level,3,2026-12-01"}, "date 2026-12-01 is in the future"},
		{"unknown person", []string{liQiang + ",skill_level,3,2024-03-01"}, "is neither in the registry"},
		{"duplicate key", []string{wangFang + ",skill_level,3,2024-03-01", wangFang + ",职业技能等级,4,2024年3月1日"}, "same key as line 2"},
	})
}

func TestReasonsFactsChinese(t *testing.T) {
	header := "身份证号,类别,数值,日期"
	runReasonCases(t, header, "zh", func() *fakeStore { return storeWith(t, wangFang) }, []reasonCase{
		{"above max", []string{wangFang + ",职业技能等级,7,2024-03-01"}, "职业技能等级的数值 7 大于上限 5"},
		{"bad level", []string{wangFang + ",title,专家,2024-03-01"}, "专业技术职称的数值“专家”不是可选值（初级/中级/高级）"},
		{"unknown kind", []string{wangFang + ",彩票,1,2024-03-01"}, "类别“彩票”不是现行积分方案声明的事实类别"},
	})
}

func TestReasonsTownsAndSchools(t *testing.T) {
	runReasonCases(t, "code,name,kind", "en", newFakeStore, []reasonCase{
		{"valid", []string{"niutou,牛头镇,镇"}, ""},
		{"bad kind", []string{"niutou,牛头镇,village"}, `kind "village" is not one of street/town`},
		{"bad code", []string{"niu tou,牛头镇,town"}, `code "niu tou" may hold only letters`},
		{"duplicate", []string{"niutou,牛头镇,town", "NIUTOU,牛头街道,street"}, "same key as line 2"},
	})
	runReasonCases(t, "学校代码,学校名称,镇街,学段,起始年级学位数", "en", newFakeStore, []reasonCase{
		{"valid", []string{"ZG01,泽国镇第一小学,泽国,小学,180"}, ""},
		{"English level", []string{"ZG02,泽国镇中学,zeguo,junior,0"}, ""},
		{"bad level", []string{"ZG01,泽国高中,泽国,高中,180"}, `level "高中" is not one of kindergarten/primary/junior`},
		{"negative seats", []string{"ZG01,泽国镇第一小学,泽国,小学,-1"}, `entry_seats "-1" is not a whole number ≥ 0`},
		{"fractional seats", []string{"ZG01,泽国镇第一小学,泽国,小学,2.5"}, "entry_seats"},
		{"unknown town", []string{"ZG01,月球小学,月球,小学,10"}, `town "月球" is not a town or street`},
	})
}

func TestTownsFileFeedsLaterFiles(t *testing.T) {
	dir := t.TempDir()
	schools := writeFile(t, dir, "schools.csv", []byte("code,name,town,level,entry_seats\nNT01,牛头小学,牛头,primary,60\n"))
	towns := writeFile(t, dir, "towns.csv", []byte("代码,名称,类型\nniutou,牛头镇,镇\n"))
	st := newFakeStore()
	sum := mustImport(t, st, testOptions(dir), schools, towns)
	if sum.Files[0].Kind != KindTowns || sum.Files[1].Kind != KindSchools || sum.Files[1].Accepted != 1 {
		t.Fatalf("got %+v, want towns applied before schools and the school accepted", sum.Files)
	}
	if s := st.schools["NT01"]; s.Town != "niutou" || s.EntrySeats != 60 || s.Level != "primary" {
		t.Errorf("school stored as %+v", s)
	}
}

func TestDependencyOrderAndIgnoredColumns(t *testing.T) {
	dir := t.TempDir()
	code := uscc("91331081MA2AXXXX")
	facts := writeFile(t, dir, "facts.csv", []byte("id_number,kind,value,date\n"+wangFang+",skill_level,3,2024-03-01\n"))
	jobs := writeFile(t, dir, "jobs.csv", []byte("身份证号,统一社会信用代码,单位名称,入职日期\n"+wangFang+","+code+",泵业,2024-03-01\n"))
	persons := writeFile(t, dir, "persons.csv", []byte(" ID Number ,Name,备注\n"+wangFang+",王芳,老住户\n"))
	st := newFakeStore()
	sum := mustImport(t, st, testOptions(dir), facts, jobs, persons)
	var kinds []string
	for _, f := range sum.Files {
		kinds = append(kinds, f.Kind)
		if f.Accepted != 1 {
			t.Errorf("%s: %+v, want 1 accepted", f.File, f)
		}
	}
	if !slices.Equal(kinds, []string{"persons", "jobs", "facts"}) {
		t.Errorf("applied %v, want persons, jobs, facts", kinds)
	}
	if !slices.Equal(sum.Files[0].IgnoredColumns, []string{"备注"}) {
		t.Errorf("ignored columns %q, want [备注]", sum.Files[0].IgnoredColumns)
	}
}

func TestForcedKind(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "x.csv", []byte("id_number,name\n"+wangFang+",王芳\n"))
	opt := testOptions(dir)
	opt.Kind = "residences"
	_, err := Import(context.Background(), newFakeStore(), []string{p}, opt)
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "lacks the residences columns") {
		t.Fatalf("got %v, want invalid: lacks the residences columns", err)
	}
	opt.Kind = "Persons"
	sum := mustImport(t, newFakeStore(), opt, p)
	if sum.Files[0].Kind != KindPersons || sum.Files[0].Accepted != 1 {
		t.Fatalf("got %+v", sum.Files[0])
	}
}

func TestUnreadableFileWritesNothing(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "persons.csv", []byte("id_number,name\n"+wangFang+",王芳\n"))
	for _, tt := range []struct {
		name, file string
		data       []byte // nil: the file does not exist
		want       string
	}{
		{"missing", "gone.csv", nil, "no such file"},
		{"not CSV or XLSX", "feed.json", []byte(`{"a":1}`), "not CSV or XLSX"},
		{"old xls", "feed.xls", []byte("x"), "save it as .xlsx"},
		{"empty", "empty.csv", []byte{}, "empty file"},
		{"only blank lines", "blank.csv", []byte("\n\r\n,,,\n"), "no header row"},
		{"unknown header", "what.csv", []byte("foo,bar\n1,2\n"), "unknown header"},
		{"header names a column twice", "twice.csv", []byte("id_number,name,身份证号\n"), "twice"},
		{"zip named CSV", "zip.csv", []byte("PK\x03\x04rest"), "looks like XLSX"},
		{"not a workbook", "fake.xlsx", []byte("id_number,name\n"), "not an XLSX workbook"},
		{"broken workbook", "broken.xlsx", []byte("PK\x03\x04garbage"), "not a readable XLSX workbook"},
		{"UTF-16", "u16.csv", []byte{0xFF, 0xFE, 'i', 0}, "UTF-16"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := filepath.Join(dir, tt.file)
			if tt.data != nil {
				writeFile(t, dir, tt.file, tt.data)
			}
			st := newFakeStore()
			qdir := filepath.Join(t.TempDir(), "q")
			opt := testOptions(qdir)
			_, err := Import(context.Background(), st, []string{good, bad}, opt)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
				t.Fatalf("got %v, want an *apperr.Error with code invalid", err)
			}
			if !strings.Contains(ae.Render(msg.EN), bad) || !strings.Contains(ae.Render(msg.EN), tt.want) {
				t.Errorf("message %q, want it to name %s and say %q", ae.Render(msg.EN), bad, tt.want)
			}
			if st.begun != 0 || len(st.persons) != 0 {
				t.Errorf("store saw %d batches and %d persons, want none", st.begun, len(st.persons))
			}
			if _, err := os.Stat(qdir); !os.IsNotExist(err) {
				t.Errorf("quarantine dir created: %v", err)
			}
		})
	}
}

func TestFactsNeedFactKinds(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "facts.csv", []byte("id_number,kind,value,date\n"))
	opt := testOptions(dir)
	opt.FactKinds = nil
	if _, err := Import(context.Background(), newFakeStore(), []string{p}, opt); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("got %v, want invalid", err)
	}
}

func TestCancelRollsBack(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id_number,name\n")
	for i := 0; i < 3000; i++ {
		b.WriteString(id(fmt.Sprintf("5201021985%02d%02d%03d", 3, 1+i/1000, i%1000)) + ",某人\n")
	}
	b.WriteString("bad,坏行\n")
	p := writeFile(t, dir, "persons.csv", []byte(b.String()))
	ctx, cancel := context.WithCancel(context.Background())
	st := newFakeStore()
	opt := testOptions(dir)
	opt.Progress = nil
	// Cancel from inside the store: after the first thousand rows.
	n := 0
	wrapped := &countingStore{fakeStore: st, onPut: func() {
		if n++; n == 1000 {
			cancel()
		}
	}}
	_, err := Import(ctx, wrapped, []string{p}, opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if len(st.persons) != 0 || st.rolledBack != 1 || len(st.runs) != 0 {
		t.Errorf("after cancel: %d persons, %d rollbacks, %d runs; want 0, 1, 0", len(st.persons), st.rolledBack, len(st.runs))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("dir holds %d entries, want only the source (no quarantine or temp file)", len(entries))
	}
}

// countingStore calls onPut on every PutPerson.
type countingStore struct {
	*fakeStore
	onPut func()
}

func (s *countingStore) BeginBatch(ctx context.Context) (registry.Batch, error) {
	b, err := s.fakeStore.BeginBatch(ctx)
	return &countingBatch{Batch: b, onPut: s.onPut}, err
}

type countingBatch struct {
	registry.Batch
	onPut func()
}

func (b *countingBatch) PutPerson(ctx context.Context, p registry.Person) error {
	b.onPut()
	return b.Batch.PutPerson(ctx, p)
}

func TestQuarantineBesideSourceAndLines(t *testing.T) {
	dir := t.TempDir()
	// Blank lines and a quoted field spanning two lines: lines are those of
	// the source, blank rows are not counted.
	data := "\uFEFFid_number,name\r\n\r\n" + wangFang + ",\"王\n芳\"\r\n,,\r\nbad,x\r\n"
	p := writeFile(t, dir, "in.csv", []byte(data))
	opt := testOptions("")
	opt.Lang = "en"
	sum := mustImport(t, newFakeStore(), opt, p)
	f := sum.Files[0]
	if f.Read != 2 || f.Accepted != 1 || f.Quarantined != 1 {
		t.Fatalf("got %+v, want read 2 accepted 1 quarantined 1", f)
	}
	if f.QuarantineFile != filepath.Join(dir, "in.quarantine.csv") {
		t.Fatalf("quarantine file %q, want beside the source", f.QuarantineFile)
	}
	q := readQuarantine(t, f.QuarantineFile)
	want := [][]string{{"id_number", "name", "line", "reason"}, {"bad", "x", "6", "id_number has 3 characters, want 18"}}
	if fmt.Sprint(q) != fmt.Sprint(want) {
		t.Errorf("quarantine\n%q\nwant\n%q", q, want)
	}
}

func TestNoQuarantineFileWhenAllAccepted(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "in.csv", []byte("id_number,name\n"+wangFang+",王芳\n"))
	sum := mustImport(t, newFakeStore(), testOptions(""), p)
	if sum.Files[0].QuarantineFile != "" {
		t.Errorf("quarantine file %q, want none", sum.Files[0].QuarantineFile)
	}
	if _, err := os.Stat(filepath.Join(dir, "in.quarantine.csv")); !os.IsNotExist(err) {
		t.Errorf("quarantine file written: %v", err)
	}
}

func TestSameBaseNameTwoQuarantines(t *testing.T) {
	a, b, q := t.TempDir(), t.TempDir(), t.TempDir()
	pa := writeFile(t, a, "p.csv", []byte("id_number,name\nbad,x\n"))
	pb := writeFile(t, b, "p.csv", []byte("id_number,name\nworse,y\n"))
	sum := mustImport(t, newFakeStore(), testOptions(q), pa, pb)
	if sum.Files[0].QuarantineFile == sum.Files[1].QuarantineFile {
		t.Fatalf("both files quarantined to %s", sum.Files[0].QuarantineFile)
	}
}

func TestProgress(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id_number,name\n")
	for i := 0; i < progressEvery+10; i++ {
		b.WriteString("bad,x\n")
	}
	p := writeFile(t, dir, "p.csv", []byte(b.String()))
	var calls []int
	opt := testOptions(dir)
	opt.Progress = func(file string, rows int) { calls = append(calls, rows) }
	mustImport(t, newFakeStore(), opt, p)
	if !slices.Equal(calls, []int{progressEvery}) {
		t.Errorf("progress calls %v, want [%d]", calls, progressEvery)
	}
}

// TestFormatsGiveSameRecords imports the same persons and residences as
// UTF-8 CSV, UTF-8 CSV with BOM, GBK CSV (generated and committed), XLSX
// written by excelize with serial dates (generated and committed) and XLSX
// written by LibreOffice, and expects identical records and reasons.
func TestFormatsGiveSameRecords(t *testing.T) {
	gen := t.TempDir()
	persons, err := os.ReadFile("testdata/small-persons.csv")
	if err != nil {
		t.Fatal(err)
	}
	residences, err := os.ReadFile("testdata/small-residences.csv")
	if err != nil {
		t.Fatal(err)
	}
	gbk := func(b []byte) []byte {
		out, err := simplifiedchinese.GBK.NewEncoder().Bytes(b)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	bom := func(b []byte) []byte { return append(append([]byte(nil), utf8BOM...), b...) }
	xlsxPersons := filepath.Join(gen, "persons.xlsx")
	xlsxResidences := filepath.Join(gen, "residences.xlsx")
	writeXLSX(t, xlsxPersons, persons, false)
	writeXLSX(t, xlsxResidences, residences, false)
	if *update {
		writeXLSX(t, "testdata/small-persons.xlsx", persons, false)
		writeXLSX(t, "testdata/small-residences.xlsx", residences, true)
	}
	sets := []struct {
		name                string
		persons, residences string
	}{
		{"utf-8", "testdata/small-persons.csv", "testdata/small-residences.csv"},
		{"utf-8 BOM", writeFile(t, gen, "p-bom.csv", bom(persons)), writeFile(t, gen, "r-bom.csv", bom(residences))},
		{"GBK generated", writeFile(t, gen, "p-gbk.csv", gbk(persons)), writeFile(t, gen, "r-gbk.csv", gbk(residences))},
		{"GBK committed", "testdata/small-persons-gbk.csv", "testdata/small-residences-gbk.csv"},
		{"XLSX generated", xlsxPersons, xlsxResidences},
		{"XLSX committed (1904 dates for residences)", "testdata/small-persons.xlsx", "testdata/small-residences.xlsx"},
		{"XLSX by LibreOffice", "testdata/persons-libreoffice.xlsx", "testdata/residences-libreoffice.xlsx"},
	}
	var wantRecords, wantReasons []string
	for i, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			st := newFakeStore()
			q := t.TempDir()
			sum := mustImport(t, st, testOptions(q), set.residences, set.persons)
			var counts, reasons []string
			for _, f := range sum.Files {
				counts = append(counts, fmt.Sprintf("%s %d/%d/%d", f.Kind, f.Read, f.Accepted, f.Quarantined))
				if f.QuarantineFile != "" {
					for _, r := range readQuarantine(t, f.QuarantineFile)[1:] {
						reasons = append(reasons, f.Kind+" "+r[len(r)-2]+" "+r[len(r)-1])
					}
				}
			}
			if got, want := strings.Join(counts, ", "), "persons 6/5/1, residences 5/4/1"; got != want {
				t.Errorf("counts %s, want %s", got, want)
			}
			records := st.snapshot()
			if i == 0 {
				wantRecords, wantReasons = records, reasons
				if len(records) != 10 {
					t.Errorf("%d records, want 5 persons, 1 guardian link and 4 residences:\n%s", len(records), strings.Join(records, "\n"))
				}
				return
			}
			if d := diff(records, wantRecords); d != "" {
				t.Errorf("records differ from UTF-8 CSV:\n%s", d)
			}
			if d := diff(reasons, wantReasons); d != "" {
				t.Errorf("reasons differ from UTF-8 CSV:\n%s", d)
			}
		})
	}
}

func diff(got, want []string) string {
	var b strings.Builder
	for _, g := range got {
		if !slices.Contains(want, g) {
			fmt.Fprintf(&b, "+ %s\n", g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}
	return b.String()
}

// writeXLSX writes CSV data as a workbook: dates as date cells (serial
// numbers), phone numbers as numbers, the rest as text, and a second sheet
// that must be ignored.
func writeXLSX(t *testing.T, path string, csvData []byte, date1904 bool) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(csvData)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	if date1904 {
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: ptr(true)}); err != nil {
			t.Fatal(err)
		}
	}
	const sheet = "Sheet1"
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	for i, r := range rows {
		line := i + 1
		for j, cell := range r {
			ref, _ := excelize.CoordinatesToCellName(j+1, line)
			col := normHeader(header[j])
			d, p := parseDay(trim(cell), false, false)
			switch {
			case i > 0 && p == dateOK && (col == "since" || col == "until"):
				if date1904 {
					// excelize writes time.Time in the 1900 system; write
					// the 1904 serial ourselves.
					err = f.SetCellValue(sheet, ref, int(d-date.Of(1904, time.January, 1)))
				} else {
					err = f.SetCellValue(sheet, ref, d.Time())
				}
				if err == nil {
					err = f.SetCellStyle(sheet, ref, ref, style)
				}
			case i > 0 && (col == "手机号") && cell != "":
				err = f.SetCellValue(sheet, ref, atoi(cell))
			default:
				err = f.SetCellStr(sheet, ref, cell)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := f.NewSheet("Notes"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("Notes", "A1", "foo"); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestXLSXSerialDates(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		p    dateProblem
	}{
		{"1", "1900-01-01", dateOK},
		{"59", "1900-02-28", dateOK},
		{"60", "", dateExcel60},
		{"61", "1900-03-01", dateOK},
		{"45352", "2024-03-01", dateOK},
		{"45352.75", "2024-03-01", dateOK},
		{"0", "", dateBad},
		{"2958465", "9999-12-31", dateOK},
		{"2958466", "", dateBad},
	} {
		d, p := parseDay(tt.in, true, false)
		if p != tt.p || d.String() != tt.want {
			t.Errorf("parseDay(%q, serial) = %s, %v; want %s, %v", tt.in, d, p, tt.want, tt.p)
		}
		if p == dateOK {
			var v float64
			if _, err := fmt.Sscan(tt.in, &v); err != nil {
				t.Fatalf("%q: %v", tt.in, err)
			}
			et, err := excelize.ExcelDateToTime(v, false)
			if err != nil || date.FromTime(et) != d {
				t.Errorf("excelize says serial %s is %v (%v), we say %s", tt.in, et, err, d)
			}
		}
	}
	if d, p := parseDay("0", true, true); p != dateOK || d.String() != "1904-01-01" {
		t.Errorf("1904 serial 0 = %s, %v", d, p)
	}
}

func TestParseDayAndMonth(t *testing.T) {
	for _, tt := range []struct {
		in, day, month string
	}{
		{"2024-03-01", "2024-03-01", ""},
		{"2024-3-1", "2024-03-01", ""},
		{"2024/3/1", "2024-03-01", ""},
		{"2024/03/01", "2024-03-01", ""},
		{"2024年3月1日", "2024-03-01", ""},
		{"2024年03月01日", "2024-03-01", ""},
		{"2024/3/1 0:00", "2024-03-01", ""},
		{"2024-03-01 00:00:00", "2024-03-01", ""},
		{"2024-02-29", "2024-02-29", ""},
		{"2023-02-29", "", ""},
		{"2024-13-01", "", ""},
		{"2024-03", "", "2024-03-01"},
		{"2024/3", "", "2024-03-01"},
		{"2024年3月", "", "2024-03-01"},
		{"2024年13月", "", ""},
		{"2024-03/01", "", ""},
		{"2024年3月1", "", ""},
		{"20240301", "", ""},
		{"24-3-1", "", ""},
		{"2024-003-01", "", ""},
		{"", "", ""},
		{"年月日", "", ""},
	} {
		d, _ := parseDay(tt.in, false, false)
		m, _ := parseMonth(tt.in, false, false)
		if d.String() != tt.day || m.String() != tt.month {
			t.Errorf("%q: day %q month %q, want %q %q", tt.in, d, m, tt.day, tt.month)
		}
	}
}

func TestUTF8ScannerChunks(t *testing.T) {
	texts := [][]byte{
		[]byte("身份证号,姓名\n王芳　李强 😀 é\n"),
		gbkBytes(t, "身份证号,姓名\n王芳\n"),
		[]byte("abc\xe6\x88"),         // cut short at the end
		[]byte("abc\xe6\x88x\x88def"), // broken in the middle
		[]byte("\xf0\x9f\x98\x80\xf0\x9f\x98\x80"),
		[]byte("\xed\xa0\x80"), // a surrogate
		[]byte("\xc0\xaf"),     // overlong
	}
	for _, text := range texts {
		want := utf8.Valid(text)
		for chunk := 1; chunk <= len(text); chunk++ {
			var s utf8Scanner
			for i := 0; i < len(text); i += chunk {
				_, _ = s.Write(text[i:min(i+chunk, len(text))]) // never fails: valid() is the verdict
			}
			if s.valid() != want {
				t.Errorf("%q in chunks of %d: valid %v, want %v", text, chunk, s.valid(), want)
			}
		}
	}
}

func gbkBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHeaderDetection(t *testing.T) {
	for _, tt := range []struct {
		header []string
		want   string
	}{
		{[]string{"\uFEFF身份证号", "姓名"}, KindPersons},
		{[]string{"　身份证号　", " 姓名 ", "手机号"}, KindPersons},
		{[]string{"ID_NUMBER", "Name"}, KindPersons},
		{[]string{"id_number", "town", "address", "since", "kind"}, KindResidences},
		{[]string{"id_number", "employer_uscc", "employer_name", "since"}, KindJobs},
		{[]string{"身份证号", "险种", "起始月份", "截止月份"}, KindInsurance},
		{[]string{"身份证号", "类别", "数值", "日期"}, KindFacts},
		{[]string{"代码", "名称", "类型"}, KindTowns},
		{[]string{"code", "name", "town", "level", "entry_seats"}, KindSchools},
		{[]string{"id_number", "kind", "date", "name"}, KindFacts},
		{[]string{"id_number"}, ""},
		{[]string{}, ""},
	} {
		m, ok := detectKind(tt.header)
		got := ""
		if ok {
			got = m.kind.name
		}
		if got != tt.want {
			t.Errorf("detectKind(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

// The enumerations must hold the registry's codes, in its order.
func TestEnumsMatchRegistry(t *testing.T) {
	for _, tt := range []struct {
		e    *enum
		want []string
	}{
		{educations, registry.Educations},
		{hukouTypes, registry.HukouTypes},
		{residenceKinds, registry.ResidenceKinds},
		{residenceSources, registry.ResidenceSources},
		{insuranceKinds, registry.InsuranceKinds},
		{schoolLevels, registry.SchoolLevels},
		{townKinds, registry.TownKinds},
	} {
		if !slices.Equal(tt.e.codes, tt.want) || len(tt.e.labels) != len(tt.e.codes) {
			t.Errorf("enum %v, want codes %v with a label each", tt.e.codes, tt.want)
		}
	}
}

// TestXLSXRowsAndLines checks that a sheet's empty rows are skipped without
// being counted, that lines are row numbers, and that a value beyond the
// header's columns is refused.
func TestXLSXRowsAndLines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.xlsx")
	f := excelize.NewFile()
	for ref, v := range map[string]string{
		"A1": "身份证号", "B1": "姓名",
		"A2": wangFang, "B2": "王芳",
		// rows 3 and 4 empty; row 5 a refused row
		"A5": "520102198503033310", "B5": "校验错",
		"A6": liQiang, "B6": "李强", "D6": "多余",
		"A7": chenJing, "B7": "陈静",
	} {
		if err := f.SetCellStr("Sheet1", ref, v); err != nil {
			t.Fatal(err)
		}
	}
	// A cell that only has a style makes a row with no value: still empty.
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err := f.SetCellStyle("Sheet1", "C3", "C3", style); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	opt := testOptions(dir)
	opt.Lang = "en"
	sum := mustImport(t, newFakeStore(), opt, path)
	got := sum.Files[0]
	if got.Read != 4 || got.Accepted != 2 || got.Quarantined != 2 {
		t.Fatalf("got %+v, want read 4 accepted 2 quarantined 2", got)
	}
	q := readQuarantine(t, got.QuarantineFile)
	want := [][]string{
		{"身份证号", "姓名", "line", "reason"},
		{"520102198503033310", "校验错", "5", "id_number check character is 0, want 1"},
		{liQiang, "李强", "6", "row has 4 fields, header has only 2; extra: ,多余"},
	}
	if fmt.Sprint(q) != fmt.Sprint(want) {
		t.Errorf("quarantine\n%q\nwant\n%q", q, want)
	}
}

// TestUndecodableBytes: a file that is neither UTF-8 nor GB18030 throughout
// is still read; the cells that do not decode are refused.
func TestUndecodableBytes(t *testing.T) {
	dir := t.TempDir()
	data := append(gbkBytes(t, "身份证号,姓名\n"+wangFang+",王芳\n"+liQiang+","), 0x81, 0x20, '\n')
	p := writeFile(t, dir, "p.csv", data)
	opt := testOptions(dir)
	opt.Lang = "en"
	sum := mustImport(t, newFakeStore(), opt, p)
	got := sum.Files[0]
	if got.Accepted != 1 || got.Quarantined != 1 {
		t.Fatalf("got %+v, want 1 accepted, 1 quarantined", got)
	}
	q := readQuarantine(t, got.QuarantineFile)
	if r := q[1][3]; r != "name contains undecodable characters (wrong file encoding?)" {
		t.Errorf("reason %q", r)
	}
}

// TestStoreErrorRollsBack: a failing Put stops the import with the line,
// and the batch is rolled back.
func TestStoreErrorRollsBack(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "p.csv", []byte("id_number,name\n"+wangFang+",王芳\n"+liQiang+",李强\n"))
	st := newFakeStore()
	boom := errors.New("disk full")
	_, err := Import(context.Background(), &failingStore{fakeStore: st, err: boom}, []string{p}, testOptions(dir))
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("got %v, want disk full at line 2", err)
	}
	if st.rolledBack != 1 || len(st.runs) != 0 {
		t.Errorf("rollbacks %d, runs %d; want 1, 0", st.rolledBack, len(st.runs))
	}
}

// failingStore fails every PutPerson with err.
type failingStore struct {
	*fakeStore
	err error
}

func (s *failingStore) BeginBatch(ctx context.Context) (registry.Batch, error) {
	b, err := s.fakeStore.BeginBatch(ctx)
	return &failingBatch{Batch: b, err: s.err}, err
}

type failingBatch struct {
	registry.Batch
	err error
}

func (b *failingBatch) PutPerson(ctx context.Context, p registry.Person) error { return b.err }
