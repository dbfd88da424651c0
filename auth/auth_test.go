package auth_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/auth"
)

// memStore is the smallest auth.Store, for testing the package's own
// logic; both real stores pass the shared suite in storetest.
type memStore struct {
	mu sync.Mutex
	ts []*auth.Token
}

func (m *memStore) CreateToken(_ context.Context, t *auth.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ts = append(m.ts, t)
	return nil
}

func (m *memStore) TokenByHash(_ context.Context, h string) (*auth.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.ts {
		if t.Hash == h {
			c := *t
			return &c, nil
		}
	}
	return nil, daoyi.E(daoyi.NotFound, "no such token")
}

func (m *memStore) ListTokens(context.Context) ([]*auth.Token, error) { return m.ts, nil }

func (m *memStore) RevokeToken(_ context.Context, id string, at time.Time) error {
	for _, t := range m.ts {
		if t.ID == id {
			t.RevokedAt = at
			return nil
		}
	}
	return daoyi.E(daoyi.NotFound, "no such token")
}

func TestIssueAndAuthenticate(t *testing.T) {
	ctx := context.Background()
	s := &memStore{}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	tok, secret, err := auth.Issue(ctx, s, " 王医生 ", auth.Doctor, now)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Name != "王医生" || tok.Hash == "" || strings.Contains(tok.Hash, secret) || tok.Hash != auth.Hash(secret) {
		t.Fatalf("issued %+v", tok)
	}
	got, err := auth.Authenticate(ctx, s, secret)
	if err != nil || got.ID != tok.ID || got.Role != auth.Doctor {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	_, other, _ := auth.Issue(ctx, &memStore{}, "x", auth.Admin, now) // a real secret, another store
	for name, sec := range map[string]string{"empty": "", "no prefix": "abc", "unknown": other, "huge": "dy_" + strings.Repeat("a", 200)} {
		if _, err := auth.Authenticate(ctx, s, sec); daoyi.KindOf(err) != daoyi.Unauthorized {
			t.Errorf("%s: %v, want unauthorized", name, err)
		}
	}
	if err := s.RevokeToken(ctx, tok.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Authenticate(ctx, s, secret); daoyi.KindOf(err) != daoyi.Unauthorized {
		t.Fatalf("a revoked token: %v", err)
	}
	if _, _, err := auth.Issue(ctx, s, "x", "nurse", now); daoyi.KindOf(err) != daoyi.Invalid {
		t.Fatalf("an unknown role: %v", err)
	}
	if a, b := auth.NewID("tok"), auth.NewID("tok"); a == b || !strings.HasPrefix(a, "tok_") {
		t.Fatalf("ids %s %s", a, b)
	}
}

func TestRoles(t *testing.T) {
	if !auth.Admin.Allows(auth.Doctor) || !auth.Doctor.Allows(auth.Doctor) || auth.Editor.Allows(auth.Doctor) || auth.Doctor.Allows(auth.Admin) {
		t.Fatal("role rules")
	}
}

func TestLinks(t *testing.T) {
	secret := []byte("s3cret")
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	l := auth.Link{PatientID: "P1", VisitID: "V1", Department: "ent", Expires: now.Add(time.Hour)}
	tok := auth.Sign(l, secret)
	got, err := auth.Verify(tok, secret, now)
	if err != nil || got.PatientID != "P1" || got.VisitID != "V1" || got.Department != "ent" || !got.Expires.Equal(l.Expires) {
		t.Fatalf("verify: %+v %v", got, err)
	}
	body, sig, _ := strings.Cut(tok, ".")
	bad := map[string]struct {
		tok    string
		secret []byte
		at     time.Time
	}{
		"expired":       {tok, secret, now.Add(time.Hour)},
		"other secret":  {tok, []byte("other"), now},
		"no secret":     {tok, nil, now},
		"swapped body":  {auth.Sign(auth.Link{PatientID: "P2", Expires: now.Add(time.Hour)}, secret)[:len(body)] + "." + sig, secret, now},
		"no signature":  {body, secret, now},
		"bad base64":    {"!!!." + sig, secret, now},
		"huge":          {strings.Repeat("a", 3000) + "." + sig, secret, now},
		"no patient id": {auth.Sign(auth.Link{Expires: now.Add(time.Hour)}, secret), secret, now},
	}
	for name, c := range bad {
		if _, err := auth.Verify(c.tok, c.secret, c.at); daoyi.KindOf(err) != daoyi.Unauthorized {
			t.Errorf("%s: %v, want unauthorized", name, err)
		}
	}
}
