package policy

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/newcitizens/rooted/internal/registry"
)

type schemeFacts struct {
	Scheme string              `yaml:"scheme"`
	Facts  []registry.FactKind `yaml:"facts"`
}

// FactKinds reads the fact kinds declared by the scheme file at path, or by
// the shipped default scheme when path is "". Errors name the file and the
// offending kind.
func FactKinds(path string) ([]registry.FactKind, error) {
	name, data, err := readSchemeFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	var s schemeFacts
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("policy: %s: %w", name, err)
	}
	seen := map[string]bool{}
	for i, k := range s.Facts {
		switch {
		case k.Kind == "":
			return nil, fmt.Errorf("policy: %s: fact %d has no kind", name, i+1)
		case seen[k.Kind]:
			return nil, fmt.Errorf("policy: %s: fact kind %s declared twice", name, k.Kind)
		case k.Value != "number" && k.Value != "int" && k.Value != "level" && k.Value != "none":
			return nil, fmt.Errorf("policy: %s: fact kind %s: value must be number, int, level or none, not %q", name, k.Kind, k.Value)
		case k.Value == "level" && len(k.Levels) == 0:
			return nil, fmt.Errorf("policy: %s: fact kind %s: a level fact needs levels", name, k.Kind)
		}
		seen[k.Kind] = true
	}
	return s.Facts, nil
}
