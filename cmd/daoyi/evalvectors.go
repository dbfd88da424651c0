package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/daoyi-health/daoyi/eval"
	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/postgres"
)

func evalVectors(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval vectors", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "comma-separated dataset files (CBLUE JSON arrays or JSONL) to take question texts from")
	sizesFlag := fs.String("sizes", "10000,100000", "comma-separated numbers of vectors to index")
	queries := fs.Int("queries", 500, "held-out query texts")
	k := fs.Int("k", 10, "neighbours per query")
	dim := fs.Int("dim", 1024, "dimension of the lexical embedder")
	project := fs.Int("project", 0, "project the lexical vectors to this many dense dimensions (0: keep them)")
	efFlag := fs.String("ef", "40,100,200", "comma-separated hnsw.ef_search values to measure")
	asJSON := fs.Bool("json", false, "print one JSON object with the metrics")
	var dbURL string
	fs.StringVar(&dbURL, "database-url", "", "PostgreSQL with pgvector to measure too (env DAOYI_DATABASE_URL)")
	dbURL = env("DAOYI_DATABASE_URL", "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return fmt.Errorf("eval vectors: --data is required")
	}
	sizes, err := intList(*sizesFlag)
	if err != nil {
		return fmt.Errorf("eval vectors: --sizes: %w", err)
	}
	efs, err := intList(*efFlag)
	if err != nil {
		return fmt.Errorf("eval vectors: --ef: %w", err)
	}
	texts, err := eval.LoadTexts(strings.Split(*data, ","))
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d texts; embedding...\n", len(texts))
	an, err := knowledge.DefaultAnalyzer()
	if err != nil {
		return err
	}
	emb := eval.LexicalVectors(an, texts, *dim, *project)
	indexes := []eval.VectorIndexUnderTest{{
		Name: "in-process exact",
		Open: func(context.Context, int) (knowledge.VectorIndex, error) { return &knowledge.MemIndex{}, nil },
	}}
	if dbURL != "" {
		db, err := postgres.Open(ctx, dbURL, postgres.Options{})
		if err != nil {
			return err
		}
		defer db.Close()
		opts := postgres.VectorOptions{KB: "eval", ExactBelow: 1, BuildMemory: "1GB"}
		defer db.Vectors(opts).Drop(context.WithoutCancel(ctx))
		for _, ef := range efs {
			o := opts
			o.EfSearch = ef
			indexes = append(indexes, eval.VectorIndexUnderTest{
				Name: fmt.Sprintf("pgvector hnsw ef=%d", ef),
				Open: func(context.Context, int) (knowledge.VectorIndex, error) { return db.Vectors(o), nil },
			})
		}
		o := opts
		o.ExactBelow = 1 << 30
		indexes = append(indexes, eval.VectorIndexUnderTest{
			Name: "pgvector exact",
			Open: func(context.Context, int) (knowledge.VectorIndex, error) { return db.Vectors(o), nil },
		})
	}
	rep, err := eval.RunVectors(ctx, texts, emb, sizes, *queries, *k, indexes)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, rep.Metrics())
	}
	rep.WriteText(stdout)
	return nil
}

func intList(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}
