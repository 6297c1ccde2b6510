package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestErrorLanguage checks that the command line renders an application
// error in the language its reader chose (ROOTED_LANG or --lang), and
// as it always did without a choice.
func TestErrorLanguage(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nosuch.json")
	db := filepath.Join(dir, "r.db")
	for _, tt := range []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"no choice", "", []string{"verify", missing}, "rooted: verify: cannot read " + missing + ": "},
		{"ROOTED_LANG=zh", "zh", []string{"verify", missing}, "rooted: 核验：无法读取 " + missing + ": "},
		{"ROOTED_LANG=en", "en", []string{"verify", missing}, "rooted: verify: cannot read " + missing + ": "},
		{"--lang zh", "", []string{"round", "results", "--db", db, "--lang", "zh", "g9"}, "rooted: 轮次 g9 不存在\n"},
		{"--lang en over ROOTED_LANG", "zh", []string{"round", "results", "--db", db, "--lang=en", "g9"}, "rooted: round g9 not found\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			getenv := func(k string) string {
				if k == "ROOTED_LANG" {
					return tt.env
				}
				return ""
			}
			err := run(context.Background(), tt.args, getenv, strings.NewReader(""), &out, &errb)
			status := exitStatus(err, &errb)
			if status != exitUnusable || !strings.HasPrefix(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d starting %q", status, errb.String(), exitUnusable, tt.want)
			}
		})
	}
}
