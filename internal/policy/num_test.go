package policy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// refNum is appendNum as first written, plainly, before it was made fast:
// x to two decimals, half up, without trailing zeros.
func refNum(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1e15 {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	cents := int64(math.Floor(math.Abs(x)*100 + 0.5 + 1e-7))
	s := strconv.FormatInt(cents/100, 10)
	if frac := cents % 100; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", frac), "0")
	}
	if x < 0 && cents != 0 {
		s = "-" + s
	}
	return s
}

func TestAppendNum(t *testing.T) {
	for _, tt := range []struct {
		x    float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {18, "18"}, {12.5, "12.5"}, {0.25, "0.25"},
		{0.125, "0.13"}, {-2.5, "-2.5"}, {-0.001, "0"}, {9.995, "10"}, {99.99, "99.99"},
		{1234567.891, "1234567.89"}, {1e15, "1e+15"}, {-1e15, "-1e+15"},
		{math.NaN(), "NaN"}, {math.Inf(1), "+Inf"}, {math.Inf(-1), "-Inf"},
	} {
		if got := string(appendNum(nil, tt.x)); got != tt.want {
			t.Errorf("appendNum(%v) = %q, want %q", tt.x, got, tt.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		var x float64
		switch r.IntN(3) {
		case 0:
			x = float64(r.IntN(100_000)-50_000) / 100 // exact cents
		case 1:
			x = (r.Float64() - 0.5) * 2000
		default:
			x = (r.Float64() - 0.5) * 2e14
		}
		if got, want := string(appendNum(nil, x)), refNum(x); got != want {
			t.Fatalf("appendNum(%v) = %q, want %q", x, got, want)
		}
	}
}

func BenchmarkAppendNum(b *testing.B) {
	buf := make([]byte, 0, 64)
	xs := []float64{0, 11, 2.5, 48.25, 0.25, 130, 7.75}
	for i := 0; b.Loop(); i++ {
		buf = appendNum(buf[:0], xs[i%len(xs)])
	}
}
