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

// config is every setting of rooted, read once by (*env).flags: from the
// environment (fromEnv), then from the command's flags, which win. This is
// the one place a setting is read; a command's own operands (rooted gen
// --persons, the round flags, …) stay with the command. README.md
// ("Configuration") has the same table for operators.
//
//	flag      environment              default                     read by
//	--db      ROOTED_DB                rooted.db (SQLite)          commands with a database
//	          ROOTED_DB_FILE           (a file holding the DSN, which has a password: wins over ROOTED_DB)
//	--addr    ROOTED_ADDR              127.0.0.1:8080              serve, demo
//	--lang    ROOTED_LANG              zh (or en)                  import, score, policy explain
//	--as-of                            today in China              questions; a state change takes the real clock
//	--scheme                           the shipped points scheme   serve, score, policy explain
//	--reform                           the shipped insurance-weighted scheme   serve (the schemes page)
//	          ROOTED_API_TOKEN_FILE    no token accepted           serve: an admin's bearer token for scripts
//	          ROOTED_SIGNIN_KEY_FILE   a key kept in the database  serve: keys one-time codes and sign-in limits
//	          ROOTED_SEAL_KEY_FILE     derived from the sign-in key  serve: keys of references in pages, current first
//	          ROOTED_TRUSTED_PROXIES   none                        serve: proxies in front (IP or CIDR, comma-separated)
//	          ROOTED_TRUST_PROXY=1     off                         serve: the one proxy in front adds X-Forwarded-For
//	          ROOTED_SECURE_COOKIES=1  off                         serve: cookies are Secure (TLS ends at a proxy)
//	          ROOTED_DEMO_CODES=1      off (on in the demo)        serve: one-time codes go to the log, ID masked
//	          GOGC                     400 in serve                serve: the collector's target, when set
//	          ROOTED_CPUPROFILE        none                        every command: write a CPU profile to this file
//	          USER                     cli                         round answer: who answered, without --by
//
// Secrets are never in the environment itself: the *_FILE variables name
// files readable only by the service, read when the server starts.
type config struct {
	DB   string    // database: a SQLite file path, or postgres://…
	Addr string    // listen address for serve and demo
	Lang string    // "zh" or "en": language of messages in files
	AsOf date.Date // the day to work as of (default today)
	// AsOfSet reports whether --as-of was given: a question may be asked
	// as of any day, but a step that changes state takes the real clock
	// (see asOfClock).
	AsOfSet bool
	// DBSet reports whether --db was given (rooted score scores the
	// registry then, and reads stdin otherwise).
	DBSet bool
	// DBFile is ROOTED_DB_FILE: a file holding the DSN, read by flags
	// unless --db is given.
	DBFile string
	// Scheme and Reform are points scheme files; "" is the shipped scheme
	// (policy.Load) and the shipped reform (web.Options.Reform).
	Scheme, Reform string
	Serve          serveConfig
	// CPUProfile is ROOTED_CPUPROFILE, read by main before the command.
	CPUProfile string
	// User is USER: who `rooted round answer` records without --by.
	User string
}

// serveConfig is what only the server reads: the names of the secret files
// (read when it starts, see serve) and its switches.
type serveConfig struct {
	APITokenFile   string // ROOTED_API_TOKEN_FILE
	SignInKeyFile  string // ROOTED_SIGNIN_KEY_FILE
	SealKeyFile    string // ROOTED_SEAL_KEY_FILE
	TrustedProxies string // ROOTED_TRUSTED_PROXIES, parsed by trustedProxies
	TrustProxy     bool   // ROOTED_TRUST_PROXY=1
	SecureCookies  bool   // ROOTED_SECURE_COOKIES=1
	DemoCodes      bool   // ROOTED_DEMO_CODES=1
	GOGCSet        bool   // GOGC is set: the server leaves the collector's target alone
}

// fromEnv returns the defaults overridden by the environment. It reads no
// file: ROOTED_DB_FILE is read by flags, for the commands with a database.
func fromEnv(getenv func(string) string) config {
	or := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	return config{
		DB:         or("ROOTED_DB", "rooted.db"),
		DBFile:     getenv("ROOTED_DB_FILE"),
		Addr:       or("ROOTED_ADDR", "127.0.0.1:8080"),
		Lang:       or("ROOTED_LANG", "zh"),
		CPUProfile: getenv("ROOTED_CPUPROFILE"),
		User:       getenv("USER"),
		Serve: serveConfig{
			APITokenFile:   getenv("ROOTED_API_TOKEN_FILE"),
			SignInKeyFile:  getenv("ROOTED_SIGNIN_KEY_FILE"),
			SealKeyFile:    getenv("ROOTED_SEAL_KEY_FILE"),
			TrustedProxies: getenv("ROOTED_TRUSTED_PROXIES"),
			TrustProxy:     getenv("ROOTED_TRUST_PROXY") == "1",
			SecureCookies:  getenv("ROOTED_SECURE_COOKIES") == "1",
			DemoCodes:      getenv("ROOTED_DEMO_CODES") == "1",
			GOGCSet:        getenv("GOGC") != "",
		},
	}
}

// flags parses args for command name, registering the settings listed in
// with (any of "db", "addr", "lang", "as-of", "scheme", "reform") plus the
// command's own flags added by extra. Flags may come before, between and
// after the positional arguments (rooted round apply --guardian ID ROUND …);
// after "--" everything is positional. It returns the positional arguments.
func (e *env) flags(name, usage string, args []string, with []string, extra func(*flag.FlagSet)) (config, []string, error) {
	c := fromEnv(e.getenv)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var asOf string
	for _, w := range with {
		switch w {
		case "db":
			fs.StringVar(&c.DB, "db", c.DB, "database: SQLite file path, or postgres://user@host/db (env ROOTED_DB, or ROOTED_DB_FILE naming a file that holds it)")
		case "addr":
			fs.StringVar(&c.Addr, "addr", c.Addr, "listen address HOST:PORT (env ROOTED_ADDR)")
		case "lang":
			fs.StringVar(&c.Lang, "lang", c.Lang, "language of reasons and messages: zh or en (env ROOTED_LANG)")
		case "as-of":
			fs.StringVar(&asOf, "as-of", "", "work as of this date, YYYY-MM-DD (default today)")
		case "scheme":
			fs.StringVar(&c.Scheme, "scheme", "", "points scheme file (default: the shipped zhejiang-county-default scheme)")
		case "reform":
			fs.StringVar(&c.Reform, "reform", "", "points scheme the schemes page compares the scheme in force with (default: the shipped zhejiang-county-insurance-weighted scheme)")
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
	fs.Visit(func(f *flag.Flag) { c.DBSet = c.DBSet || f.Name == "db" })
	if c.DBFile != "" && !c.DBSet && slices.Contains(with, "db") {
		// A DSN with a password is a secret: read it from a file. A file
		// that cannot be read is refused rather than passed over, which
		// would open (and create) the default SQLite file instead.
		b, err := os.ReadFile(c.DBFile)
		if err != nil {
			return c, nil, usageError{fmt.Sprintf("%s: ROOTED_DB_FILE: %v", name, err)}
		}
		if c.DB = strings.TrimSpace(string(b)); c.DB == "" {
			return c, nil, usageError{fmt.Sprintf("%s: ROOTED_DB_FILE %s is empty", name, c.DBFile)}
		}
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
