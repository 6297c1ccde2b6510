package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/web"
)

// runUser is `rooted user add|list|set-role|disable|enable|unlock-citizen`:
// officer accounts, and citizens' locked sign-in.
func runUser(ctx context.Context, e *env, args []string) error {
	sub := map[string]func(context.Context, *env, []string) error{
		"add": userAdd, "list": userList, "set-role": userSetRole,
		"disable": userLock(true), "enable": userLock(false), "unlock-citizen": userUnlockCitizen,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, userUsage)
			return nil
		}
		return usageError{"user: want `user add`, `list`, `set-role`, `disable`, `enable` or `unlock-citizen`\n" + userUsage}
	}
	return sub[args[0]](ctx, e, args[1:])
}

const userUsage = `usage: rooted user add --name NAME --role ROLE [--password-file F] [--db DSN]
       rooted user list [--db DSN]
       rooted user set-role --name NAME --role ROLE [--db DSN]
       rooted user disable|enable --name NAME [--db DSN]
       rooted user unlock-citizen --id ID-NUMBER --officer NAME --reason TEXT [--db DSN]
roles: admin, education, housing, hrss, medical, police, auditor.
Without --password-file a strong password is generated and printed once.
set-role and disable end the account's sessions on every server at once.
unlock-citizen lifts the lock on a citizen's sign-in after too many wrong
codes, once an admin officer has checked the person's identity; it is
written to the audit log. It needs the servers' ROOTED_SIGNIN_KEY_FILE.`

func userAdd(ctx context.Context, e *env, args []string) error {
	var name, role, pwFile string
	c, rest, err := e.flags("user add", "--name NAME --role ROLE [--password-file F] [--db DSN]", args, []string{"db"}, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "sign-in name (unique)")
		fs.StringVar(&role, "role", "", "role: admin, education, housing, hrss, medical, police or auditor")
		fs.StringVar(&pwFile, "password-file", "", "file holding the password (first line); default: generate one")
	})
	if err != nil {
		return helpOK(err)
	}
	if name == "" || role == "" || len(rest) > 0 {
		return usageError{"user add: --name and --role are required\n" + userUsage}
	}
	r, err := auth.ParseRole(role)
	if err != nil {
		return usageError{"user add: " + err.Error()}
	}
	var pw string
	generated := pwFile == ""
	if generated {
		pw = newPassword()
	} else {
		b, err := os.ReadFile(pwFile)
		if err != nil {
			return apperr.WrapE("user.add", apperr.Invalid, err, "error.password_file_unreadable")
		}
		pw, _, _ = strings.Cut(string(b), "\n")
		pw = strings.TrimRight(pw, "\r")
	}
	if err := auth.CheckPassword(pw); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, auth.User{Name: name, Role: r, PasswordHash: auth.DefaultParams.Hash(pw)})
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(e.stderr, "rooted: user %s (%s) created\n", u.Name, u.Role)
	if generated {
		fmt.Fprintf(e.stdout, "password for %s: %s\n", u.Name, pw)
	}
	return nil
}

func userList(ctx context.Context, e *env, args []string) error {
	c, _, err := e.flags("user list", "[--db DSN]", args, []string{"db"}, nil)
	if err != nil {
		return helpOK(err)
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	us, err := st.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range us {
		state := "active"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", u.Name, u.Role, u.Created.Format("2006-01-02"), state)
	}
	return nil
}

// newPassword returns 20 random characters from an alphabet without look-
// alike characters: about 112 bits.
func newPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	return randomFrom(alphabet, 20)
}

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	buf := make([]byte, 1)
	for i := 0; i < n; {
		rand.Read(buf)
		// Rejection sampling keeps every character equally likely.
		if int(buf[0]) < 256-256%len(alphabet) {
			b[i] = alphabet[int(buf[0])%len(alphabet)]
			i++
		}
	}
	return string(b)
}

// userSetRole is `rooted user set-role`.
func userSetRole(ctx context.Context, e *env, args []string) error {
	var name, role string
	c, rest, err := e.flags("user set-role", "--name NAME --role ROLE [--db DSN]", args, []string{"db"}, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "sign-in name")
		fs.StringVar(&role, "role", "", "the new role")
	})
	if err != nil {
		return helpOK(err)
	}
	if name == "" || role == "" || len(rest) > 0 {
		return usageError{"user set-role: --name and --role are required\n" + userUsage}
	}
	r, err := auth.ParseRole(role)
	if err != nil {
		return usageError{"user set-role: " + err.Error()}
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.SetUserRole(ctx, name, r); err != nil {
		return fmt.Errorf("user set-role: %w", err)
	}
	fmt.Fprintf(e.stderr, "rooted: user %s now has the role %s; their sessions are ended\n", name, r)
	return nil
}

// userLock is `rooted user disable` (lock) or `enable`.
func userLock(lock bool) func(context.Context, *env, []string) error {
	verb := map[bool]string{true: "disable", false: "enable"}[lock]
	return func(ctx context.Context, e *env, args []string) error {
		var name string
		c, rest, err := e.flags("user "+verb, "--name NAME [--db DSN]", args, []string{"db"}, func(fs *flag.FlagSet) {
			fs.StringVar(&name, "name", "", "sign-in name")
		})
		if err != nil {
			return helpOK(err)
		}
		if name == "" || len(rest) > 0 {
			return usageError{"user " + verb + ": --name is required\n" + userUsage}
		}
		st, err := openStore(ctx, c.DB)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.SetUserDisabled(ctx, name, lock); err != nil {
			return fmt.Errorf("user %s: %w", verb, err)
		}
		fmt.Fprintf(e.stderr, "rooted: user %s %sd\n", name, verb)
		return nil
	}
}

// userUnlockCitizen is `rooted user unlock-citizen`: an officer lifts the
// lock on a citizen's sign-in (web.UnlockCitizen), recorded in the audit
// log under the officer's name with their reason.
func userUnlockCitizen(ctx context.Context, e *env, args []string) error {
	var id, officer, reason string
	c, rest, err := e.flags("user unlock-citizen", "--id ID-NUMBER --officer NAME --reason TEXT [--db DSN]", args, []string{"db"}, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "id", "", "the citizen's ID number")
		fs.StringVar(&officer, "officer", "", "sign-in name of the officer who checked the person's identity")
		fs.StringVar(&reason, "reason", "", "why: e.g. the case number or how identity was checked")
	})
	if err != nil {
		return helpOK(err)
	}
	id, reason = strings.ToUpper(strings.TrimSpace(id)), strings.TrimSpace(reason)
	if id == "" || officer == "" || reason == "" || len(rest) > 0 {
		return usageError{"user unlock-citizen: --id, --officer and --reason are required\n" + userUsage}
	}
	if _, err := ident.ParseID(id, c.AsOf); err != nil {
		return usageError{"user unlock-citizen: --id: " + err.Error()}
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.UserByName(ctx, officer)
	if err != nil {
		return fmt.Errorf("user unlock-citizen: --officer %s: %w", officer, err)
	}
	if u.Disabled || u.Role != auth.Admin {
		return apperr.E("user.unlock_citizen", apperr.Forbidden, "error.unlock_not_admin", officer, u.Role)
	}
	key, err := secretFile("ROOTED_SIGNIN_KEY_FILE", c.Serve.SignInKeyFile)
	if err != nil {
		return err
	}
	if key == "" {
		// As serve does without the file (storedSignInKey).
		k, err := st.Secret(ctx, "signin-key", 32)
		if err != nil {
			return err
		}
		key = hex.EncodeToString(k)
	}
	had, err := web.UnlockCitizen(ctx, st, []byte(key), id)
	if err != nil {
		return fmt.Errorf("user unlock-citizen: %w", err)
	}
	if err := st.AppendAudit(ctx, auth.AuditEntry{At: time.Now(), Actor: u.Name, Role: u.Role, Action: "unlock_citizen", Subject: id, Reason: reason, IP: "cli"}); err != nil {
		return fmt.Errorf("user unlock-citizen: %w", err)
	}
	if !had {
		fmt.Fprintf(e.stderr, "rooted: %s had no wrong codes on record (if it is locked, check that ROOTED_SIGNIN_KEY_FILE is the servers')\n", ident.MaskID(id))
		return nil
	}
	fmt.Fprintf(e.stderr, "rooted: sign-in of %s unlocked\n", ident.MaskID(id))
	return nil
}
