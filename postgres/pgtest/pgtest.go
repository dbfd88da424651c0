// Package pgtest gives tests a fresh PostgreSQL database of their own.
//
// Tests that need PostgreSQL call URL(t). It reads DAOYI_TEST_DATABASE_URL,
// a database where the role may CREATE DATABASE (for example
// postgres://postgres@127.0.0.1:5432/postgres). When the variable is unset
// the test is skipped with a message, so `go test ./...` passes on a laptop
// without PostgreSQL; CI sets DAOYI_TEST_REQUIRE_DATABASE=1, which turns
// that skip into a failure.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the variables pgtest reads.
const (
	EnvURL     = "DAOYI_TEST_DATABASE_URL"
	EnvRequire = "DAOYI_TEST_REQUIRE_DATABASE"
)

var counter atomic.Int64

// URL creates an empty database for the test, dropped when the test ends,
// and returns its URL.
func URL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvURL)
	if admin == "" {
		if os.Getenv(EnvRequire) != "" {
			t.Fatalf("%s is set but %s is not: CI must test against PostgreSQL", EnvRequire, EnvURL)
		}
		t.Skipf("no PostgreSQL: set %s (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run this test", EnvURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: cannot connect to %s: %v", EnvURL, err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("daoyi_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, counter.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil || u.Scheme == "" {
		t.Fatalf("pgtest: %s must be a postgres:// URL", EnvURL)
	}
	u.Path = "/" + name
	return u.String()
}
