// Package archtest keeps the architecture honest: the domain packages,
// which hold what the city decides, must not depend on HTTP or on a
// database driver.
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

func TestDomainHasNoIO(t *testing.T) {
	domain := []string{"date", "ident", "registry", "policy", "points", "alloc", "forecast", "rounds", "ledger", "calendar", "auth", "jobs"}
	forbidden := []string{"net/http", "database/sql", "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/xuri/excelize"}
	for _, pkg := range domain {
		path := "github.com/newcitizens/rooted/internal/" + pkg
		out, err := exec.Command("go", "list", "-deps", path).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", path, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
