// Package auth is who may do what: staff tokens with a role (doctor,
// editor, admin), stored only as hashes, and the signed start links a
// hospital's systems give a patient to begin a pre-consultation for a known
// patient and visit.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi"
)

// Role is what a token may do.
type Role string

// The roles. An admin may do everything a doctor or an editor may.
const (
	Doctor Role = "doctor" // reads and imports pre-consultation records
	Editor Role = "editor" // edits the knowledge base
	Admin  Role = "admin"  // manages tokens, and everything else
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r == Doctor || r == Editor || r == Admin }

// Allows reports whether a token of role r may act as role need.
func (r Role) Allows(need Role) bool { return r == need || r == Admin }

// Token is a staff credential as stored: its secret is never kept, only its
// SHA-256 hash.
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"` // who holds it: "张医生", "内科护士站"
	Role      Role      `json:"role"`
	Hash      string    `json:"-"` // hex SHA-256 of the secret
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Active reports whether the token may still be used.
func (t *Token) Active() bool { return t.RevokedAt.IsZero() }

// Store keeps tokens (both stores implement it).
type Store interface {
	// CreateToken stores a new token; its ID and Hash must be new.
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the token with this hash, or a NotFound error.
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	// ListTokens returns all tokens, oldest first.
	ListTokens(ctx context.Context) ([]*Token, error)
	// RevokeToken marks a token revoked at the given time; NotFound when
	// there is no such token.
	RevokeToken(ctx context.Context, id string, at time.Time) error
}

// tokenPrefix marks daoyi's secrets, so a leaked one is easy to recognise
// in code or logs.
const tokenPrefix = "dy_"

// NewSecret returns a fresh random secret and its hash.
func NewSecret() (secret, hash string) {
	b := make([]byte, 24)
	rand.Read(b) // never fails (crypto/rand panics on a broken source)
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, Hash(secret)
}

// Hash returns the stored form of a secret.
func Hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// NewID returns a random identifier with a prefix, e.g. "tok_…".
func NewID(prefix string) string {
	b := make([]byte, 9)
	rand.Read(b)
	return prefix + "_" + base64.RawURLEncoding.EncodeToString(b)
}

// Authenticate checks a secret and returns its active token. A wrong,
// unknown or revoked secret is Unauthorized, with the same message, so a
// caller learns nothing about which.
func Authenticate(ctx context.Context, s Store, secret string) (*Token, error) {
	const op = "auth.Authenticate"
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, daoyi.E(daoyi.Unauthorized, daoyi.Op(op), "invalid token")
	}
	t, err := s.TokenByHash(ctx, Hash(secret))
	if daoyi.KindOf(err) == daoyi.NotFound || err == nil && !t.Active() {
		return nil, daoyi.E(daoyi.Unauthorized, daoyi.Op(op), "invalid token")
	}
	if err != nil {
		return nil, daoyi.E(daoyi.Op(op), err)
	}
	return t, nil
}

// Link is what a signed start link carries: the hospital's ids for the
// patient and the visit, the department when known, and until when the
// link works.
type Link struct {
	PatientID  string    `json:"p"`
	VisitID    string    `json:"v"`
	Department string    `json:"d,omitempty"`
	Expires    time.Time `json:"e"`
}

// Sign encodes a link as a token: base64url(JSON) "." base64url(HMAC-SHA256).
func Sign(l Link, secret []byte) string {
	body, _ := json.Marshal(l)
	b := base64.RawURLEncoding.EncodeToString(body)
	return b + "." + base64.RawURLEncoding.EncodeToString(mac(b, secret))
}

func mac(body string, secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(body))
	return m.Sum(nil)
}

// Verify decodes a signed link, checking its signature and that it has not
// expired at now. Every failure is Unauthorized.
func Verify(token string, secret []byte, now time.Time) (Link, error) {
	const op = "auth.Verify"
	bad := func(msg string) (Link, error) {
		return Link{}, daoyi.E(daoyi.Unauthorized, daoyi.Op(op), msg)
	}
	if len(secret) == 0 {
		return bad("start links are not configured")
	}
	body, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 2048 {
		return bad("malformed link")
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(body, secret)) {
		return bad("invalid link signature")
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return bad("malformed link")
	}
	var l Link
	if err := json.Unmarshal(raw, &l); err != nil || l.PatientID == "" || l.Expires.IsZero() {
		return bad("malformed link")
	}
	if !now.Before(l.Expires) {
		return bad("the link has expired")
	}
	return l, nil
}

// Issue creates and stores a new token, returning it and its secret (the
// only time the secret exists outside the holder's hands).
func Issue(ctx context.Context, s Store, name string, role Role, now time.Time) (*Token, string, error) {
	if !role.Valid() || strings.TrimSpace(name) == "" {
		return nil, "", daoyi.E(daoyi.Invalid, daoyi.Op("auth.Issue"), "a token needs a name and a role: doctor, editor or admin")
	}
	secret, hash := NewSecret()
	t := &Token{ID: NewID("tok"), Name: strings.TrimSpace(name), Role: role, Hash: hash, CreatedAt: now.UTC()}
	if err := s.CreateToken(ctx, t); err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// Check checks a token before it is stored: an id, a hash, a known role,
// and text both stores keep faithfully (no NUL, valid UTF-8).
func (t *Token) Check() error {
	switch {
	case t == nil || t.ID == "" || t.Hash == "":
		return daoyi.E(daoyi.Invalid, "a token needs an id and a hash")
	case !t.Role.Valid():
		return daoyi.E(daoyi.Invalid, "invalid role "+strconv.Quote(string(t.Role)))
	}
	for _, s := range []string{t.ID, t.Name, t.Hash} {
		if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
			return daoyi.E(daoyi.Invalid, "text must be valid UTF-8 without NUL characters")
		}
	}
	return nil
}
