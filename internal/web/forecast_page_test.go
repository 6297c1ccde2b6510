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

// TestForecastWarningsExplained: the forecast page lists each red town
// level with its first red year and reason, in both languages, and says
// what the warnings rest on and how the point forecast fared when re-run
// on past years.
func TestForecastWarningsExplained(t *testing.T) {
	e := newTestEnv(t, "")
	cookie := e.signIn(t, "education")
	f := waitView[forecast.Forecast](t, e.s, viewForecast)
	f.Warnings = []forecast.Warning{{Town: "zeguo", TownName: "泽国镇", Level: forecast.Primary, Year: 2028, Demand: 64.4, Capacity: 52, Short: 13}}
	f.Calibration = []forecast.BandCalibration{
		{Level: forecast.Primary, Horizon: 1, Source: forecast.SourceLevel, Errors: 96, Low: 0.91, High: 1.07, Median: 0.97},
		{Level: forecast.Primary, Horizon: 2, Source: forecast.SourcePooled, Errors: 80, Low: 0.85, High: 1.12, Median: 1.04},
		{Level: forecast.Primary, Horizon: 3, Source: forecast.SourceExtrapolated, Low: 0.8, High: 1.2, Median: 0.5},
	}
	// The page reads the view through this server's memo of it: put the
	// made-up warnings there, under the key the page will ask for.
	key := viewKey(e.s.registryVersion(t.Context()), e.s.opt.Today())
	e.s.views.m.Store(viewForecast, &viewMemo{key: key, v: f})
	for lang, want := range map[string][]string{
		"zh-CN": {"学位不足的镇街", "泽国镇小学一年级：2028–2029 学年预计 64.4 名儿童，学位 52 个，缺 13 个。", "点预测无偏", "0.97–1.04"},
		"en":    {"Where seats run short", "zeguo, Primary grade 1: 64.4 children expected in school year 2028–2029 for 52 seats, 13 short.", "point forecast was unbiased", "0.97–1.04", "red when it reaches 100% of them"},
	} {
		w := doView(t, e.h, "GET", "/officer/forecast", "", "Cookie", cookie, "Accept-Language", lang)
		body := w.Body.String()
		if w.Code != 200 || strings.Contains(body, "%!") {
			t.Fatalf("%s: %d or a bad format:\n%s", lang, w.Code, body)
		}
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the page lacks %q", lang, s)
			}
		}
	}
}

// TestHousingPageClasses: the housing page names each class in the page's
// language with the household sizes of the one shared definition (1–2,
// 3–4, 5+), and projects the list for the forecast's years.
func TestHousingPageClasses(t *testing.T) {
	e := newTestEnv(t, "")
	cookie := e.signIn(t, "admin")
	for lang, want := range map[string][]string{
		"zh-CN": {"一居室 （1–2 人户）", "两居室 （3–4 人户）", "三居室 （5&#43; 人户）", "6 年后排队户数"},
		"en":    {"one-bedroom (households of 1–2)", "two-bedroom (households of 3–4)", "three-bedroom (households of 5&#43;)", "List after 6 yr"},
	} {
		w := doView(t, e.h, "GET", "/officer/housing", "", "Cookie", cookie, "Accept-Language", lang)
		body := w.Body.String()
		if w.Code != 200 || strings.Contains(body, "%!") {
			t.Fatalf("%s: %d or a bad format:\n%s", lang, w.Code, body)
		}
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the page lacks %q", lang, s)
			}
		}
		if strings.Contains(body, "List after 7") || strings.Contains(body, "7 年后") {
			t.Errorf("%s: more years than the forecast's", lang)
		}
	}
}
