package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/newcitizens/rooted/internal/apperr"
)

// FuzzReadCSV feeds arbitrary bytes through encoding detection, header
// detection and row validation: Import must never panic, an error must be
// an invalid-file error (the fake store never fails), and every row read
// must be accepted or quarantined.
//
//	go test ./internal/ingest -run '^$' -fuzz FuzzReadCSV -fuzztime 60s
func FuzzReadCSV(f *testing.F) {
	for _, name := range []string{"import-persons.csv", "small-persons.csv", "small-residences.csv", "small-persons-gbk.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"code,name,kind\nzeguo,泽国镇,镇\nx y,,村\n",
		"学校代码,学校名称,镇街,学段,起始年级学位数\nA1,一小,泽国,小学,-3\n",
		"id_number,employer_uscc,employer_name,since,until,contract\n" + wangFang + ",91331081MA2AXXXX0,厂,2024-3-1,2024年2月30日,是\n",
		"id_number,kind,from_month,to_month\n" + wangFang + ",养老,2024/3,2023-13\n",
		"id_number,kind,value,date\n" + wangFang + ",skill_level,1e400,2024-03-01\n" + wangFang + ",title,\"中\"\"级\",2024-03-01\n",
		"id_number,name,guardian_id_number\n" + xiaoMing + ",a," + wangFang + "\n" + wangFang + ",b," + xiaoMing + "\n",
		"id_number,name\n\"unterminated,x\n",
		"\xef\xbb\xbfid_number,name\r\n\xff\xfe,\xe4\xb8\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "in.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		st := storeWith(t, wangFang)
		sum, err := Import(context.Background(), st, []string{path}, testOptions(dir))
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
				t.Fatalf("error %v is not an invalid-file error", err)
			}
			if st.begun != 0 {
				t.Fatalf("a batch was begun for an unreadable file")
			}
			return
		}
		f := sum.Files[0]
		if f.Read != f.Accepted+f.Quarantined {
			t.Fatalf("read %d != accepted %d + quarantined %d", f.Read, f.Accepted, f.Quarantined)
		}
		if (f.Quarantined > 0) != (f.QuarantineFile != "") {
			t.Fatalf("quarantined %d but quarantine file %q", f.Quarantined, f.QuarantineFile)
		}
	})
}
