package policy

import "testing"

// TestShippedCases runs every policies/*.test.yaml case file, one subtest
// per case, printing each difference as got/want.
func TestShippedCases(t *testing.T) {
	reps, err := RunShippedCases()
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) == 0 {
		t.Fatal("no case files in policies/")
	}
	for _, rep := range reps {
		for _, c := range rep.Cases {
			t.Run(rep.File+"/"+c.Name, func(t *testing.T) {
				for _, d := range c.Diffs {
					t.Error(d)
				}
			})
		}
		if rep.File == "zhejiang-county-default.test.yaml" && len(rep.Cases) < 40 {
			t.Errorf("%s has %d cases, want at least 40", rep.File, len(rep.Cases))
		}
	}
}
