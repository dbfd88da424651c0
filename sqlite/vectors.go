package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/knowledge"
)

// Vectors is the semantic channel's index on the embedded store: the
// vectors are kept in the database (a restart re-embeds nothing) and
// searched exactly in memory (knowledge.DenseVectors).
type Vectors struct {
	db *DB

	mu    sync.Mutex // one sync at a time
	model string
	mem   atomic.Pointer[knowledge.DenseVectors] // nil before the first sync
}

// Vectors returns the database's vector index.
func (db *DB) Vectors() *Vectors { return &Vectors{db: db} }

var _ knowledge.VectorIndex = (*Vectors)(nil)

// Sync implements knowledge.VectorIndex. Each embedded chunk is committed
// as it comes, so a sync cut short resumes where it stopped.
func (v *Vectors) Sync(ctx context.Context, emb knowledge.Embedder, entries []knowledge.Entry) (knowledge.SyncStats, error) {
	const op = daoyi.Op("sqlite.Vectors.Sync")
	v.mu.Lock()
	defer v.mu.Unlock()
	stats := knowledge.SyncStats{Model: emb.Name(), Dim: emb.Dim()}
	if stats.Dim <= 0 {
		return stats, daoyi.E(op, daoyi.Invalid, "the embedder's dimension is not known yet")
	}
	var stored string
	err := v.db.ro.QueryRowContext(ctx, `SELECT model FROM vector_models WHERE kb = 'default'`).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return stats, daoyi.E(op, err)
	}
	if stored != stats.Model {
		// Another model's vectors are useless: start over.
		stats.Rebuilt = true
		err := v.db.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM vectors`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO vector_models (kb, model, dim, updated_at) VALUES ('default', ?, ?, ?)
				ON CONFLICT (kb) DO UPDATE SET model = excluded.model, dim = excluded.dim, updated_at = excluded.updated_at`,
				stats.Model, stats.Dim, ms(v.db.now()))
			return err
		})
		if err != nil {
			return stats, daoyi.E(op, err)
		}
		v.mem.Store(nil)
	}
	mem := v.mem.Load()
	if mem == nil || v.model != stats.Model {
		if mem, err = v.load(ctx, stats.Dim); err != nil {
			return stats, daoyi.E(op, err)
		}
		v.model = stats.Model
		v.mem.Store(mem)
	}
	have := map[string]string{}
	rows, err := v.db.ro.QueryContext(ctx, `SELECT entry_id, text_hash FROM vectors`)
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
		err := v.db.tx(ctx, func(tx *sql.Tx) error {
			for i, e := range es {
				if _, err := tx.ExecContext(ctx, `INSERT INTO vectors (entry_id, text_hash, vec) VALUES (?, ?, ?)
					ON CONFLICT (entry_id) DO UPDATE SET text_hash = excluded.text_hash, vec = excluded.vec`,
					e.ID, knowledge.TextHash(e.Text), encodeVector(vecs[i])); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return mem.PutEntries(es, vecs)
	}, func(gone []string) error {
		err := v.db.tx(ctx, func(tx *sql.Tx) error {
			for _, id := range gone {
				if _, err := tx.ExecContext(ctx, `DELETE FROM vectors WHERE entry_id = ?`, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		mem.Delete(gone...)
		return nil
	})
	if err != nil {
		return stats, daoyi.E(op, err)
	}
	return stats, nil
}

// load reads the stored vectors into memory.
func (v *Vectors) load(ctx context.Context, dim int) (*knowledge.DenseVectors, error) {
	mem := knowledge.NewDenseVectors(dim)
	rows, err := v.db.ro.QueryContext(ctx, `SELECT entry_id, vec FROM vectors`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, err
		}
		x, err := decodeVector(b, dim)
		if err != nil {
			return nil, fmt.Errorf("vector of %s: %w", id, err)
		}
		if err := mem.Put([]string{id}, [][]float32{x}); err != nil {
			return nil, err
		}
	}
	return mem, rows.Err()
}

// Search implements knowledge.VectorIndex.
func (v *Vectors) Search(_ context.Context, q []float32, k int) ([]knowledge.Scored, error) {
	mem := v.mem.Load()
	if mem == nil {
		return nil, nil
	}
	return mem.Search(q, k), nil
}

func encodeVector(x []float32) []byte {
	b := make([]byte, 4*len(x))
	for i, f := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func decodeVector(b []byte, dim int) ([]float32, error) {
	if len(b) != 4*dim {
		return nil, fmt.Errorf("%d bytes, want %d", len(b), 4*dim)
	}
	x := make([]float32, dim)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x, nil
}
