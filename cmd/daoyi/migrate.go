package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/daoyi-health/daoyi/postgres"
)

// migrate applies the embedded PostgreSQL migrations, for deployments that
// start replicas with --no-migrate.
func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("database-url", "", "PostgreSQL URL (env DAOYI_DATABASE_URL)")
	*url = env("DAOYI_DATABASE_URL", "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("migrate: --database-url or DAOYI_DATABASE_URL is required (the embedded SQLite store migrates itself)")
	}
	db, err := postgres.Open(ctx, *url, postgres.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d\n", v)
	return nil
}
