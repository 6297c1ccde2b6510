package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"

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
	c, _, err := e.flags("migrate", "[--db DSN]", args, []string{"db"}, nil)
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
	return nil
}

func runPermits(ctx context.Context, e *env, args []string) error {
	c, _, err := e.flags("permits", "[--db DSN] [--as-of YYYY-MM-DD]", args, []string{"db", "as-of"}, nil)
	if err != nil {
		return helpOK(err)
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := issuePermits(ctx, e, st, c)
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, struct {
		AsOf string `json:"as_of"`
		registry.PermitSummary
	}{c.AsOf.String(), sum})
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
