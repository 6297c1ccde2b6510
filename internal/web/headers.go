package web

import (
	"net/http"
	"strconv"
	"strings"
)

// Request headers read on every page request, read by hand so that a
// cached page is served without allocating.

// cookieValue is the value of the first cookie called name in r ("" when
// there is none), with surrounding double quotes removed (RFC 6265 §4.2.1).
// Unlike r.Cookie it does not parse every cookie into a new value; the
// callers check the value themselves (a session token by its hash, the
// language against the list).
func cookieValue(r *http.Request, name string) string {
	for _, line := range r.Header["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok && k == name {
				v = strings.TrimSpace(v)
				if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
					v = v[1 : len(v)-1]
				}
				return v
			}
		}
	}
	return ""
}

// Content negotiation: Accept-Language and Accept-Encoding are both lists
// of names with optional weights (RFC 9110 §12.4.2), e.g.
// "zh-CN,zh;q=0.9,en;q=0.8".

// weighted calls yield with each name of the list h and its weight, in
// order; a weight that is missing is 1, one that cannot be read is 0 (not
// acceptable). It stops when yield returns false.
func weighted(h string, yield func(name string, q float64) bool) {
	for h != "" {
		var item string
		item, h, _ = strings.Cut(h, ",")
		name, params, _ := strings.Cut(item, ";")
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		q := 1.0
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		if !yield(name, q) {
			return
		}
	}
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	ok := false
	weighted(header, func(name string, q float64) bool {
		if strings.EqualFold(name, "gzip") {
			ok = q > 0
			return false
		}
		return true
	})
	return ok
}

// preferredLang is the interface language that an Accept-Language header
// weighs highest (the first of equals), "" when it names neither. Any
// Chinese is read as zh-CN: the interface has one Chinese, and it is far
// closer to zh-TW than English is.
func preferredLang(header string) string {
	best, bestQ := "", 0.0
	weighted(header, func(name string, q float64) bool {
		primary, _, _ := strings.Cut(name, "-")
		var l string
		switch {
		case strings.EqualFold(primary, "zh"):
			l = langZH
		case strings.EqualFold(primary, "en"):
			l = langEN
		default:
			return true
		}
		if q > bestQ {
			best, bestQ = l, q
		}
		return true
	})
	return best
}
