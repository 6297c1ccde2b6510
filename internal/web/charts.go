package web

import (
	"cmp"
	"strings"

	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
)

// chart is one ECharts chart as static/rooted.js draws it from JSON; each
// page also shows its numbers as a table for screen readers.
type chart struct {
	ID     string   `json:"id"`
	Kind   string   `json:"kind"` // "bar", "hbar", "pie", "band"
	Title  string   `json:"title"`
	Labels []string `json:"labels"`
	Series []series `json:"series"`
}

type series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
	Role   string    `json:"role,omitempty"` // band charts: "low", "high", "line", "cap"
}

// countChart turns registry counts into a chart, labelled for lang.
func (s *server) countChart(id, kind, title, dim, lang string, cs []registry.Count, top int) chart {
	c := chart{ID: id, Kind: kind, Title: title, Series: []series{{Name: msg.T(msg.Parse(lang), "dash.persons")}}}
	for i, x := range cs {
		if top > 0 && i == top {
			break
		}
		c.Labels = append(c.Labels, s.countLabel(dim, lang, x))
		c.Series[0].Values = append(c.Series[0].Values, float64(x.N))
	}
	return c
}

// countLabel names one bar: Chinese names in zh-CN; in English, pinyin
// town codes, English province names, translated sexes.
func (s *server) countLabel(dim, lang string, x registry.Count) string {
	switch {
	case dim == "sex":
		return msg.T(msg.Parse(lang), "sex."+x.Key)
	case lang == langEN && dim == "origin":
		if en := ident.ProvinceNameEN(x.Key); en != "" {
			return en
		}
	case lang == langEN && dim == "town" && x.Key != "":
		// Town codes are pinyin: "zeguo" reads as "Zeguo".
		return strings.ToUpper(x.Key[:1]) + x.Key[1:]
	case lang == langEN && dim == "age":
		// Age bands are keyed "0-5" … "61+"; the label carries 岁.
		return strings.ReplaceAll(x.Key, "-", "–")
	}
	return cmp.Or(x.Label, x.Key)
}
