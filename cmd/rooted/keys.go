package main

import (
	"context"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/store"
)

// minKeyLen is the shortest secret a key file may hold, in characters
// (openssl rand -hex 32 gives 64).
const minKeyLen = 32

// sealKeys returns the keys of the references to persons that pages carry
// (web.Options.SealKeys), which every server of a cluster must share: the
// lines of the file f (ROOTED_SEAL_KEY_FILE), the current key first,
// then the previous ones, kept while pages sealed under them may still be
// open (12 hours); blank lines and lines starting with # are skipped.
// Without the file, none: the server derives its key from the sign-in key.
func sealKeys(f string) ([][]byte, error) {
	if f == "" {
		return nil, nil
	}
	return readKeyFile("ROOTED_SEAL_KEY_FILE", f)
}

// storedSignInKey returns the sign-in key of a deployment without
// ROOTED_SIGNIN_KEY_FILE: generated once and kept in the database (table
// server_secrets), so that every server sharing the database, and the same
// server after a restart, keys codes, limits and (derived from it) sealed
// references alike. Outside the demo it warns: whoever reads the database
// then reads the key too.
func storedSignInKey(ctx context.Context, st *store.DB, demo bool, logger *slog.Logger) (string, error) {
	if !demo {
		logger.Warn("ROOTED_SIGNIN_KEY_FILE is not set: one-time codes, sign-in limits and references to persons in pages are keyed by a key kept in the database; a deployment sets ROOTED_SIGNIN_KEY_FILE (and ROOTED_SEAL_KEY_FILE) on every server")
	}
	k, err := st.Secret(ctx, "signin-key", 32)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(k), nil
}

// readKeyFile returns the keys in the file f named by the variable name,
// one a line, in order.
func readKeyFile(name, f string) ([][]byte, error) {
	b, err := os.ReadFile(f)
	if err != nil {
		return nil, apperr.WrapE("serve.keys", apperr.Invalid, err, "error.serve_file_unreadable", name)
	}
	var keys [][]byte
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) < minKeyLen {
			return nil, apperr.E("serve.keys", apperr.Invalid, "error.serve_key_short", name, f, i+1, len(line), minKeyLen)
		}
		keys = append(keys, []byte(line))
	}
	if len(keys) == 0 {
		return nil, apperr.E("serve.keys", apperr.Invalid, "error.serve_no_key", name, f)
	}
	return keys, nil
}
