package msg

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Lang is a language of messages: ZH (Simplified Chinese, the default) or
// EN. The web's "zh-CN" (the page's lang attribute and cookie value) maps
// to ZH with Parse at the edge.
type Lang string

// The two languages every message is written in.
const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// Langs lists the languages, the default first.
var Langs = []Lang{ZH, EN}

// Parse returns the language named s: "en" (or an English tag such as
// "en-GB") is EN, anything else ZH, the default.
func Parse(s string) Lang {
	// EqualFold on the prefix, not ToLower: this runs on every request, and
	// ToLower of "zh-CN" allocates.
	if s == string(EN) || (len(s) >= 3 && strings.EqualFold(s[:3], "en-")) {
		return EN
	}
	return ZH
}

//go:embed zh.json en.json
var files embed.FS

// catalogue maps a language to its messages by key; every key is in
// every language (TestCatalogue).
var catalogue = mustLoad()

func mustLoad() map[Lang]map[string]string {
	c, err := load()
	if err != nil {
		panic(err) // the files are embedded: only a broken build gets here, and TestCatalogue fails first
	}
	return c
}

func load() (map[Lang]map[string]string, error) {
	c := map[Lang]map[string]string{}
	for _, l := range Langs {
		b, err := files.ReadFile(string(l) + ".json")
		if err != nil {
			return nil, fmt.Errorf("msg: catalogue %s: %w", l, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("msg: catalogue %s.json: %w", l, err)
		}
		c[l] = m
	}
	return c, nil
}

// T returns the message key in lang (ZH when lang is neither), formatted
// with args by fmt's rules; formats index their arguments (%[2]s) where
// the two languages order them differently. An unknown key comes back as
// itself, so a missing message shows rather than panics.
func T(lang Lang, key string, args ...any) string {
	m, ok := catalogue[lang]
	if !ok {
		m = catalogue[ZH]
	}
	f, ok := m[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return f
	}
	for i, a := range args {
		if m, ok := a.(M); ok {
			args = slices.Clone(args) // the caller's slice is the caller's
			args[i] = T(lang, m.Key, m.Args...)
		}
	}
	return fmt.Sprintf(f, args...)
}

// M is a message as an argument of another, rendered in the same
// language: "the seed is too weak: %s" with M{Key: "error.seed_length", …}.
type M struct {
	Key  string
	Args []any
}

// Has reports whether key is in the catalogue.
func Has(key string) bool {
	_, ok := catalogue[ZH][key]
	return ok
}

// Format returns the unformatted message key in lang and whether it
// exists, for a caller that shows a message without its particulars.
func Format(lang Lang, key string) (string, bool) {
	m, ok := catalogue[lang]
	if !ok {
		m = catalogue[ZH]
	}
	f, ok := m[key]
	return f, ok
}

// Families are the key prefixes whose last part is data — a role, a
// status, a stored reason code — rather than a literal in the code. Key is
// the one way to build such a key; TestCatalogue counts every key of a
// family as used, and checks each family has keys.
var Families = []string{
	"role.", "sex.", "permit.", "warning.", "status.", "residence.", "err.status.",
	"kind.", "rstatus.", "level.", "result.", "act.", "objection.", "view.state.", "import.state.",
	"round.step_", "forecast.rests_on_", "forecast.band_", "forecast.source_", "forecast.lean_",
}

// Key returns the key of name in family, one of Families. A family not listed is a programming error the test catches;
// Key still returns the joined key so the message shows as that key.
func Key(family, name string) string {
	if !slices.Contains(Families, family) {
		return "msg.unknown_family." + family + name
	}
	return family + name
}

// Keys returns the keys that start with prefix, sorted.
func Keys(prefix string) []string {
	var keys []string
	for k := range catalogue[ZH] {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
