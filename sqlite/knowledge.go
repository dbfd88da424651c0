package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/knowledge"
)

var (
	_ knowledge.Store = (*DB)(nil)
	_ knowledge.Blobs = (*DB)(nil)
)

// ListQA implements knowledge.Store.
func (db *DB) ListQA(ctx context.Context) ([]knowledge.QAPair, error) {
	rows, err := db.ro.QueryContext(ctx, `SELECT id, question, similar, answer, category, tags, article_id, article_title, source, status, updated_at
		FROM qa_pairs WHERE status = 'approved' ORDER BY id`)
	if err != nil {
		return nil, daoyi.E(daoyi.Op("sqlite.ListQA"), err)
	}
	defer rows.Close()
	var out []knowledge.QAPair
	for rows.Next() {
		var q knowledge.QAPair
		var similar, tags string
		var updated int64
		if err := rows.Scan(&q.ID, &q.Question, &similar, &q.Answer, &q.Category, &tags, &q.ArticleID, &q.ArticleTitle, &q.Source, &q.Status, &updated); err != nil {
			return nil, daoyi.E(daoyi.Op("sqlite.ListQA"), err)
		}
		if err := json.Unmarshal([]byte(similar), &q.Similar); err != nil {
			return nil, daoyi.E(daoyi.Op("sqlite.ListQA"), "corrupt similar questions of "+q.ID, err)
		}
		if err := json.Unmarshal([]byte(tags), &q.Tags); err != nil {
			return nil, daoyi.E(daoyi.Op("sqlite.ListQA"), "corrupt tags of "+q.ID, err)
		}
		q.UpdatedAt = fromMS(updated)
		out = append(out, q)
	}
	return out, rows.Err()
}

// PutQA implements knowledge.Store.
func (db *DB) PutQA(ctx context.Context, qas ...knowledge.QAPair) error {
	const op = daoyi.Op("sqlite.PutQA")
	for i := range qas {
		if err := qas[i].Valid(); err != nil {
			return daoyi.E(op, err)
		}
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO qa_pairs (id, question, similar, answer, category, tags, article_id, article_title, source, status, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET question = excluded.question, similar = excluded.similar, answer = excluded.answer,
				category = excluded.category, tags = excluded.tags, article_id = excluded.article_id, article_title = excluded.article_title,
				source = excluded.source, status = excluded.status, updated_at = excluded.updated_at`)
		if err != nil {
			return daoyi.E(op, err)
		}
		defer stmt.Close()
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
			if _, err := stmt.ExecContext(ctx, q.ID, q.Question, string(similar), q.Answer, q.Category, string(tags),
				q.ArticleID, q.ArticleTitle, q.Source, string(status), ms(updated)); err != nil {
				return daoyi.E(op, err)
			}
		}
		return nil
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DeleteQA implements knowledge.Store.
func (db *DB) DeleteQA(ctx context.Context, ids ...string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM qa_pairs WHERE id = ?`, id); err != nil {
				return daoyi.E(daoyi.Op("sqlite.DeleteQA"), err)
			}
		}
		return nil
	})
}

// ReplaceSource makes the pairs of one source exactly qas: pairs of that
// source not in qas are deleted, the rest inserted or replaced, in one
// transaction. It is how the built-in corpus is re-imported when it changes
// without touching pairs that editors added.
func (db *DB) ReplaceSource(ctx context.Context, source string, qas []knowledge.QAPair) error {
	const op = daoyi.Op("sqlite.ReplaceSource")
	keep := map[string]bool{}
	for i := range qas {
		qas[i].Source = source
		keep[qas[i].ID] = true
	}
	var stale []string
	rows, err := db.ro.QueryContext(ctx, `SELECT id FROM qa_pairs WHERE source = ?`, source)
	if err != nil {
		return daoyi.E(op, err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return daoyi.E(op, err)
		}
		if !keep[id] {
			stale = append(stale, id)
		}
	}
	rows.Close()
	if err := db.DeleteQA(ctx, stale...); err != nil {
		return err
	}
	return db.PutQA(ctx, qas...)
}

// GetBlob implements knowledge.Blobs.
func (db *DB) GetBlob(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := db.ro.QueryRowContext(ctx, `SELECT value FROM blobs WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, daoyi.E(daoyi.Op("sqlite.GetBlob"), err)
	}
	return v, nil
}

// PutBlob implements knowledge.Blobs.
func (db *DB) PutBlob(ctx context.Context, key string, value []byte) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blobs (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, ms(db.now()))
		if err != nil {
			return daoyi.E(daoyi.Op("sqlite.PutBlob"), err)
		}
		return nil
	})
}
