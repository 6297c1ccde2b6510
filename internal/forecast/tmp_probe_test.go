package forecast

import (
	"os"
	"strconv"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
)

func TestProbe(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PROBE_N"))
	seed, _ := strconv.Atoi(os.Getenv("PROBE_SEED"))
	if n == 0 {
		t.Skip()
	}
	asOf := date.MustParse("2026-11-29")
	in := demoCity(t, n, uint64(seed), asOf)
	cfg := DefaultConfig()
	b, _ := in.Backtest(2021, asOf, cfg)
	for _, c := range append(b.ByHorizon, b.ByLevel...) {
		t.Logf("%s +%d: pairs %d, median %.3f, bias %+.3f, MAPE %.3f, in band %.3f", c.Level, c.Horizon, c.Pairs, c.MedianRatio, c.Bias, c.MAPE, c.Coverage)
	}
	f, _ := in.Project(asOf, cfg)
	for _, ts := range f.Towns {
		for _, l := range ts.Levels {
			var d []float64
			for _, r := range f.Rows {
				if r.Town == ts.Town && r.Level == l.Level {
					d = append(d, r.Demand)
				}
			}
			t.Logf("%-10s %-12s cap %4d cur %4d red %d %v", ts.Town, l.Level, l.Capacity, l.Current, l.FirstRed, d)
		}
	}
}
