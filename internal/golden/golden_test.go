package golden

import (
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	for _, tt := range []struct {
		name      string
		want, got string
		has, not  []string
	}{
		{"a changed line", "a\nb\nc\nd\n", "a\nb\nX\nd\n", []string{"     2   b", "     3 - c", "     3 + X", "(golden 5 lines, rendered 5)"}, []string{"- d", "+ d"}},
		{"a line added at the end", "a\n", "a\nb\n", []string{"     1   a", "     2 + b", "(golden 2 lines, rendered 3)"}, []string{" - "}},
		{"the first line", "a\n", "b\n", []string{"     1 - a", "     1 + b"}, nil},
		{"a line removed", "a\nb\nc\n", "a\nc\n", []string{"     2 - b"}, []string{" + "}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := Diff([]byte(tt.want), []byte(tt.got))
			for _, h := range tt.has {
				if !strings.Contains(d, h) {
					t.Errorf("Diff lacks %q:\n%s", h, d)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(d, n) {
					t.Errorf("Diff shows %q, which did not change:\n%s", n, d)
				}
			}
		})
	}
}
