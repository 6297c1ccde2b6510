package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
)

// runUser is `rooted user add|list`: officer accounts.
func runUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, userUsage)
			return nil
		}
		return usageError{"user: want `user add` or `user list`\n" + userUsage}
	}
	if args[0] == "list" {
		return userList(ctx, e, args[1:])
	}
	return userAdd(ctx, e, args[1:])
}

const userUsage = `usage: rooted user add --name NAME --role ROLE [--password-file F] [--db DSN]
       rooted user list [--db DSN]
roles: admin, education, housing, hrss, medical, police, auditor.
Without --password-file a strong password is generated and printed once.`

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
			return apperr.Wrap(apperr.Invalid, err, "user add: --password-file unreadable")
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
