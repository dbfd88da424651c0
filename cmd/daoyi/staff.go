package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/daoyi-health/daoyi/app"
	"github.com/daoyi-health/daoyi/auth"
)

// token manages staff tokens in the store: create (the secret is printed
// once), list, revoke.
func token(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("token: create|list|revoke (daoyi token create --name 张医生 --role doctor)")
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := app.DefaultConfig()
	fs.StringVar(&cfg.DataDir, "data", env("DAOYI_DATA", cfg.DataDir), "data directory (SQLite database)")
	databaseFlags(fs, &cfg)
	name := fs.String("name", "", "create: who holds the token (张医生, 内科护士站)")
	role := fs.String("role", "", "create: doctor, editor or admin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "create":
		t, secret, err := auth.Issue(ctx, db, *name, auth.Role(*role), time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", secret)
		fmt.Fprintf(stderr, "token %s for %s (%s) created; the secret above is shown only now\n", t.ID, t.Name, t.Role)
		return nil
	case "list":
		ts, err := db.ListTokens(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tROLE\tCREATED\tREVOKED")
		for _, t := range ts {
			revoked := ""
			if !t.Active() {
				revoked = t.RevokedAt.Format(time.DateTime)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.Format(time.DateTime), revoked)
		}
		return w.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return errors.New("token revoke: give the token's id")
		}
		return db.RevokeToken(ctx, fs.Arg(0), time.Now())
	}
	return fmt.Errorf("token: unknown action %q (create, list, revoke)", args[0])
}

// link prints a signed start link for a pre-consultation: what a
// hospital's system gives a patient for a visit.
func link(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("link", flag.ContinueOnError)
	fs.SetOutput(stderr)
	patient := fs.String("patient", "", "the hospital's patient id (required)")
	visit := fs.String("visit", "", "the visit (registration) id")
	dept := fs.String("department", "", "the department's id")
	valid := fs.Duration("valid", 24*time.Hour, "how long the link works")
	base := fs.String("url", "", "the page that opens the widget, e.g. https://hospital.example/daoyi/; prints only the token when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := env("DAOYI_LINK_SECRET", "")
	switch {
	case secret == "":
		return errors.New("link: set DAOYI_LINK_SECRET (the same secret the server runs with)")
	case *patient == "":
		return errors.New("link: --patient is required")
	case *valid <= 0:
		return errors.New("link: --valid must be positive")
	}
	tok := auth.Sign(auth.Link{PatientID: *patient, VisitID: *visit, Department: *dept, Expires: time.Now().Add(*valid).UTC()}, []byte(secret))
	if *base == "" {
		fmt.Fprintln(stdout, tok)
		return nil
	}
	fmt.Fprintf(stdout, "%s#start=%s\n", *base, tok)
	return nil
}
