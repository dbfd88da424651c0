package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/knowledge"
)

// Vectors is the semantic channel's index in pgvector: one table per
// embedding model with an HNSW index (cosine), the model in use recorded
// in vector_models. Every replica searches it; the replica that syncs
// first after a change embeds, the others find nothing left to do.
type Vectors struct {
	db *DB
	o  VectorOptions

	mu    sync.RWMutex
	table string // the synced model's table, "" before the first sync
	half  bool   // halfvec column (dimension above 2,000)
	rows  int
}

// VectorOptions tunes vector search.
type VectorOptions struct {
	// EfSearch is HNSW's candidate list size per query (hnsw.ef_search,
	// set for each query in its transaction): higher finds more of the
	// true nearest neighbours, slower. Default 100.
	EfSearch int
	// ExactBelow: with fewer vectors than this, search scans them all
	// (exact) instead of using the HNSW index. Default 500: an exact
	// scan costs about 7 µs per vector of 1,024 dimensions, so past a few
	// hundred the index is faster (docs/performance.md).
	ExactBelow int
	// BuildMemory is maintenance_work_mem while the HNSW index is built
	// (the build is much slower once the graph outgrows it). Default 256MB.
	BuildMemory string
	// KB names the knowledge base whose vectors these are. Default
	// "default"; the evaluation uses its own.
	KB string
}

// Dimension limits of pgvector's HNSW index: vector up to 2,000, halfvec
// up to 4,000.
const (
	maxVectorDim  = 2000
	maxHalfvecDim = 4000
)

// lockKey is the advisory lock key held while syncing a knowledge base's
// vectors, so that one replica at a time embeds.
func (v *Vectors) lockKey() int32 {
	h := fnv.New32a()
	h.Write([]byte("vectors\x00" + v.o.KB))
	return int32(h.Sum32())
}

// Vectors returns the database's vector index.
func (db *DB) Vectors(o VectorOptions) *Vectors {
	if o.EfSearch <= 0 {
		o.EfSearch = 100
	}
	if o.ExactBelow <= 0 {
		o.ExactBelow = 500
	}
	if o.BuildMemory == "" {
		o.BuildMemory = "256MB"
	}
	if o.KB == "" {
		o.KB = "default"
	}
	return &Vectors{db: db, o: o}
}

var _ knowledge.VectorIndex = (*Vectors)(nil)

// vectorTable names a model's table after a digest of its name (model
// names hold characters SQL identifiers may not).
func vectorTable(kb, model string) string {
	h := sha256.Sum256([]byte(kb + "\x00" + model))
	return "knowledge_vectors_" + hex.EncodeToString(h[:6])
}

// Sync implements knowledge.VectorIndex. It holds an advisory lock for
// its duration and commits each embedded chunk as it goes, so a sync cut
// short (a crash, the model's server down) resumes where it stopped.
func (v *Vectors) Sync(ctx context.Context, emb knowledge.Embedder, entries []knowledge.Entry) (knowledge.SyncStats, error) {
	const op = daoyi.Op("postgres.Vectors.Sync")
	stats := knowledge.SyncStats{Model: emb.Name(), Dim: emb.Dim()}
	if stats.Dim <= 0 || stats.Dim > maxHalfvecDim {
		return stats, daoyi.E(op, daoyi.Invalid, fmt.Sprintf("pgvector indexes at most %d dimensions; the model %s has %d", maxHalfvecDim, stats.Model, stats.Dim))
	}
	conn, err := v.db.pool.Acquire(ctx)
	if err != nil {
		return stats, daoyi.E(op, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, $2)`, lockNamespace, v.lockKey()); err != nil {
		return stats, daoyi.E(op, err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, $2)`, lockNamespace, v.lockKey())

	var curModel, curTable string
	err = conn.QueryRow(ctx, `SELECT model, tbl FROM vector_models WHERE kb = $1`, v.o.KB).Scan(&curModel, &curTable)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return stats, daoyi.E(op, err)
	}
	table, half := vectorTable(v.o.KB, stats.Model), stats.Dim > maxVectorDim
	stats.Rebuilt = curModel != stats.Model
	col, ops := fmt.Sprintf("vector(%d)", stats.Dim), "vector_cosine_ops"
	if half {
		col, ops = fmt.Sprintf("halfvec(%d)", stats.Dim), "halfvec_cosine_ops"
	}
	// A new model's table may exist already, from a sync cut short: its
	// vectors are kept and the sync carries on.
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
		entry_id  TEXT PRIMARY KEY,
		text_hash TEXT NOT NULL,
		embedding %s NOT NULL)`, table, col)); err != nil {
		return stats, daoyi.E(op, err)
	}
	have := map[string]string{}
	rows, err := conn.Query(ctx, fmt.Sprintf(`SELECT entry_id, text_hash FROM %s`, table))
	if err != nil {
		return stats, daoyi.E(op, err)
	}
	for rows.Next() {
		var id, h string
		if err := rows.Scan(&id, &h); err != nil {
			rows.Close()
			return stats, daoyi.E(op, err)
		}
		have[id] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return stats, daoyi.E(op, err)
	}
	err = knowledge.ApplySync(ctx, emb, have, entries, &stats, func(es []knowledge.Entry, vecs [][]float32) error {
		b := &pgx.Batch{}
		q := fmt.Sprintf(`INSERT INTO %s (entry_id, text_hash, embedding) VALUES ($1, $2, $3)
			ON CONFLICT (entry_id) DO UPDATE SET text_hash = excluded.text_hash, embedding = excluded.embedding`, table)
		for i, e := range es {
			b.Queue(q, e.ID, knowledge.TextHash(e.Text), vectorValue(vecs[i], half))
		}
		return conn.SendBatch(ctx, b).Close()
	}, func(gone []string) error {
		_, err := conn.Exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE entry_id = ANY($1)`, table), gone)
		return err
	})
	if err != nil {
		return stats, daoyi.E(op, err)
	}
	// The HNSW index is built after a new table's first fill (faster
	// than growing it row by row) and then maintained on insert.
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('maintenance_work_mem', $1, true)`, v.o.BuildMemory); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s_hnsw ON %s USING hnsw (embedding %s)`, table, table, ops))
		return err
	})
	if err != nil {
		return stats, daoyi.E(op, err)
	}
	if stats.Rebuilt {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO vector_models (kb, model, dim, tbl, updated_at) VALUES ($5, $1, $2, $3, $4)
				ON CONFLICT (kb) DO UPDATE SET model = excluded.model, dim = excluded.dim, tbl = excluded.tbl, updated_at = excluded.updated_at`,
				stats.Model, stats.Dim, table, v.db.now(), v.o.KB); err != nil {
				return err
			}
			if curTable != "" && curTable != table {
				_, err := tx.Exec(ctx, `DROP TABLE IF EXISTS `+curTable)
				return err
			}
			return nil
		})
		if err != nil {
			return stats, daoyi.E(op, err)
		}
	}
	v.mu.Lock()
	v.table, v.half, v.rows = table, half, len(entries)
	v.mu.Unlock()
	return stats, nil
}

func vectorValue(x []float32, half bool) any {
	if half {
		return pgvector.NewHalfVector(x)
	}
	return pgvector.NewVector(x)
}

// Search implements knowledge.VectorIndex: HNSW search with
// hnsw.ef_search set for this query alone (SET LOCAL, in the query's
// transaction: a plain SET would stay on one pooled connection), or an
// exact scan when the table is small.
func (v *Vectors) Search(ctx context.Context, q []float32, k int) ([]knowledge.Scored, error) {
	const op = daoyi.Op("postgres.Vectors.Search")
	v.mu.RLock()
	table, half, n := v.table, v.half, v.rows
	v.mu.RUnlock()
	if table == "" || k <= 0 {
		return nil, nil
	}
	var out []knowledge.Scored
	err := pgx.BeginFunc(ctx, v.db.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT set_config('hnsw.ef_search', $1, true)`, fmt.Sprint(max(v.o.EfSearch, k)))
		if n < v.o.ExactBelow {
			b.Queue(`SELECT set_config('enable_indexscan', 'off', true)`)
		}
		b.Queue(fmt.Sprintf(`SELECT entry_id, 1 - (embedding <=> $1) FROM %s ORDER BY embedding <=> $1 LIMIT $2`, table),
			vectorValue(q, half), k)
		br := tx.SendBatch(ctx, b)
		defer br.Close()
		for range b.Len() - 1 {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		for rows.Next() {
			var s knowledge.Scored
			if err := rows.Scan(&s.ID, &s.Score); err != nil {
				rows.Close()
				return err
			}
			out = append(out, s)
		}
		rows.Close()
		return rows.Err()
	})
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	return out, nil
}

// registerVectorTypes teaches a new connection pgvector's types (binary
// transfer of vectors) once the extension exists; before the first
// migration it does not, and the connection goes without.
func registerVectorTypes(ctx context.Context, conn *pgx.Conn) error {
	var present bool
	if err := conn.QueryRow(ctx, `SELECT to_regtype('vector') IS NOT NULL`).Scan(&present); err != nil {
		return err
	}
	if !present {
		return nil
	}
	return pgxvec.RegisterTypes(ctx, conn)
}

// Drop removes the knowledge base's vectors and its model record (for
// the evaluation's scratch knowledge base).
func (v *Vectors) Drop(ctx context.Context) error {
	const op = daoyi.Op("postgres.Vectors.Drop")
	return pgx.BeginFunc(ctx, v.db.pool, func(tx pgx.Tx) error {
		var table string
		err := tx.QueryRow(ctx, `DELETE FROM vector_models WHERE kb = $1 RETURNING tbl`, v.o.KB).Scan(&table)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return daoyi.E(op, err)
		}
		if _, err := tx.Exec(ctx, `DROP TABLE IF EXISTS `+table); err != nil {
			return daoyi.E(op, err)
		}
		v.mu.Lock()
		v.table = ""
		v.mu.Unlock()
		return nil
	})
}
