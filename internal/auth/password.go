package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"

	"github.com/newcitizens/rooted/internal/apperr"
)

// Params are the argon2id cost parameters of a password hash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams follow RFC 9106's second recommended option (64 MiB, 3
// passes) with 2 lanes: about 100 ms on one core of a modest server.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2}

// MinPasswordLen is the shortest password accepted, in characters.
const MinPasswordLen = 12

// CheckPassword returns an invalid error when pw is too weak to accept.
func CheckPassword(pw string) error {
	if len([]rune(pw)) < MinPasswordLen {
		return apperr.E("auth.check_password", apperr.Invalid, "error.password_short", MinPasswordLen)
	}
	if strings.TrimSpace(pw) != pw {
		return apperr.E("auth.check_password", apperr.Invalid, "error.password_space")
	}
	return nil
}

// Hash returns the argon2id hash of pw in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$key), with a random 16-byte salt.
func (p Params) Hash(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether pw matches hash (from Params.Hash, with
// whatever parameters it was made). A malformed hash never matches.
func VerifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Threads == 0 || p.Time == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when the user does not exist, so a
// sign-in for an unknown name costs as long as one for a known name.
// It is made on first use: hashing costs 64 MiB and a tenth of a second,
// which commands that never sign anyone in should not pay.
var dummyHash = sync.OnceValue(func() string { return DefaultParams.Hash("rooted-no-such-user") })

// VerifyUser checks pw against u's hash in constant time with respect to
// whether u exists (found false): ErrSignIn unless u is found, enabled and
// pw matches.
func VerifyUser(u User, found bool, pw string) error {
	if !found {
		VerifyPassword(dummyHash(), pw)
		return ErrSignIn
	}
	if !VerifyPassword(u.PasswordHash, pw) || u.Disabled {
		return ErrSignIn
	}
	return nil
}
