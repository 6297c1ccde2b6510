package web

import (
	"encoding/json"
	"testing"
)

// TestErrorLanguage checks that an error's message is rendered at the
// edge in the reader's language: an API client that names one reads it,
// one that names none reads the words it always read, and a page shows
// the message in the page's language.
func TestErrorLanguage(t *testing.T) {
	e := newTestEnv(t, "")
	target := "/api/v1/persons/" + person + "/points?as_of=2026-11-29"
	for _, tt := range []struct {
		name   string
		header []string
		detail string
	}{
		{"no language named", []string{"Authorization", "Bearer "}, "sign-in required: a valid bearer token is needed"},
		{"Accept-Language zh", []string{"Authorization", "Bearer ", "Accept-Language", "zh-CN,zh;q=0.9"}, "需要登录：须提供有效的 bearer 令牌"},
		{"Accept-Language en", []string{"Authorization", "Bearer ", "Accept-Language", "en-GB"}, "sign-in required: a valid bearer token is needed"},
		{"the switch's cookie", []string{"Authorization", "Bearer ", "Cookie", langCookie + "=" + langZH}, "需要登录：须提供有效的 bearer 令牌"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, e.h, "GET", target, "", tt.header...)
			var p problemBody
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != 403 || p.Detail != tt.detail || p.Code != "forbidden" {
				t.Errorf("%d %s; want 403, code forbidden, detail %q", w.Code, w.Body, tt.detail)
			}
		})
	}
}
