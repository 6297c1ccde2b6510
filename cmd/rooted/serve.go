package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/newcitizens/rooted/internal/date"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/demo"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/jobs"
	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/rounds"
	"github.com/newcitizens/rooted/internal/store"
	"github.com/newcitizens/rooted/internal/web"
)

// runServe is `rooted serve`. The points scheme (--scheme) and the reform
// the schemes page compares it with (--reform) are loaded first: a file
// that does not compile, or has no version in force today, is refused
// before the database is opened or the port taken (exit 2, the error
// naming the file and what is wrong).
func runServe(ctx context.Context, e *env, args []string) error {
	c, _, err := e.flags("serve", "[--db DSN] [--addr HOST:PORT] [--scheme FILE] [--reform FILE]", args, []string{"db", "addr", "scheme", "reform"}, nil)
	if err != nil {
		return helpOK(err)
	}
	scheme, err := servedScheme("serve: --scheme", c.Scheme, c.AsOf)
	if err != nil {
		return err
	}
	var reform *policy.Scheme // nil: web's shipped reform
	if c.Reform != "" {
		if reform, err = servedScheme("serve: --reform", c.Reform, c.AsOf); err != nil {
			return err
		}
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	return serve(ctx, e, st, c, scheme, reform, false)
}

// servedScheme loads the scheme file (the shipped default for "") and
// makes sure a version of it is in force on today, which every page that
// scores needs; both failures are invalid input naming the file.
func servedScheme(what, file string, today date.Date) (*policy.Scheme, error) {
	s, err := loadScheme(what, file)
	if err != nil {
		return nil, err
	}
	if _, err := s.Version(today); err != nil {
		// The message names the file (data); the cause says what is wrong.
		return nil, apperr.WrapE("cli.serve", apperr.Invalid, err, "error.text", what)
	}
	return s, nil
}

// demoSeed is the seed of the demo city, so every laptop sees the same one.
const demoSeed = 20260620

func runDemo(ctx context.Context, e *env, args []string) error {
	var persons int
	c, _, err := e.flags("demo", "[--db DSN] [--addr HOST:PORT] [--persons N]", args, []string{"db", "addr"}, func(fs *flag.FlagSet) {
		fs.IntVar(&persons, "persons", 50000, "size of the demo city on first run")
	})
	if err != nil {
		return helpOK(err)
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	counts, err := st.Stats(ctx)
	if err != nil {
		return err
	}
	if err := demoSandbox(ctx, e, st, c, counts); err != nil {
		return err
	}
	scheme, err := loadScheme("demo", "")
	if err != nil {
		return err
	}
	// Each step runs only when its result is missing, so an interrupted
	// first run is finished by the next. The permits run ends building the
	// city: without its events the city is unfinished (or new), and
	// generation and import are rerun (both idempotent).
	if counts["permit_events"] == 0 {
		if err := buildDemo(ctx, e, st, c, persons); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stderr, "rooted: reusing the demo city in %s (%d persons)\n", redactDSN(c.DB), counts["persons"])
	}
	if err := demoScores(ctx, e, st, c, scheme); err != nil {
		return err
	}
	if err := demoRounds(ctx, e, st, c, scheme); err != nil {
		return err
	}
	if err := demoAccounts(ctx, e, st, c, scheme); err != nil {
		return err
	}
	return serve(ctx, e, st, c, scheme, nil, true)
}

// demoSandbox makes sure the demo runs on a sandbox: a new, empty
// database is marked one (its rounds are taken on days of last year, and
// every page says 演示数据); a database that holds a registry and is not
// marked is refused, so that the demo's back-dated steps never reach a
// real registry.
func demoSandbox(ctx context.Context, e *env, st *store.DB, c config, counts map[string]int64) error {
	sandbox, err := st.Sandbox(ctx)
	if err != nil || sandbox {
		return err
	}
	for _, table := range []string{"persons", "imports", "permits"} {
		if counts[table] > 0 {
			return usageError{fmt.Sprintf("demo: %s holds a registry that is not a demo sandbox; the demo takes steps dated last year, "+
				"so it runs only on a new database (another --db) or one marked a sandbox (rooted migrate --sandbox --db …)", redactDSN(c.DB))}
		}
	}
	if err := st.MarkSandbox(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "rooted: %s is a demo sandbox (演示数据)\n", redactDSN(c.DB))
	return nil
}

// errScored stops the scan of stored scores at the first one.
var errScored = errors.New("scored")

// demoScores scores the demo city unless scores are stored already.
func demoScores(ctx context.Context, e *env, st *store.DB, c config, scheme *policy.Scheme) error {
	err := st.LatestScores(ctx, func(string, string, date.Date, float64, string) error { return errScored })
	if errors.Is(err, errScored) {
		return nil
	}
	if err != nil {
		return err
	}
	day, err := points.NewScoring(scheme, points.DefaultOptions).On(c.AsOf)
	if err != nil {
		return apperr.WrapE("demo.run", apperr.Invalid, err, "error.demo")
	}
	fmt.Fprintln(e.stderr, "rooted: scoring everyone by the points scheme …")
	quiet := *e
	quiet.stdout = io.Discard // the summary is for the score command; the demo prints its own
	return scoreRegistry(ctx, &quiet, st, day)
}

// demoAccounts makes sure there is a demo officer for each role, gives
// them all a fresh password for this run (only hashes are stored, so a
// password can be shown only when it is set), and prints how to sign in,
// as an officer and as the demo citizen: a synthetic guardian of a child
// about to start primary school.
func demoAccounts(ctx context.Context, e *env, st *store.DB, c config, scheme *policy.Scheme) error {
	pw := newPassword()
	fmt.Fprintf(e.stdout, "\nrooted demo: sign in at http://%s/\n", c.Addr)
	fmt.Fprintf(e.stdout, "  officers (http://%s/signin), password for all: %s\n", c.Addr, pw)
	for _, role := range auth.OfficerRoles {
		name := "demo-" + string(role)
		hash := auth.DefaultParams.Hash(pw)
		err := st.SetPassword(ctx, name, hash)
		if apperr.Is(err, apperr.NotFound) {
			_, err = st.CreateUser(ctx, auth.User{Name: name, Role: role, PasswordHash: hash})
		}
		if err != nil {
			return fmt.Errorf("demo: account %s: %w", name, err)
		}
		fmt.Fprintf(e.stdout, "    %-16s %s\n", name, role)
	}
	// The guardian of a child of the open grade-1 round's cohort, eligible
	// for a school seat if one is.
	id, err := demoCitizen(ctx, st, c, scheme)
	switch {
	case apperr.Is(err, apperr.NotFound):
		fmt.Fprintln(e.stdout, "  citizen: no guardian of a registered child in this database")
	case err != nil:
		return fmt.Errorf("demo: citizen: %w", err)
	default:
		// Printed once to the terminal (never to the log) so that the
		// demo can be tried: a synthetic person of the generated city.
		fmt.Fprintf(e.stdout, "  citizen (http://%s/citizen/signin), synthetic ID number: %s\n", c.Addr, id)
		fmt.Fprintln(e.stdout, "    the one-time code appears in the server log (demo sender), ID number masked")
		closes := c.AsOf + demoOpenWeeks*7
		fmt.Fprintf(e.stdout, "    open for applications: round %s, closing %s (citizen page \"apply\")\n", demoOpenRoundID(demoSchoolYear(closes)), closes)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

func buildDemo(ctx context.Context, e *env, st *store.DB, c config, persons int) error {
	start := time.Now()
	dir, err := os.MkdirTemp("", "rooted-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(e.stderr, "rooted: first run: generating a demo city of %d persons …\n", persons)
	m, err := generate(ctx, e, dir, demo.Options{Persons: persons, Seed: demoSeed, AsOf: c.AsOf})
	if err != nil {
		return err
	}
	files := make([]string, 0, len(m.Files))
	for name := range m.Files {
		files = append(files, filepath.Join(dir, name))
	}
	factKinds, err := policy.FactKinds("")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "rooted: importing %d files …\n", len(files))
	sum, err := importFiles(ctx, e, st, files, ingest.Options{QuarantineDir: filepath.Join(dir, "quarantine"), Today: c.AsOf, FactKinds: factKinds, Lang: c.Lang})
	if err != nil {
		return err
	}
	for _, f := range sum.Files {
		if f.Quarantined > 0 {
			return fmt.Errorf("demo: %s: %d of %d generated rows were refused; this is a bug in the generator", f.File, f.Quarantined, f.Read)
		}
	}
	fmt.Fprintln(e.stderr, "rooted: issuing residence permits …")
	ps, err := issuePermits(ctx, e, st, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "rooted: demo city ready in %s: %d persons, %d active permits\n", time.Since(start).Round(time.Second), m.Persons, ps.Active)
	return nil
}

// serveGCPercent is the server's GOGC unless the environment sets one.
const serveGCPercent = 400

// serve runs the web server until ctx is cancelled, then shuts it down.
//
// The API token for scripts (an admin) is read from the file named by
// ROOTED_API_TOKEN_FILE; without it no token is accepted. The key of the
// one-time codes' and the sign-in limits' HMACs (auth.Codes, auth.Limiter)
// from ROOTED_SIGNIN_KEY_FILE, the same on every server; without it, a key
// generated once and kept in the database (storedSignInKey). The keys of
// references to persons in pages from ROOTED_SEAL_KEY_FILE, or derived
// from the sign-in key (sealKeys). Citizens' one-time codes are written to the log (masked ID) in the demo, or when
// ROOTED_DEMO_CODES=1; otherwise citizen sign-in says that no SMS gateway
// is configured. ROOTED_SECURE_COOKIES=1 marks cookies Secure behind a
// TLS-terminating proxy; ROOTED_TRUST_PROXY=1 takes the client address
// from the X-Forwarded-For entry the one proxy in front added, and
// ROOTED_TRUSTED_PROXIES=ADDR,CIDR,… names a chain of proxies (see
// web.Options.TrustedProxies).
func serve(ctx context.Context, e *env, st *store.DB, c config, scheme, reform *policy.Scheme, demo bool) error {
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	if !c.Serve.GOGCSet {
		// A server's live heap is small (caches are bounded) and its
		// requests allocate steadily: collecting when the heap has grown
		// 4× instead of 1× costs little memory and takes the collector
		// out of most requests' way — p99 of the points page under load
		// about 10 % lower (BENCHMARKS.md, "Web"). GOGC, when set, wins.
		debug.SetGCPercent(serveGCPercent)
	}
	token, err := secretFile("ROOTED_API_TOKEN_FILE", c.Serve.APITokenFile)
	if err != nil {
		return err
	}
	signInKey, err := secretFile("ROOTED_SIGNIN_KEY_FILE", c.Serve.SignInKeyFile)
	if err != nil {
		return err
	}
	if signInKey != "" && len(signInKey) < 32 {
		return apperr.E("serve.config", apperr.Invalid, "error.signin_key_short", len(signInKey))
	}
	if signInKey == "" {
		if signInKey, err = storedSignInKey(ctx, st, demo, logger); err != nil {
			return err
		}
	}
	seal, err := sealKeys(c.Serve.SealKeyFile)
	if err != nil {
		return err
	}
	proxies, err := trustedProxies(c.Serve.TrustedProxies)
	if err != nil {
		return err
	}
	var codes web.CodeSender = web.NoSender{}
	if demo || c.Serve.DemoCodes {
		codes = &web.LogSender{Logger: logger}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	rs := &rounds.Service{Store: st, Scheme: scheme, Files: ingest.PublicationFiles{}}
	sandbox, err := st.Sandbox(ctx)
	if err != nil {
		return err
	}
	// Every server runs durable jobs (imports from the console) and sweeps
	// expired files; they share the work through the database.
	runner := &jobs.Runner{Store: st, Logger: logger}
	// The officer pages' computed views (the forecast, the reform
	// comparison, …) run on a second runner, so that a long import does
	// not hold up a page, nor a page an import.
	viewRunner := &jobs.Runner{Store: st, Logger: logger}
	srv := &http.Server{
		Handler: web.New(st, web.Options{
			Logger: logger, Scheme: scheme, Reform: reform, APIToken: token, Codes: codes, SignInKey: []byte(signInKey), SealKeys: seal,
			Rounds:         rs,
			SecureCookies:  c.Serve.SecureCookies,
			TrustProxy:     c.Serve.TrustProxy,
			TrustedProxies: proxies,
			Context:        ctx, // the figures' background work stops with the server
			Jobs:           runner,
			Sandbox:        sandbox,
			ViewJobs:       viewRunner,
			Import:         importForWeb,
		}),
		// Each route sets its own deadlines (a page 15–30 s, an upload 30
		// minutes: internal/web's limits); these bound what comes before
		// the route is known and any route that sets none.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	fmt.Fprintf(e.stdout, "rooted: serving on http://%s/\n", ln.Addr())
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var bgDone sync.WaitGroup
	bgDone.Add(3)
	// Run returns only when bg ends; an error it may come to return has
	// no caller left to take it but the log.
	for _, r := range []*jobs.Runner{runner, viewRunner} {
		go func() {
			defer bgDone.Done()
			if err := r.Run(bg); err != nil {
				logger.Error("serve: job runner stopped", "err", err)
			}
		}()
	}
	go func() { defer bgDone.Done(); jobs.SweepFiles(bg, st, 10*time.Minute, nil, logger) }()
	// A job cut off here keeps its lease until it runs out; then another
	// server (or this one, restarted) runs it again from the start.
	defer func() { stopBG(); bgDone.Wait() }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// ctx is cancelled by now: the shutdown keeps its values but not its
	// cancellation, and has 10 s of its own to finish the requests in hand.
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// trustedProxies parses ROOTED_TRUSTED_PROXIES: the addresses of the
// proxies in front of the server, comma-separated, each an IP address or a
// CIDR prefix (10.0.0.5, 10.0.1.0/24).
func trustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, apperr.E("serve.config", apperr.Invalid, "error.trusted_proxy", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// secretFile returns the secret held in the file f that the environment
// variable name points to, trimmed: "" when f is "", an error naming the
// variable when the file is unreadable or empty. Secrets are kept in files,
// readable only by the service, rather than in the environment itself.
func secretFile(name, f string) (string, error) {
	if f == "" {
		return "", nil
	}
	b, err := os.ReadFile(f)
	if err != nil {
		return "", apperr.WrapE("serve.secret", apperr.Invalid, err, "error.serve_file_unreadable", name)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", apperr.E("serve.secret", apperr.Invalid, "error.serve_file_empty", name, f)
	}
	return s, nil
}
