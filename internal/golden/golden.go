package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files with what the code renders now")

// Check compares got with the golden file at path (relative to the test's
// package), or writes got there when the test runs with -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path) //nolint:gosec // a golden file of the test's own testdata
	if err != nil {
		t.Fatalf("%v (write it: go test -run %s -update in the test's package)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the code renders (if the change is meant, rewrite it with -update and review the diff):\n%s", path, Diff(want, got))
	}
}

// Diff shows where want and got part: the two lines before, then the
// lines that differ between the common start and the common end (up to
// five of each), numbered as in want and in got.
func Diff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	k := 0 // lines in common at the end, after i
	for k < len(w)-i && k < len(g)-i && w[len(w)-1-k] == g[len(g)-1-k] {
		k++
	}
	var b strings.Builder
	for j := max(0, i-2); j < i; j++ {
		fmt.Fprintf(&b, "  %4d   %s\n", j+1, w[j])
	}
	for j := i; j < min(len(w)-k, i+5); j++ {
		fmt.Fprintf(&b, "  %4d - %s\n", j+1, w[j])
	}
	for j := i; j < min(len(g)-k, i+5); j++ {
		fmt.Fprintf(&b, "  %4d + %s\n", j+1, g[j])
	}
	fmt.Fprintf(&b, "  (golden %d lines, rendered %d)", len(w), len(g))
	return b.String()
}
