package ingest

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/rounds"
)

// TestPublicationFilesDeterministic: the same list renders to the same
// bytes, CSV and XLSX; the XLSX carries the publication instant, not the
// clock's; and the files read back as the list.
func TestPublicationFilesDeterministic(t *testing.T) {
	p := &rounds.Publication{Round: "g1", Name: "一年级", PublishedOn: "2026-06-01", WindowEnds: "2026-06-05",
		At:     time.Date(2026, 6, 1, 2, 3, 4, 567000, time.UTC),
		Header: []string{"申请编号 number", "结果 result", "说明 note"},
		Rows:   [][]string{{"A00001", "泽国镇第一小学", ""}, {"A00002", "不予受理 refused", "原因, \"quoted\" / reason"}}}
	var f PublicationFiles
	for _, render := range []func(*rounds.Publication) ([]byte, error){f.CSV, f.XLSX} {
		a, err := render(p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := render(p)
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("two renders differ (%v)", err)
		}
		l, err := ReadList("list", a)
		if err != nil || !slices.Equal(l.Header, p.Header) || len(l.Rows) != 2 || !slices.Equal(l.Rows[1], p.Rows[1]) || !slices.Equal(l.Rows[0], p.Rows[0]) {
			t.Errorf("read back as %s: %q %q, %v", l.Format, l.Header, l.Rows, err)
		}
	}
	x, _ := f.XLSX(p)
	zr, err := zip.NewReader(bytes.NewReader(x), int64(len(x)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if zf.Name != "docProps/core.xml" {
			continue
		}
		rc, _ := zf.Open()
		core, _ := io.ReadAll(rc)
		rc.Close()
		if !strings.Contains(string(core), ">2026-06-01T02:03:04Z</dcterms:created>") || !strings.Contains(string(core), ">2026-06-01T02:03:04Z</dcterms:modified>") {
			t.Errorf("docProps/core.xml does not carry the publication instant:\n%s", core)
		}
	}
	if _, err := ReadList("x.xlsx", []byte("PK\x03\x04 not a zip")); err == nil || !strings.Contains(err.Error(), "x.xlsx") {
		t.Errorf("ReadList of a broken XLSX: %v", err)
	}
}
