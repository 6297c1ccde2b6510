package policy

import "testing"

func TestDefaultFactKinds(t *testing.T) {
	kinds, err := FactKinds("")
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string]int{}
	for i, k := range kinds {
		byKind[k.Kind] = i
	}
	for _, tt := range []struct {
		kind, raw, want string
		ok              bool
	}{
		{"volunteer_hours", "12.50", "12.5", true},
		{"volunteer_hours", "-1", "", false},
		{"skill_level", "3", "3", true},
		{"skill_level", "2.5", "", false},
		{"skill_level", "6", "", false},
		{"title", "中级", "intermediate", true},
		{"title", "expert", "", false},
		{"heroism", "", "", true},
		{"heroism", "7", "", false},
		{"donation", "1,200", "1200", true},
	} {
		i, found := byKind[tt.kind]
		if !found {
			t.Fatalf("kind %s not declared", tt.kind)
		}
		got, err := kinds[i].Canonical(tt.raw)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%s %q: got %q, %v; want %q ok=%v", tt.kind, tt.raw, got, err, tt.want, tt.ok)
		}
	}
}
