package msg

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestT(t *testing.T) {
	for _, tt := range []struct {
		name string
		lang Lang
		key  string
		args []any
		want string
	}{
		{"zh", ZH, "result.too_young", []any{"5"}, "子女8月31日年龄 5 岁，未达入学年龄"},
		{"en", EN, "result.too_young", []any{"5"}, "the child is 5 on 31 August, below the entry age"},
		{"indexed arguments", EN, "quarantine.id_check", []any{"id_number", 'X', '7'}, "id_number check character is X, want 7"},
		{"unknown language is zh", Lang("fr"), "result.pending", nil, "已受理，待截止后审核"},
		{"unknown key is itself", EN, "no.such_key", nil, "no.such_key"},
		{"no arguments keeps verbs", EN, "result.too_young", nil, "the child is %s on 31 August, below the entry age"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := T(tt.lang, tt.key, tt.args...); got != tt.want {
				t.Errorf("T(%s, %s) = %q, want %q", tt.lang, tt.key, got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"zh": ZH, "zh-CN": ZH, "": ZH, "en": EN, "en-GB": EN, "fr": ZH} {
		if got := Parse(in); got != want {
			t.Errorf("Parse(%q) = %s, want %s", in, got, want)
		}
	}
}

// keyLiteral is a quoted dotted lowercase name: how code and templates
// name a key.
var keyLiteral = regexp.MustCompile(`"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)

// opLiteral is the operation of an apperr.E or WrapE.
var opLiteral = regexp.MustCompile(`apperr\.(?:E|WrapE)\("[^"]*"`)

// nameLiteral is any quoted word: the data part of a family key (a role,
// a status, a reason code) appears as one where the domain defines it.
var nameLiteral = regexp.MustCompile(`"([a-z0-9_]*)"`)

// prefixLiteral is a quoted key prefix, "area." or "area.name_", that a
// key is built from when it is joined: `"sex."+x` in Go, `print "kind." .K`
// in a template.
var prefixLiteral = regexp.MustCompile(`(?:print )?"([a-z0-9_]+\.(?:[a-z0-9_]+[._])*)"(\s*\+)?`)

func prefixesKey(keys map[string]string, prefix string) bool {
	for k := range keys {
		if strings.HasPrefix(k, prefix) && k != prefix {
			return true
		}
	}
	return false
}

// sources returns the Go files (tests left out) and templates of the
// module, by path relative to its root.
func sources(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_test.go") || (!strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".html")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[path] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("found %d source files from %s; is the walk right?", len(out), root)
	}
	return out
}

// TestCatalogue fails when a key is missing in a language or empty, when
// Go code or a template names a key the catalogue lacks, and when a key
// of the catalogue is used nowhere. A key is used when its whole name is a
// string literal of the code or a template; a key of a family (Families)
// when its data part is a literal somewhere, since that is where the
// domain defines the value the key is built from.
func TestCatalogue(t *testing.T) {
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range Langs {
		for k, v := range c[a] {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: key %q is empty", a, k)
			}
			for _, b := range Langs {
				if _, ok := c[b][k]; !ok {
					t.Errorf("key %q is in %s but not in %s", k, a, b)
				}
			}
		}
	}
	for k, zh := range c[ZH] {
		for n := 1; n <= 9; n++ {
			arg := fmt.Sprintf("%%[%d]", n)
			// The Chinese may leave out what the English says (the wrong
			// check character of an ID number), never say what the
			// English does not.
			if strings.Contains(zh, arg) && !strings.Contains(c[EN][k], arg) {
				t.Errorf("key %q: argument %d in Chinese only: %q / %q", k, n, zh, c[EN][k])
			}
		}
	}
	areas := map[string]bool{}
	for k := range c[ZH] {
		area, _, _ := strings.Cut(k, ".")
		areas[area] = true
	}
	used := map[string]string{} // key → a file that names it
	names := map[string]bool{}
	for path, text := range sources(t) {
		// An error's operation ("round.close") is no key.
		text = opLiteral.ReplaceAllString(text, "")
		for _, m := range keyLiteral.FindAllStringSubmatch(text, -1) {
			area, _, _ := strings.Cut(m[1], ".")
			if areas[area] && !hasFileSuffix(m[1]) {
				used[m[1]] = path
			}
		}
		for k := range c[ZH] {
			if !strings.Contains(k, ".") && strings.Contains(text, `"`+k+`"`) {
				used[k] = path
			}
		}
		// A literal that ends where a key's data part would start builds
		// keys at run time: it must be a listed family.
		for _, m := range prefixLiteral.FindAllStringSubmatch(text, -1) {
			joined := strings.HasPrefix(m[0], "print ") || m[2] != ""
			if joined && !slices.Contains(Families, m[1]) && prefixesKey(c[ZH], m[1]) {
				t.Errorf("%s builds keys from %q, which is not in msg.Families", path, m[1])
			}
		}
		for _, m := range nameLiteral.FindAllStringSubmatch(text, -1) {
			names[m[1]] = true
		}
	}
	for k, where := range used {
		if _, ok := c[ZH][k]; !ok && !isFamily(k) {
			t.Errorf("%s names key %q, which is not in the catalogue", where, k)
		}
	}
	for _, f := range Families {
		n := 0
		for k := range c[ZH] {
			if strings.HasPrefix(k, f) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("family %q has no keys", f)
		}
	}
	for k := range c[ZH] {
		if _, ok := used[k]; ok {
			continue
		}
		if f, name, ok := family(k); ok && (isName(names, name) || numericFamily[f]) {
			continue
		}
		t.Errorf("key %q is used nowhere (no literal %q in Go code or templates)", k, k)
	}
	if len(used) < 300 {
		t.Errorf("only %d keys found in use; is the key pattern right?", len(used))
	}
}

// numericFamily are the families whose data part is a number computed at
// run time (an HTTP status), so never a literal.
var numericFamily = map[string]bool{"err.status.": true}

// family returns the longest family prefix of k and the rest.
func family(k string) (prefix, name string, ok bool) {
	for _, f := range Families {
		if strings.HasPrefix(k, f) && len(f) > len(prefix) {
			prefix, name, ok = f, k[len(f):], true
		}
	}
	return prefix, name, ok
}

// isName reports whether name is a literal of the code, or two joined
// ("round_" + "open", as an audit action is built from a round's step).
func isName(names map[string]bool, name string) bool {
	if names[name] {
		return true
	}
	for i := range len(name) {
		if name[i] == '_' && names[name[:i+1]] && names[name[i+1:]] {
			return true
		}
	}
	return false
}

func isFamily(k string) bool {
	f, _, ok := family(k)
	return ok && f != ""
}

func hasFileSuffix(s string) bool {
	for _, ext := range []string{".html", ".json", ".yaml", ".go", ".csv", ".js", ".css", ".txt", ".sql"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}

func TestKey(t *testing.T) {
	if got := Key("role.", "registrar"); got != "role.registrar" {
		t.Errorf("Key(role., registrar) = %q", got)
	}
	if got := Key("nosuch.", "x"); Has(got) {
		t.Errorf("Key of an unlisted family gave a catalogue key %q", got)
	}
}
