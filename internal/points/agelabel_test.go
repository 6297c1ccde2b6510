package points

import "testing"

// TestAgeBandLabels pins the names the points diff gives age bands, which
// come from registry.AgeBands (Chinese with English).
func TestAgeBandLabels(t *testing.T) {
	d := &simulation{}
	for key, want := range map[string]string{"0-5": "0–5岁 0–5", "18-40": "18–40岁 18–40", "61+": "61岁及以上 61+", "": "未知 unknown", "70-80": "70-80"} {
		if got := d.label(ByAge, key); got != want {
			t.Errorf("label(ByAge, %q) = %q, want %q", key, got, want)
		}
	}
	if ageIndex("0-5") != 0 || ageIndex("61+") != 7 || ageIndex("x") != 8 {
		t.Errorf("ageIndex: 0-5 %d, 61+ %d, x %d; want 0, 7, 8", ageIndex("0-5"), ageIndex("61+"), ageIndex("x"))
	}
}
