package web

import (
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/forecast"
)

// TestForecastBandExplained: the forecast page says how its band was made,
// in both languages, with the calibration table of the level shown when
// the band comes from past errors.
func TestForecastBandExplained(t *testing.T) {
	e := newTestEnv(t, "")
	cookie := e.signIn(t, "education")
	page := func(lang string) string {
		t.Helper()
		w := doView(t, e.h, "GET", "/officer/forecast?level=primary", "", "Cookie", cookie, "Accept-Language", lang)
		if w.Code != 200 {
			t.Fatalf("GET /officer/forecast (%s): %d", lang, w.Code)
		}
		return w.Body.String()
	}
	for _, lang := range []string{"zh-CN", "en"} {
		body := page(lang)
		if !strings.Contains(body, `id="band-method"`) || strings.Contains(body, "%!") {
			t.Errorf("%s, the test city's own forecast: no band method, or a bad format:\n%s", lang, body)
		}
	}

	// A forecast with a calibrated band, put in the page's cache.
	f := waitView[forecast.Forecast](t, e.s, viewForecast)
	f.Method.Band, f.Method.BandLow, f.Method.BandHigh, f.Method.CalibrationYears = forecast.BandCalibrated, 10, 90, 6
	f.Calibration = []forecast.BandCalibration{
		{Level: forecast.Primary, Horizon: 1, Source: forecast.SourceLevel, Errors: 96, Low: 0.91, High: 1.07, Median: 0.97},
		{Level: forecast.Primary, Horizon: 2, Source: forecast.SourceExtrapolated, Low: 0.85, High: 1.12, Median: 0.95},
		{Level: forecast.Kindergarten, Horizon: 1, Source: forecast.SourcePooled, Errors: 300, Low: 0.5, High: 2, Median: 1},
	}
	e.s.views.m.Store(viewForecast, &viewMemo{key: viewKey(e.s.registryVersion(t.Context()), e.s.opt.Today()), v: f})
	for lang, want := range map[string][]string{
		"zh-CN": {"第 10 和第 90 百分位", "约有 80% 落在区间内", "1 年后", "本学段过去的误差", "按最长已校准年限外推", "× 0.91", "× 1.12", "96"},
		"en":    {"10 and 90 percentiles", "about 80% of actuals", "1 years ahead", "this level&#39;s past errors", "extrapolated from the longest", "× 0.85"},
	} {
		body := page(lang)
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the page lacks %q", lang, w)
			}
		}
		if strings.Contains(body, "× 0.50") || strings.Contains(body, "%!") {
			t.Errorf("%s: another level's calibration, or a bad format, on the primary page", lang)
		}
	}
}
