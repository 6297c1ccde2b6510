package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/msg"
)

// TestHostileInputsFailClearly: each hostile file is refused with an
// invalid error that names the file by its own name (never the server's
// path) and says which limit it passed; nothing is written and no
// quarantine file is left. The limits are set low so that the inputs stay
// small; memory is measured in BENCHMARKS.md.
func TestHostileInputsFailClearly(t *testing.T) {
	valid := "id_number,name\n" + wangFang + ",王芳\n" + liQiang + ",李强\n"
	for _, tt := range []struct {
		name, file string
		data       []byte
		lim        Limits
		want       string
	}{
		{"no newline", "flat.csv", bytes.Repeat([]byte("a,"), 4096), Limits{MaxLineBytes: 1024}, "line 1 is longer than 1024 bytes"},
		{"NUL bytes", "nul.csv", make([]byte, 8192), Limits{MaxLineBytes: 1024}, "line 1 is longer than 1024 bytes"},
		{"long line after good rows", "late.csv", []byte(valid + strings.Repeat("x", 5000) + "\n" + chenJing + ",陈静\n"), Limits{MaxLineBytes: 1024}, "line 4 is longer than 1024 bytes"},
		{"GB18030 without newline", "gbk.csv", append(gbkBytes(t, "身份证号,姓名\n"), bytes.Repeat([]byte{0xB0, 0xA1}, 4096)...), Limits{MaxLineBytes: 1024}, "line 2 is longer than 1024 bytes"},
		{"too many rows", "many.csv", []byte(valid + chenJing + ",陈静\n" + zhaoMin + ",赵敏\n"), Limits{MaxRows: 3}, "more than 3 rows"},
		{"zip bomb by size", "bomb.xlsx", zipOf(t, 2<<20), Limits{MaxXLSXBytes: 1 << 20}, "unzips to 2 MiB, more than the 1 MiB"},
		{"zip bomb by ratio", "ratio.xlsx", zipOf(t, ratioFloor+1<<20), Limits{}, "refused as a zip bomb"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "upload-0001"+filepath.Ext(tt.file))
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			st := storeWith(t, wangFang, liQiang)
			before := len(st.persons)
			qdir := filepath.Join(dir, "q")
			opt := testOptions(qdir)
			opt.Limits = tt.lim
			_, err := ImportSources(context.Background(), st, []Source{{Path: path, Name: tt.file}}, opt)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
				t.Fatalf("got %v, want an *apperr.Error with code invalid", err)
			}
			if !strings.Contains(ae.Render(msg.EN), tt.file) || !strings.Contains(ae.Render(msg.EN), tt.want) {
				t.Errorf("message %q, want it to name %s and say %q", ae.Render(msg.EN), tt.file, tt.want)
			}
			if strings.Contains(ae.Render(msg.EN), dir) {
				t.Errorf("message %q shows the server's path %s", ae.Render(msg.EN), dir)
			}
			if len(st.persons) != before || len(st.runs) != 0 {
				t.Errorf("store has %d persons (had %d) and %d runs: the file was not rolled back", len(st.persons), before, len(st.runs))
			}
			if ents, _ := os.ReadDir(qdir); len(ents) != 0 {
				t.Errorf("quarantine dir holds %d files, want none", len(ents))
			}
		})
	}
}

// TestLimitsDefaults: within the default limits a file with a long (but
// not absurd) cell still imports.
func TestLimitsDefaults(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("长", 10_000) // 30,000 bytes: refused as a name, not as a line
	p := writeFile(t, dir, "persons.csv", []byte("id_number,name\n"+chenJing+","+long+"\n"+zhaoMin+",赵敏\n"))
	sum := mustImport(t, newFakeStore(), testOptions(dir), p)
	if f := sum.Files[0]; f.Read != 2 || f.Accepted != 1 || f.Quarantined != 1 {
		t.Errorf("read/accepted/quarantined = %d/%d/%d, want 2/1/1", f.Read, f.Accepted, f.Quarantined)
	}
}

// TestLineCapCountsLines: the cap is per physical line, over reads of any
// size.
func TestLineCapCountsLines(t *testing.T) {
	for _, chunk := range []int{1, 3, 7, 64, 4096} {
		in := "ab\ncdef\nghijk\nlmnopqr\n"
		c := &lineCap{r: &chunkReader{s: in, n: chunk}, max: 5, line: 1}
		var got bytes.Buffer
		_, err := got.ReadFrom(c)
		var le *limitError
		if !errors.As(err, &le) || !strings.Contains(le.msg, "line 4 ") {
			t.Errorf("chunk %d: got %v, want line 4 over the limit", chunk, err)
		}
	}
	c := &lineCap{r: strings.NewReader("abcde\nfghij\n"), max: 5, line: 1}
	var got bytes.Buffer
	if _, err := got.ReadFrom(c); err != nil || got.String() != "abcde\nfghij\n" {
		t.Errorf("lines of exactly the cap: got %q, %v", got.String(), err)
	}
}

type chunkReader struct {
	s string
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.s)
	r.s = r.s[k:]
	return k, nil
}

// zipOf returns a zip holding a worksheet of n bytes of spaces: a zip
// bomb in miniature (it compresses about a thousandfold).
func zipOf(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(bytes.Repeat([]byte(" "), n)); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
