package web

import (
	"encoding/json"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/newcitizens/rooted/internal/ident"
)

var funcs = template.FuncMap{
	"thousands": func(n int64) string {
		s := strconv.FormatInt(n, 10)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + "," + s[i:]
		}
		return s
	},
	"int64": func(n int) int64 { return int64(n) },
	"join":  strings.Join,
	// seq returns n indices 0…n−1 (at least 1), for ranked choices.
	"seq": func(n int) []int { return make([]int, max(n, 1)) },
	"inc": func(i int) int { return i + 1 },
	"add": func(a, b int) int { return a + b },
	// when shows an instant in China time, to the minute; "" when zero.
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(chinaTime).Format("2006-01-02 15:04")
	},
	// mask shows an ID number masked: pages never show a full one unless
	// an officer unmasked it with a reason.
	"mask":     ident.MaskID,
	"unmaskOf": func(ref string) unmaskData { return unmaskData{Ref: ref} },
	"deref":    func(p *float64) float64 { return *p },
	// json is v as JSON text, for a data attribute (html/template escapes
	// it there). Values given to it are the server's own and marshal.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	// dict builds a map for passing several values to a sub-template.
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}
