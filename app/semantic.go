package app

import (
	"time"

	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/llm"
	"github.com/daoyi-health/daoyi/postgres"
	"github.com/daoyi-health/daoyi/sqlite"
)

// useSemantic adds the semantic channel when an embedding model is
// configured: the model's vectors kept by the store (pgvector on
// PostgreSQL, the SQLite file embedded).
func (a *App) useSemantic() error {
	if a.cfg.Embed.Provider == "" {
		return nil
	}
	emb, err := llm.NewEmbedder(a.cfg.Embed)
	if err != nil {
		return err // a configuration mistake: say so at start
	}
	var idx knowledge.VectorIndex
	switch db := a.DB.(type) {
	case *postgres.DB:
		idx = db.Vectors(postgres.VectorOptions{})
	case *sqlite.DB:
		idx = db.Vectors()
	default:
		idx = &knowledge.MemIndex{}
	}
	a.embedder, a.semKick = emb, make(chan struct{}, 1)
	a.semKick <- struct{}{} // the first load's sync
	a.Retriever.UseSemantic(emb, idx)
	return nil
}

// Retry delays of the vector sync while the model is unreachable.
const (
	semRetryMin = time.Second
	semRetryMax = time.Minute
)

// syncVectors keeps the vectors on the loaded knowledge, in the
// background: a model server that is down or slow never holds up the
// start or an editor's change (questions are answered by the lexical
// channels meanwhile); a failed sync is retried with growing delays.
func (a *App) syncVectors() {
	a.watchWG.Add(1)
	go func() {
		defer a.watchWG.Done()
		delay := semRetryMin
		for {
			select {
			case <-a.bg.Done():
				return
			case <-a.semKick:
			}
			for a.bg.Err() == nil {
				err := a.syncVectorsOnce()
				if err == nil {
					delay = semRetryMin
					break
				}
				a.Log.Warn("the semantic channel is off until the embedding model answers", "err", err, "retry_in", delay)
				select {
				case <-a.bg.Done():
					return
				case <-time.After(delay):
				}
				delay = min(2*delay, semRetryMax)
			}
		}
	}()
}

func (a *App) syncVectorsOnce() error {
	if a.embedder.Dim() == 0 {
		if err := a.embedder.Probe(a.bg); err != nil {
			return err
		}
	}
	// A replica whose knowledge is behind the database's would remove
	// the vectors of pairs it has not loaded yet, for another to embed
	// them again: it leaves the sync to its next load, which is coming.
	qas, err := a.DB.ListQA(a.bg)
	if err != nil {
		return err
	}
	if knowledge.Version(qas) != a.Retriever.LoadedVersion() {
		return nil
	}
	start := time.Now()
	st, err := a.Retriever.SyncSemantic(a.bg)
	if err != nil {
		return err
	}
	a.semSynced.Store(true)
	if st.Embedded+st.Removed > 0 || st.Rebuilt {
		a.Log.Info("synced the knowledge vectors", "model", st.Model, "embedded", st.Embedded, "kept", st.Kept,
			"removed", st.Removed, "rebuilt", st.Rebuilt, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// SemanticSynced reports whether the semantic channel is in use: a model
// is configured and the vectors have been synced at least once.
func (a *App) SemanticSynced() bool { return a.semSynced.Load() }
