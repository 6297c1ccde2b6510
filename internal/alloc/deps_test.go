package alloc

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoIO keeps the engine pure: no HTTP, no database, no spreadsheet
// library (as internal/archtest does for the other domain packages).
func TestNoIO(t *testing.T) {
	const path = "github.com/newcitizens/rooted/internal/alloc"
	out, err := exec.Command("go", "list", "-deps", path).CombinedOutput()
	if err != nil {
		t.Skipf("go list -deps %s: %v\n%s", path, err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range []string{"net", "database/sql", "os/exec", "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/xuri/excelize"} {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("alloc depends on %s", dep)
			}
		}
	}
}
