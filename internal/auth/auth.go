package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
)

// Role is what an account is for. Officers have one role each; citizens
// sign in with their ID number and hold the role Citizen.
type Role string

// Roles.
const (
	Admin     Role = "admin"     // the floating-population service centre: everything
	Education Role = "education" // schools, forecasts, enrollment rounds
	Housing   Role = "housing"   // housing rounds and waiting lists
	HRSS      Role = "hrss"      // human resources and social security
	Medical   Role = "medical"   // medical insurance
	Police    Role = "police"    // public security
	Auditor   Role = "auditor"   // read-only rounds, ledger, verification, audit log
	Citizen   Role = "citizen"   // a resident, seeing their own family only
)

// OfficerRoles are the roles an officer account may have, in display order.
var OfficerRoles = []Role{Admin, Education, Housing, HRSS, Medical, Police, Auditor}

// ParseRole returns the officer role named s, or an invalid error.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(OfficerRoles, r) {
		return "", apperr.E("auth.parse_role", apperr.Invalid, "error.unknown_role", s, OfficerRoles)
	}
	return r, nil
}

// Scope is one area of the officer console or API. A role sees a page or
// resource only when it is granted its scope.
type Scope string

// Scopes.
const (
	ScopeDashboard  Scope = "dashboard"  // aggregate figures and eligibility counts (nothing personal)
	ScopeRegistry   Scope = "registry"   // search persons, identities masked
	ScopeUnmask     Scope = "unmask"     // see a full ID number, giving a reason that is logged
	ScopeImport     Scope = "import"     // upload registry spreadsheets
	ScopeSchemes    Scope = "schemes"    // points schemes and their simulations
	ScopeSchools    Scope = "schools"    // schools and the school-demand forecast
	ScopeEnrollment Scope = "enrollment" // enrollment rounds: create, open, close, allocate, publish
	ScopeHousing    Scope = "housing"    // housing rounds, waiting lists, the housing forecast
	ScopeInsurance  Scope = "insurance"  // social- and medical-insurance coverage
	ScopeRoundsRead Scope = "rounds"     // read rounds, the ledger and verification
	ScopeAudit      Scope = "audit"      // the log of unmaskings
	ScopePersons    Scope = "persons"    // any person's points through the API
)

// grants lists the scopes of each officer role. Admin has every scope.
var grants = map[Role][]Scope{
	Education: {ScopeDashboard, ScopeSchools, ScopeEnrollment, ScopeRoundsRead},
	Housing:   {ScopeDashboard, ScopeHousing, ScopeRoundsRead},
	HRSS:      {ScopeDashboard, ScopeInsurance, ScopeSchemes},
	Medical:   {ScopeDashboard, ScopeInsurance},
	Police:    {ScopeDashboard, ScopeRegistry, ScopeUnmask},
	Auditor:   {ScopeDashboard, ScopeRoundsRead, ScopeAudit},
}

// Can reports whether role r is granted scope s. Citizens are granted no
// officer scope; their own pages are checked by who they are instead.
func (r Role) Can(s Scope) bool {
	if r == Admin {
		return true
	}
	return slices.Contains(grants[r], s)
}

// Officer reports whether r is an officer role.
func (r Role) Officer() bool { return slices.Contains(OfficerRoles, r) }

// User is an officer account.
type User struct {
	ID           int64
	Name         string // unique sign-in name, 1–64 characters
	Role         Role
	PasswordHash string // PHC string from Params.Hash
	Created      time.Time
	Disabled     bool
}

// Validate checks the name and role.
func (u User) Validate() error {
	if n := len([]rune(u.Name)); n == 0 || n > 64 {
		return apperr.E("auth.check_name", apperr.Invalid, "error.user_name_length")
	}
	for _, c := range u.Name {
		if c <= ' ' || c == 0x7f {
			return apperr.E("auth.check_name", apperr.Invalid, "error.user_name_chars")
		}
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	return nil
}

// Session kinds.
const (
	KindOfficer = "officer"
	KindCitizen = "citizen"
)

// Session is a signed-in browser or script. Only the hash of its token is
// kept: a stolen database does not yield usable cookies.
type Session struct {
	Hash    string // HashToken of the token in the cookie
	Kind    string // KindOfficer or KindCitizen
	UserID  int64  // officer; 0 for citizens
	Name    string // officer's name; "" for citizens
	Role    Role
	Subject string // citizen's ID number; "" for officers
	Created time.Time
	Expires time.Time
}

// Session lifetimes.
const (
	OfficerSessionTTL = 8 * time.Hour // one working day
	CitizenSessionTTL = 30 * time.Minute
)

// AuditEntry is one access to personal data that the log keeps: who, when,
// what and why.
type AuditEntry struct {
	At      time.Time
	Actor   string // officer name
	Role    Role
	Action  string // e.g. "unmask"
	Subject string // the ID number concerned (shown masked), if any
	Reason  string // the officer's stated reason: required to unmask
	Object  string // what was acted on, e.g. "round 2027-grade1-city"
	IP      string
}

// Store persists accounts, sessions and the audit log. internal/store
// implements it. Missing records are *apperr.Error with code not_found.
type Store interface {
	// CreateUser stores a new account and returns it with its ID. A name
	// already taken is a conflict error.
	CreateUser(ctx context.Context, u User) (User, error)
	// UserByName returns the account named name, or not_found.
	UserByName(ctx context.Context, name string) (User, error)
	// Users returns every account, by name.
	Users(ctx context.Context) ([]User, error)
	// SetPassword replaces the password hash of the account named name, or
	// returns not_found.
	SetPassword(ctx context.Context, name, hash string) error

	// CreateSession stores s (its Hash is the key).
	CreateSession(ctx context.Context, s Session) error
	// Session returns the session whose token hashes to hash, or not_found
	// (also when it has expired by now).
	Session(ctx context.Context, hash string, now time.Time) (Session, error)
	// DeleteSession removes a session; removing a missing one is no error.
	DeleteSession(ctx context.Context, hash string) error
	// DeleteExpiredSessions removes the sessions expired by now and returns
	// how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)

	// AppendAudit appends e to the audit log; the log is never updated.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// Audit returns the latest limit entries, newest first.
	Audit(ctx context.Context, limit int) ([]AuditEntry, error)
}

// NewToken returns a fresh session token (32 random bytes, base64url) and
// the hash to store for it.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the hex SHA-256 of token: what the store keeps.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// ErrSignIn is the one answer to a failed sign-in, whatever failed (no
// such user, wrong password, disabled account, wrong code): telling them
// apart would help a guesser.
var ErrSignIn = apperr.E("auth.signin", apperr.Forbidden, "error.signin_failed")

// ErrLocked is the answer while an account or address is locked out.
type ErrLocked struct {
	RetryAfter time.Duration
	// Started is set by Limiter.Add when this event began the lockout
	// (for telling the account's owner once, not at every refusal).
	Started bool
}

func (e *ErrLocked) Error() string {
	return fmt.Sprintf("too many attempts; try again in %s", e.RetryAfter.Round(time.Second))
}
