package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/newcitizens/rooted/internal/date"
)

// config is every setting of rooted, read once from flags and environment.
// Flags win over the environment; the defaults are in defaultConfig.
type config struct {
	DB   string    // database: a SQLite file path, or postgres://… ; env ROOTED_DB
	Addr string    // listen address for serve and demo; env ROOTED_ADDR
	Lang string    // "zh" or "en": language of messages in files; env ROOTED_LANG
	AsOf date.Date // the day to work as of (default today)
	// AsOfSet reports whether --as-of was given: a question may be asked
	// as of any day, but a step that changes state takes the real clock
	// (see asOfClock).
	AsOfSet bool
}

func defaultConfig(getenv func(string) string) config {
	c := config{DB: "rooted.db", Addr: "127.0.0.1:8080", Lang: "zh"}
	if v := getenv("ROOTED_DB"); v != "" {
		c.DB = v
	}
	if v := getenv("ROOTED_DB_FILE"); v != "" {
		// A DSN with a password is a secret: read it from a file.
		if b, err := os.ReadFile(v); err == nil {
			c.DB = strings.TrimSpace(string(b))
		}
	}
	if v := getenv("ROOTED_ADDR"); v != "" {
		c.Addr = v
	}
	if v := getenv("ROOTED_LANG"); v != "" {
		c.Lang = v
	}
	return c
}

// flags parses args for command name, registering the settings listed in
// with (any of "db", "addr", "lang", "as-of") plus the command's own flags
// added by extra. Flags may come before, between and after the positional
// arguments (rooted round apply --guardian ID ROUND …); after "--"
// everything is positional. It returns the positional arguments.
func (e *env) flags(name, usage string, args []string, with []string, extra func(*flag.FlagSet)) (config, []string, error) {
	c := defaultConfig(e.getenv)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var asOf string
	for _, w := range with {
		switch w {
		case "db":
			fs.StringVar(&c.DB, "db", c.DB, "database: SQLite file path, or postgres://user@host/db (env ROOTED_DB)")
		case "addr":
			fs.StringVar(&c.Addr, "addr", c.Addr, "listen address HOST:PORT (env ROOTED_ADDR)")
		case "lang":
			fs.StringVar(&c.Lang, "lang", c.Lang, "language of reasons and messages: zh or en (env ROOTED_LANG)")
		case "as-of":
			fs.StringVar(&asOf, "as-of", "", "work as of this date, YYYY-MM-DD (default today)")
		}
	}
	if extra != nil {
		extra(fs)
	}
	if strings.HasPrefix(name, "user ") && !slices.Contains(with, "as-of") && slices.ContainsFunc(args, isAsOfFlag) {
		// Accounts and locks change on the day they change: say why
		// rather than "flag provided but not defined".
		return c, nil, errAsOfRefused(name)
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(e.stdout, "usage: rooted %s %s\n\n", name, usage)
				fs.SetOutput(e.stdout)
				fs.PrintDefaults()
				return c, nil, flag.ErrHelp
			}
			return c, nil, usageError{fmt.Sprintf("%s: %v (rooted %s -h for help)", name, err, name)}
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	c.AsOf = date.Today()
	if asOf != "" {
		c.AsOfSet = true
		d, err := date.Parse(asOf)
		if err != nil {
			return c, nil, usageError{fmt.Sprintf("%s: --as-of: %v", name, err)}
		}
		c.AsOf = d
	}
	if c.Lang != "zh" && c.Lang != "en" {
		return c, nil, usageError{fmt.Sprintf("%s: language %q: want zh or en", name, c.Lang)}
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return c, nil, usageError{fmt.Sprintf("%s: --addr %q: %v", name, c.Addr, err)}
	}
	return c, pos, nil
}

// isAsOfFlag reports whether arg is the --as-of flag (any spelling the
// flag package takes).
func isAsOfFlag(arg string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	return strings.HasPrefix(arg, "-") && name == "as-of"
}

// progress prints a live counter on stderr when stderr is a terminal, at
// most a few times a second; otherwise it prints nothing.
type progress struct {
	w    io.Writer
	tty  bool
	last time.Time
}

func (e *env) progress() *progress {
	return &progress{w: e.stderr, tty: isTerminal(e.stderr)}
}

func (p *progress) show(format string, args ...any) {
	if !p.tty || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r\033[K"+format, args...)
}

func (p *progress) done() {
	if p.tty && !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
