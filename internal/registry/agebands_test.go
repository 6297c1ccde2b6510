package registry

import "testing"

// TestAgeBands checks what the store's figures rely on when they turn the
// bands into birth-date cut-offs in SQL: the bands start at 0, follow one
// another without gap or overlap, and only the last is open-ended, so that
// every age is in exactly one band.
func TestAgeBands(t *testing.T) {
	if AgeBands[0].From != 0 {
		t.Errorf("first band starts at %d, want 0", AgeBands[0].From)
	}
	keys := map[string]bool{}
	for i, b := range AgeBands {
		if keys[b.Key] {
			t.Errorf("band key %q twice", b.Key)
		}
		keys[b.Key] = true
		if b.NameZH == "" || b.NameEN == "" {
			t.Errorf("band %q has no name", b.Key)
		}
		last := i == len(AgeBands)-1
		if last != (b.To < 0) {
			t.Errorf("band %q: To = %d; only the last band is open-ended", b.Key, b.To)
		}
		if !last && (b.To < b.From || AgeBands[i+1].From != b.To+1) {
			t.Errorf("band %q (%d–%d) is not followed by the next age", b.Key, b.From, b.To)
		}
	}
	for age := 0; age <= 120; age++ {
		n := 0
		for _, b := range AgeBands {
			if b.Holds(age) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("age %d is in %d bands, want 1", age, n)
		}
	}
}
