package registry

import (
	"fmt"
	"strconv"
	"strings"
)

// FactKind declares one kind of dated fact: its code, labels, and what its
// value may be. The points scheme in force declares the kinds (see
// policies/*.yaml); imports refuse facts of any other kind.
type FactKind struct {
	Kind    string   `yaml:"kind"`
	LabelZH string   `yaml:"zh"`
	LabelEN string   `yaml:"en"`
	Value   string   `yaml:"value"`  // "number", "int", "level" or "none"
	Min     *float64 `yaml:"min"`    // number and int: inclusive bounds
	Max     *float64 `yaml:"max"`    //
	Levels  []Level  `yaml:"levels"` // level: the allowed levels
}

// Level is one allowed value of a level fact, with its Chinese label.
type Level struct {
	Code string `yaml:"code"`
	ZH   string `yaml:"zh"`
}

// Canonical checks a raw value against the kind and returns its canonical
// text: a number without trailing zeros, a level code, or "" for kinds
// without a value. The error says what is wrong in a short sentence.
func (k FactKind) Canonical(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	switch k.Value {
	case "none":
		if raw != "" && raw != "1" && raw != "是" && raw != "yes" {
			return "", fmt.Errorf("fact %s takes no value, got %q", k.Kind, raw)
		}
		return "", nil
	case "level":
		for _, l := range k.Levels {
			if raw == l.Code || (l.ZH != "" && raw == l.ZH) {
				return l.Code, nil
			}
		}
		codes := make([]string, len(k.Levels))
		for i, l := range k.Levels {
			codes[i] = l.Code
		}
		return "", fmt.Errorf("fact %s value %q is not one of %s", k.Kind, raw, strings.Join(codes, "/"))
	case "number", "int":
		if raw == "" {
			return "", fmt.Errorf("fact %s needs a value", k.Kind)
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", ""), 64)
		if err != nil || v != v {
			return "", fmt.Errorf("fact %s value %q is not a number", k.Kind, raw)
		}
		if k.Value == "int" && v != float64(int64(v)) {
			return "", fmt.Errorf("fact %s value %q is not a whole number", k.Kind, raw)
		}
		if k.Min != nil && v < *k.Min {
			return "", fmt.Errorf("fact %s value %s is below %g", k.Kind, raw, *k.Min)
		}
		if k.Max != nil && v > *k.Max {
			return "", fmt.Errorf("fact %s value %s is above %g", k.Kind, raw, *k.Max)
		}
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("fact kind %s has unknown value type %q", k.Kind, k.Value)
}
