package policy

import (
	"bufio"
	"os"
	"testing"
)

// TestWritePersons writes synthetic persons for the end-to-end benchmark in
// BENCHMARKS-points.md when ROOTED_GEN_PERSONS names a file.
func TestWritePersons(t *testing.T) {
	path := os.Getenv("ROOTED_GEN_PERSONS")
	if path == "" {
		t.Skip("set ROOTED_GEN_PERSONS=FILE to write 500,000 synthetic persons")
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for _, l := range genPersons(mustLoad(t, ""), 500000, 9) {
		_, _ = w.Write(l) // a bufio.Writer keeps its first error for Flush, checked below
		_ = w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}
