package web

import (
	"net/http/httptest"
	"testing"
)

func TestPreferredLang(t *testing.T) {
	for _, tt := range []struct{ header, want string }{
		{"", ""},
		{"zh-CN,zh;q=0.9,en;q=0.8", langZH},
		{"en-GB,en;q=0.9", langEN},
		{"zh-TW,en;q=0.5", langZH},
		{"fr-FR, en;q=0.7, zh;q=0.6", langEN},
		{"en;q=0.4, ZH-hans;q=0.8", langZH},
		{"en;q=0, zh;q=0.1", langZH},
		{"en;q=0", ""},
		{"en;q=banana, zh;q=0.2", langZH},
		{"de, fr", ""},
		{" , ;q=1, en", langEN},
		{"*", ""},
		{"en;q=0.5, zh;q=0.5", langEN}, // first of equals
		{"en ; Q=0.9 ; level=1, zh;q=0.8", langEN},
	} {
		if got := preferredLang(tt.header); got != tt.want {
			t.Errorf("preferredLang(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func BenchmarkPreferredLang(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if preferredLang("zh-CN,zh;q=0.9,en;q=0.8,en-GB;q=0.7") != langZH {
			b.Fatal("not zh")
		}
	}
}

func TestCookieValue(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Add("Cookie", "a=1; rooted_lang=en ;rooted_session=\"tok-en\"")
	r.Header.Add("Cookie", "later=x; rooted_lang=zh-CN")
	for _, tt := range []struct{ name, want string }{
		{"a", "1"},
		{"rooted_lang", "en"}, // the first wins
		{"rooted_session", "tok-en"},
		{"later", "x"},
		{"missing", ""},
		{"rooted", ""},
	} {
		if got := cookieValue(r, tt.name); got != tt.want {
			t.Errorf("cookieValue(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := cookieValue(httptest.NewRequest("GET", "/", nil), "a"); got != "" {
		t.Errorf("no Cookie header: got %q", got)
	}
}
