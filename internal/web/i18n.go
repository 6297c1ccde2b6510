package web

import (
	"net/http"
	"strings"
)

// Languages of the interface: zh-CN is the default, en the second. They
// are the page's lang attribute and the switch's cookie value; msg.Parse
// turns them into the catalogue's language at this edge.
const (
	langZH = "zh-CN"
	langEN = "en"
)

var languages = []string{langZH, langEN}

// langCookie names the cookie that keeps the language chosen with the
// switch.
const langCookie = "rooted_lang"

// langOf picks the language of r: the switch's cookie, else the best
// match of Accept-Language, else zh-CN.
func langOf(r *http.Request) string {
	if c := cookieValue(r, langCookie); c != "" {
		for _, l := range languages {
			if c == l {
				return l
			}
		}
	}
	if l := preferredLang(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	return langZH
}

// setLang is the language switch: it keeps the choice in a cookie for a
// year and goes back to the page it was pressed on.
func (s *server) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.PostFormValue("lang")
	if l != langZH && l != langEN {
		l = langZH
	}
	//nolint:gosec // Secure is set under TLS, or behind a proxy that ends TLS (ROOTED_SECURE_COOKIES); a plain-HTTP intranet test server must still keep the language
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.opt.SecureCookies})
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.Contains(back, "\\") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
