package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/knowledge"
)

var (
	_ knowledge.Store = (*DB)(nil)
	_ knowledge.Blobs = (*DB)(nil)
)

// ListQA implements knowledge.Store.
func (db *DB) ListQA(ctx context.Context) ([]knowledge.QAPair, error) {
	const op = daoyi.Op("postgres.ListQA")
	rows, err := db.pool.Query(ctx, `SELECT id, question, similar_questions, answer, category, tags, article_id, article_title, source, status, updated_at
		FROM qa_pairs WHERE status = 'approved' ORDER BY id`)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	defer rows.Close()
	var out []knowledge.QAPair
	for rows.Next() {
		var q knowledge.QAPair
		var similar, tags []byte
		if err := rows.Scan(&q.ID, &q.Question, &similar, &q.Answer, &q.Category, &tags, &q.ArticleID, &q.ArticleTitle, &q.Source, &q.Status, &q.UpdatedAt); err != nil {
			return nil, daoyi.E(op, err)
		}
		if err := json.Unmarshal(similar, &q.Similar); err != nil {
			return nil, daoyi.E(op, "corrupt similar questions of "+q.ID, err)
		}
		if err := json.Unmarshal(tags, &q.Tags); err != nil {
			return nil, daoyi.E(op, "corrupt tags of "+q.ID, err)
		}
		q.UpdatedAt = q.UpdatedAt.UTC()
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, daoyi.E(op, err)
	}
	return out, nil
}

// PutQA implements knowledge.Store.
func (db *DB) PutQA(ctx context.Context, qas ...knowledge.QAPair) error {
	const op = daoyi.Op("postgres.PutQA")
	for i := range qas {
		if err := qas[i].Valid(); err != nil {
			return daoyi.E(op, err)
		}
	}
	if len(qas) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return db.putQA(ctx, tx, qas) })
	if err != nil {
		return daoyi.E(op, err)
	}
	return nil
}

func (db *DB) putQA(ctx context.Context, tx pgx.Tx, qas []knowledge.QAPair) error {
	b := &pgx.Batch{}
	for _, q := range qas {
		similar, _ := json.Marshal(nonNil(q.Similar))
		tags, _ := json.Marshal(nonNil(q.Tags))
		status := q.Status
		if status == "" {
			status = knowledge.Approved
		}
		updated := q.UpdatedAt
		if updated.IsZero() {
			updated = db.now()
		}
		b.Queue(`INSERT INTO qa_pairs (id, question, similar_questions, answer, category, tags, article_id, article_title, source, status, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (id) DO UPDATE SET question = excluded.question, similar_questions = excluded.similar_questions, answer = excluded.answer,
				category = excluded.category, tags = excluded.tags, article_id = excluded.article_id, article_title = excluded.article_title,
				source = excluded.source, status = excluded.status, updated_at = excluded.updated_at`,
			q.ID, q.Question, string(similar), q.Answer, q.Category, string(tags), q.ArticleID, q.ArticleTitle, q.Source, string(status), updated)
	}
	return tx.SendBatch(ctx, b).Close()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DeleteQA implements knowledge.Store.
func (db *DB) DeleteQA(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM qa_pairs WHERE id = ANY($1)`, ids); err != nil {
		return daoyi.E(daoyi.Op("postgres.DeleteQA"), err)
	}
	return nil
}

// ReplaceSource makes the pairs of one source exactly qas, in one
// transaction: pairs of that source not in qas are deleted, the rest
// inserted or replaced. Pairs of other sources (editors') are untouched.
func (db *DB) ReplaceSource(ctx context.Context, source string, qas []knowledge.QAPair) error {
	const op = daoyi.Op("postgres.ReplaceSource")
	ids := make([]string, len(qas))
	for i := range qas {
		qas[i].Source = source
		ids[i] = qas[i].ID
		if err := qas[i].Valid(); err != nil {
			return daoyi.E(op, err)
		}
	}
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM qa_pairs WHERE source = $1 AND NOT (id = ANY($2))`, source, ids); err != nil {
			return err
		}
		if len(qas) == 0 {
			return nil
		}
		return db.putQA(ctx, tx, qas)
	})
	if err != nil {
		return daoyi.E(op, err)
	}
	return nil
}

// GetBlob implements knowledge.Blobs.
func (db *DB) GetBlob(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := db.pool.QueryRow(ctx, `SELECT value FROM blobs WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, daoyi.E(daoyi.Op("postgres.GetBlob"), err)
	}
	return v, nil
}

// PutBlob implements knowledge.Blobs.
func (db *DB) PutBlob(ctx context.Context, key string, value []byte) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO blobs (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, db.now())
	if err != nil {
		return daoyi.E(daoyi.Op("postgres.PutBlob"), err)
	}
	return nil
}
