package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/store"
)

// helpOK turns the -h request into success; other errors pass through.
func helpOK(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func openStore(ctx context.Context, dsn string) (*store.DB, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactDSN(dsn), err)
	}
	return st, nil
}

func runStats(ctx context.Context, e *env, args []string) error {
	c, _, err := e.flags("stats", "[--db DSN]", args, []string{"db"}, nil)
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
	return writeJSON(e.stdout, counts)
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	var sandbox bool
	c, _, err := e.flags("migrate", "[--db DSN] [--sandbox]", args, []string{"db"}, func(fs *flag.FlagSet) {
		fs.BoolVar(&sandbox, "sandbox", false, "mark the database a demo sandbox, for good: steps may then be taken as of another day (--as-of), and every page says 演示数据 (demo data)")
	})
	if err != nil {
		return helpOK(err)
	}
	// Open applies pending migrations; report what is there now.
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "rooted: %s database is up to date (%d migrations applied now)\n", st.Engine(), applied)
	if sandbox {
		if err := st.MarkSandbox(ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.stderr, "rooted: the database is marked a demo sandbox (演示数据)")
	}
	return nil
}

// runPermits issues, endorses and lapses permits as of today. With
// --dry-run, or --as-of on a database that is not a demo sandbox, it
// writes nothing and answers as of that day instead (see permitsDryRun).
func runPermits(ctx context.Context, e *env, args []string) error {
	var dryRun bool
	c, _, err := e.flags("permits", "[--db DSN] [--dry-run] [--as-of YYYY-MM-DD]", args, []string{"db", "as-of"}, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "write nothing: print what a run would change, and the permits active on the as-of day (the default with --as-of, except on a demo sandbox)")
	})
	if err != nil {
		return helpOK(err)
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	if c.AsOfSet && !dryRun {
		// A permit is issued on the day it is issued: --as-of asks a
		// question, except on a sandbox.
		sandbox, err := st.Sandbox(ctx)
		if err != nil {
			return err
		}
		dryRun = !sandbox
	}
	if dryRun {
		sum, err := permitsDryRun(ctx, e, st, c.AsOf)
		if err != nil {
			return err
		}
		return writeJSON(e.stdout, struct {
			AsOf   string `json:"as_of"`
			DryRun bool   `json:"dry_run"`
			registry.PermitSummary
		}{c.AsOf.String(), true, sum})
	}
	sum, err := issuePermits(ctx, e, st, c)
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, struct {
		AsOf string `json:"as_of"`
		registry.PermitSummary
	}{c.AsOf.String(), sum})
}

// permitsDryRun answers, without writing, as of day: Issued, Endorsed and
// Lapsed are what a run on day would record beyond the permits stored;
// Active is how many persons held an active permit on day, by the rule
// replayed over the registry from the start (the stored permits may have
// been issued after day).
func permitsDryRun(ctx context.Context, e *env, st *store.DB, day date.Date) (registry.PermitSummary, error) {
	rule := registry.DefaultPermitRule
	p := e.progress()
	defer p.done()
	var sum registry.PermitSummary
	err := st.ForEachHistory(ctx, func(h registry.PersonHistory) error {
		for _, ev := range rule.Decide(h, day).Events {
			sum.Count(ev.Kind)
		}
		h.Permits = nil
		if ps := rule.Decide(h, day).Permits; len(ps) > 0 && ps[len(ps)-1].Status == registry.PermitActive {
			sum.Active++
		}
		sum.Persons++
		p.show("permits (dry run): %d persons checked", sum.Persons)
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("permits: dry run: %w", err)
	}
	return sum, nil
}

func issuePermits(ctx context.Context, e *env, st registry.Store, c config) (registry.PermitSummary, error) {
	rule := registry.DefaultPermitRule
	p := e.progress()
	defer p.done()
	return st.UpdatePermits(ctx,
		func(h registry.PersonHistory) registry.PermitChange { return rule.Decide(h, c.AsOf) },
		func(done int) { p.show("permits: %d persons checked", done) })
}

// redactDSN hides the password of a postgres:// DSN for messages.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
