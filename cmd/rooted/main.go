package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/msg"
)

func main() {
	os.Exit(mainStatus())
}

// mainStatus runs the command and returns its exit status; it is apart
// from main so that its deferred cleanup (the profile's file, the signal
// handler) runs before os.Exit, which runs no defers.
func mainStatus() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// ROOTED_CPUPROFILE=FILE writes a CPU profile of the run, for
	// measuring before and after a change (go tool pprof FILE).
	if path := fromEnv(os.Getenv).CPUProfile; path != "" {
		// The operator names the file in the environment, as on the
		// command line; writing it is the point.
		f, err := os.Create(path) //nolint:gosec // G703: an operator's own path, like every file the command line opens
		if err != nil {
			fmt.Fprintln(os.Stderr, "rooted: ROOTED_CPUPROFILE:", err)
			return exitUnusable
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "rooted: ROOTED_CPUPROFILE:", err)
			return exitUnusable
		}
		defer pprof.StopCPUProfile()
	}
	return exitStatus(run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr), os.Stderr)
}

// Exit statuses: 0 success, 1 partial failure (or an internal error), 2
// unusable input or usage.
const (
	exitOK       = 0
	exitPartial  = 1
	exitUnusable = 2
)

// errPartial marks a run that did its work but not all of it (some lines or
// rows failed); the details were already printed.
var errPartial = errors.New("partial failure")

// usageError is a command line that cannot be run.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitStatus(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	switch {
	case errors.Is(err, errPartial):
		return exitPartial
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "rooted:", errorText(err))
		return exitUnusable
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "rooted: interrupted; nothing of the unfinished step was written")
		return exitPartial
	case apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.NotFound):
		fmt.Fprintln(stderr, "rooted:", errorText(err))
		return exitUnusable
	}
	fmt.Fprintln(stderr, "rooted:", errorText(err))
	return exitPartial
}

// inLang is the error of a command whose reader chose a language (--lang
// or ROOTED_LANG), so that the message is rendered in it at the edge,
// where it is printed. Without a choice an error prints as it always did
// (an application error's English), so scripts that read today's words
// keep reading them.
type inLang struct {
	err  error
	lang msg.Lang
}

func (e inLang) Error() string { return e.err.Error() }
func (e inLang) Unwrap() error { return e.err }

// withLang returns err marked with the language its reader chose, or err
// as it is when they chose none.
func withLang(err error, args []string, getenv func(string) string) error {
	if errors.As(err, new(inLang)) {
		return err // the command chose already (its --lang defaults to zh)
	}
	if l, ok := cliLang(args, getenv); ok {
		return inLang{err, l}
	}
	return err
}

// cliLang is the language a command's reader chose: its --lang flag, else
// ROOTED_LANG; ok is false when neither is given. It reads the flag
// before the command parses it, since an error may come before (or from)
// the parsing.
func cliLang(args []string, getenv func(string) string) (lang msg.Lang, ok bool) {
	name := getenv("ROOTED_LANG")
	for i, a := range args {
		if a == "--" {
			break
		}
		flag, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || flag != "lang" {
			continue
		}
		if hasValue {
			name = value
		} else if i+1 < len(args) {
			name = args[i+1]
		}
	}
	if name == "" {
		return msg.ZH, false
	}
	return msg.Parse(name), true
}

// errorText is what the command line says of err: an application error's
// message in the reader's language (and its cause, which is for the
// operator and has no translation), any other error as it is.
func errorText(err error) string {
	var il inLang
	if !errors.As(err, &il) {
		return err.Error()
	}
	ae, ok := il.err.(*apperr.Error) //nolint:errorlint // only an application error at the top is rendered; one wrapped with context of its own prints as it is
	if !ok {
		return il.err.Error()
	}
	text := ae.Render(il.lang)
	if ae.Err != nil {
		text += ": " + ae.Err.Error()
	}
	return text
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, env *env, args []string) error
}

// env is what every command may use: the standard streams, the
// environment, and the configuration read from both.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

func commands() []command {
	return []command{
		{"demo", "generate, import and serve a demo city on first run; serve it after", runDemo},
		{"serve", "serve the web interface and the JSON API", runServe},
		{"gen", "write a synthetic city as import files", runGen},
		{"import", "import registry spreadsheets (CSV or XLSX)", runImport},
		{"permits", "issue, endorse and lapse residence permits as of a date", runPermits},
		{"stats", "print row counts of the registry as JSON", runStats},
		{"migrate", "apply pending database migrations", runMigrate},
		{"facts", "print every person's points inputs derived from the registry (JSON Lines)", runFacts},
		{"score", "score persons by the points scheme (JSON Lines in and out)", runScore},
		{"policy", "test and inspect points schemes", runPolicy},
		{"allocate", "run an allocation from a JSON document (the pure, re-runnable form)", runAllocate},
		{"forecast", "forecast school demand by town and warn before seats run out", runForecast},
		{"user", "officer accounts (add, list, roles, locks) and citizens' locked sign-in", runUser},
		{"round", "run enrollment and housing rounds: create, open, apply, close, allocate, publish, finalize", runRound},
		{"verify", "verify a round export (re-run the allocation, check the ledger chain and digests) and the published lists given with it", runVerify},
	}
}

// run is the whole program; tests call it with their own streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		if len(args) == 0 {
			return usageError{"no command given"}
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if err := c.run(ctx, e, args[1:]); err != nil {
				return withLang(err, args[1:], getenv)
			}
			return nil
		}
	}
	printUsage(stderr)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "rooted — the new-citizen service platform (新市民服务平台)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: rooted COMMAND [flags]; rooted COMMAND -h for its flags")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}
