package ingest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/newcitizens/rooted/internal/ident"
)

// BenchmarkImportPersons measures validation throughput: a CSV of valid
// persons rows (one in ten with a guardian listed earlier) through Import
// with a store that discards every row.
//
//	go test ./internal/ingest -run '^$' -bench ImportPersons -benchtime 5x
func BenchmarkImportPersons(b *testing.B) {
	const rows = 200_000
	dir := b.TempDir()
	path := filepath.Join(dir, "persons.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "身份证号,姓名,手机号,学历,户口性质,监护人身份证号")
	var parent string
	for i := 0; i < rows; i++ {
		// Distinct IDs: the birth day walks through 1970–2015, the
		// sequence through 000–999.
		birth := testToday.AddDays(-365*11 - i/1000)
		body := fmt.Sprintf("330781%s%03d", birth.Time().Format("20060102"), i%1000)
		id := body + string(ident.IDCheckChar(body))
		guardian := ""
		if i%10 == 9 {
			guardian = parent
		} else {
			parent = id
		}
		fmt.Fprintf(w, "%s,测试%d,138%08d,高中,农业,%s\n", id, i, i, guardian)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st := newFakeStore()
	st.discard = true
	opt := testOptions(dir)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sum, err := Import(context.Background(), st, []string{path}, opt)
		if err != nil {
			b.Fatal(err)
		}
		if got := sum.Files[0]; got.Accepted != rows {
			b.Fatalf("accepted %d of %d (quarantine %s)", got.Accepted, rows, got.QuarantineFile)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
