package demo

import "testing"

func TestChineseNumber(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{
		{1, "一"}, {9, "九"}, {10, "十"}, {12, "十二"}, {20, "二十"}, {21, "二十一"}, {99, "九十九"},
		// Outside 1..99 the digits stay Arabic rather than index past the table.
		{0, "0"}, {-3, "-3"}, {100, "100"},
	} {
		if got := chineseNumber(tt.n); got != tt.want {
			t.Errorf("chineseNumber(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
