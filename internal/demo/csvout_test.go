package demo

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestCSVParts: a table longer than a part's rows continues in NAME-2.csv,
// NAME-3.csv …, each with the header, and written lists them all.
func TestCSVParts(t *testing.T) {
	dir := t.TempDir()
	c, err := createCSV(dir, "insurance.csv", "id_number", "kind")
	if err != nil {
		t.Fatal(err)
	}
	c.max = 2
	for i := range 5 {
		c.begin()
		c.int(i)
		c.str("pension")
		c.end()
	}
	if err := c.close(); err != nil {
		t.Fatal(err)
	}
	want := []part{{"insurance.csv", 2}, {"insurance-2.csv", 2}, {"insurance-3.csv", 1}}
	if got := c.written(); !slices.Equal(got, want) {
		t.Fatalf("parts %v, want %v", got, want)
	}
	for name, body := range map[string]string{
		"insurance.csv":   "id_number,kind\n0,pension\n1,pension\n",
		"insurance-2.csv": "id_number,kind\n2,pension\n3,pension\n",
		"insurance-3.csv": "id_number,kind\n4,pension\n",
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != body {
			t.Errorf("%s: %q, want %q", name, b, body)
		}
	}
}
