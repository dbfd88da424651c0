// Package app is the composition root: it turns a Config into running
// parts — storage, indexes, the retriever, the engine and its skills, the
// HTTP server — for `daoyi serve`, `daoyi chat`, the eval commands and the
// end-to-end tests, so all of them run exactly the same wiring. It is the
// only non-test package that imports adapters (sqlite/, knowledge/bleve).
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/api"
	"github.com/daoyi-health/daoyi/auth"
	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/bot/chitchat"
	"github.com/daoyi-health/daoyi/bot/faq"
	preconsultskill "github.com/daoyi-health/daoyi/bot/preconsult"
	"github.com/daoyi-health/daoyi/bot/service"
	triageskill "github.com/daoyi-health/daoyi/bot/triage"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/knowledge/bleve"
	"github.com/daoyi-health/daoyi/llm"
	"github.com/daoyi-health/daoyi/postgres"
	"github.com/daoyi-health/daoyi/preconsult"
	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/safety"
	"github.com/daoyi-health/daoyi/sqlite"
	"github.com/daoyi-health/daoyi/triage"
	"github.com/daoyi-health/daoyi/web"
)

// Version is set at build time (-ldflags "-X github.com/daoyi-health/daoyi/app.Version=…").
var Version = "dev"

// Config is everything the assistant needs to start. DefaultConfig gives a
// working embedded setup.
type Config struct {
	Addr    string // HTTP listen address
	DataDir string // SQLite file and Bleve index; "" keeps everything in memory
	// DatabaseURL selects PostgreSQL (postgres://…) as the shared store of
	// several stateless replicas instead of the SQLite file in DataDir;
	// each replica then keeps its full-text index in memory.
	DatabaseURL string
	// NoMigrate skips applying PostgreSQL migrations at start.
	NoMigrate    bool
	HospitalFile string           // the hospital's own profile; "" uses the embedded example
	Knowledge    knowledge.Config // retrieval tuning
	// Embed configures an embedding model for the semantic retrieval
	// channel (vectors in pgvector on PostgreSQL, in the SQLite file
	// embedded). A zero Provider leaves retrieval lexical.
	Embed llm.EmbedConfig
	// Chat configures a chat model (LLM): the intent router asks it when
	// the local classifier is unsure, and knowledge questions without a
	// confident stored answer get answers grounded in retrieved passages.
	// A zero Provider runs without one.
	Chat llm.ChatConfig
	// LLMRouteAlways asks the LLM for every message's intent, not only
	// for the ones the local classifier is unsure of.
	LLMRouteAlways bool
	// SessionIdle ends an unfinished flow after this much silence
	// (default 30 minutes).
	SessionIdle time.Duration
	// RecordRetention is how long a pre-consultation record is kept when
	// no doctor imports it (default 30 days); then its content is erased.
	RecordRetention time.Duration
	// LinkSecret signs the links that start a pre-consultation for a
	// patient and visit of the hospital's systems; empty turns them off.
	LinkSecret []byte
	Logger     *slog.Logger
}

// OpenStore opens the configured store alone — PostgreSQL when
// DatabaseURL is set, else the SQLite file in DataDir (in memory when
// DataDir is empty) — for commands that need no assistant (daoyi token).
func OpenStore(ctx context.Context, cfg Config) (Store, error) {
	if cfg.DatabaseURL != "" {
		db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{NoMigrate: cfg.NoMigrate})
		if err != nil {
			return nil, err // a nil *postgres.DB in the interface would not be nil to Close
		}
		return db, nil
	}
	path := ":memory:"
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, daoyi.E("cannot create the data directory", err)
		}
		path = filepath.Join(cfg.DataDir, "daoyi.db")
	}
	db, err := sqlite.Open(path)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// DefaultConfig is the embedded default: port 8080, ./data.
func DefaultConfig() Config {
	return Config{Addr: ":8080", DataDir: "./data"}
}

// Store is the storage the assistant runs on: sqlite.DB (embedded) or
// postgres.DB (replicas).
type Store interface {
	knowledge.Store
	knowledge.Blobs
	bot.SessionStore
	record.Store
	auth.Store
	ReplaceSource(ctx context.Context, source string, qas []knowledge.QAPair) error
	Ping(ctx context.Context) error
	Close() error
}

// App is a running assistant.
type App struct {
	cfg       Config
	Log       *slog.Logger
	DB        Store
	Index     *bleve.Index
	chat      *llm.Chat // nil without a configured LLM
	Retriever *knowledge.Retriever
	Engine    *bot.Engine
	Texts     *bot.Texts
	Hospital  *corpus.Hospital
	Server    *api.Server

	locker *postgres.SessionLocker // replicas only

	embedder  *llm.Embedder // nil without a model
	semKick   chan struct{} // a knowledge load asks for a vector sync
	semSynced atomic.Bool   // the vectors have been synced once

	ready atomic.Bool
	// Background work (retraining) stops with Close.
	bg       context.Context
	stopBG   context.CancelFunc
	bgWG     sync.WaitGroup // retraining: WaitIdle waits for it
	watchWG  sync.WaitGroup // following the shared knowledge: runs until Close
	retrains atomic.Int32   // retrains under way or queued, at most one
}

// Open starts everything. On a warm data directory it reuses the database,
// the index and the trained model; when the built-in corpus or the index
// format changed, it re-imports and rebuilds.
func Open(ctx context.Context, cfg Config) (*App, error) {
	const op = daoyi.Op("app.Open")
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &App{cfg: cfg, Log: cfg.Logger}
	a.bg, a.stopBG = context.WithCancel(context.Background())
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()
	var err error
	if a.Hospital, err = loadHospital(cfg.HospitalFile); err != nil {
		return nil, daoyi.E(op, err)
	}
	replies, err := corpus.LoadReplies()
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	if a.Texts, err = bot.NewTexts(replies, a.Hospital); err != nil {
		return nil, daoyi.E(op, err)
	}
	if a.chat, err = a.openChat(); err != nil {
		return nil, daoyi.E(op, err)
	}

	// A replica on PostgreSQL is stateless: its full-text index lives in
	// memory, built from the database at start and rebuilt on every
	// change notice (no disk writes on the path from an editor's change to
	// every replica's answers).
	indexDir := ""
	if cfg.DataDir != "" && cfg.DatabaseURL == "" {
		indexDir = filepath.Join(cfg.DataDir, "index")
	}
	if a.DB, err = OpenStore(ctx, cfg); err != nil {
		return nil, daoyi.E(op, err)
	}
	if cfg.DatabaseURL != "" {
		if a.locker, err = postgres.NewSessionLocker(ctx, cfg.DatabaseURL, 0); err != nil {
			return nil, daoyi.E(op, err)
		}
	}
	if err := a.importBuiltin(ctx); err != nil {
		return nil, daoyi.E(op, err)
	}
	// The intent router comes from the classifier kept in the store when it
	// was trained on what the corpus holds now; otherwise it trains (about
	// 2 s of CPU) while the knowledge loads, and is kept for next time.
	type trained struct {
		router *intents.Router
		fresh  []byte
		err    error
	}
	routerDone := make(chan trained, 1)
	cachedRouter, err := a.DB.GetBlob(ctx, routerKey)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	go func() {
		r, fresh, err := intents.DefaultRouterCached(a.routerConfig(), cachedRouter)
		routerDone <- trained{r, fresh, err}
	}()
	if a.Index, err = bleve.Open(indexDir); err != nil {
		return nil, daoyi.E(op, err)
	}
	an, err := knowledge.DefaultAnalyzer()
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	a.Retriever = knowledge.NewRetriever(cfg.Knowledge, an, a.Index)
	if err := a.useSemantic(); err != nil {
		return nil, daoyi.E(op, err)
	}
	if err := a.ReloadKnowledge(ctx); err != nil {
		return nil, daoyi.E(op, err)
	}

	rt := <-routerDone
	if rt.err != nil {
		return nil, daoyi.E(op, rt.err)
	}
	if rt.fresh != nil {
		if err := a.DB.PutBlob(ctx, routerKey, rt.fresh); err != nil {
			return nil, daoyi.E(op, err)
		}
	}
	router := rt.router
	detector, err := safety.Default()
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	services, err := corpus.LoadServices(a.Hospital)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	recommender, err := triage.Load(a.Hospital, triage.Config{})
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	interviewer, err := preconsult.Load(recommender)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	polish, err := a.polisher()
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	social := func(key string) bot.Skill { return chitchat.Skill{Key: key} }
	faqSkill := faq.New(a.Retriever)
	if faqSkill.Grounded, err = a.grounded(); err != nil {
		return nil, daoyi.E(op, err)
	}
	a.Engine, err = bot.NewEngine(bot.Config{
		Sessions:    a.DB,
		Locker:      a.sessionLocker(),
		Router:      router,
		Texts:       a.Texts,
		Logger:      a.Log,
		Safety:      redFlags{detector},
		IdleTimeout: cfg.SessionIdle,
		Skills: map[string]bot.Skill{
			intents.FAQ:        faqSkill,
			intents.Service:    service.New(services, faqSkill),
			intents.Emergency:  bot.EmergencySkill{},
			intents.Triage:     triageskill.New(recommender),
			intents.Greeting:   social("greeting"),
			intents.Thanks:     social("thanks"),
			intents.Goodbye:    social("goodbye"),
			intents.Handoff:    social("handoff"),
			intents.OutOfScope: social("out_of_scope"),
			intents.Abuse:      social("abuse"),
			intents.Affirm:     social("affirm"),
			intents.Deny:       social("deny"),
			intents.Cancel:     social("cancel"),
			intents.Preconsult: preconsultskill.New(interviewer, a.DB, preconsultskill.Config{Retention: cfg.RecordRetention, Polish: polish, Log: a.Log}),
		},
	})
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	a.Server = api.New(api.Options{
		Chat:       a.Engine,
		Ready:      a.Ready,
		Logger:     a.Log,
		Version:    Version,
		Web:        a.webConfig(),
		LinkSecret: cfg.LinkSecret,
		Records:    a.DB,
		Tokens:     a.DB,
		Headings:   interviewer.Headings(),
	})
	a.expireRecords()
	if w, isWatcher := a.DB.(knowledgeWatcher); isWatcher {
		a.followKnowledge(w)
	}
	if a.embedder != nil {
		a.syncVectors()
	}
	a.ready.Store(true)
	ok = true
	return a, nil
}

func loadHospital(path string) (*corpus.Hospital, error) {
	if path == "" {
		return corpus.DefaultHospital()
	}
	h, err := corpus.LoadHospital(path)
	if err != nil {
		return nil, fmt.Errorf("hospital profile %s: %w", path, err)
	}
	return h, nil
}

// corpusKey records which built-in corpus the database holds.
const corpusKey = "builtin_corpus_version"

// importBuiltin loads the embedded corpus into the database when it has
// changed since the last start, leaving editors' pairs alone.
func (a *App) importBuiltin(ctx context.Context) error {
	v := corpus.Version()
	have, err := a.DB.GetBlob(ctx, corpusKey)
	if err != nil {
		return err
	}
	if string(have) == v {
		return nil
	}
	qas, err := BuiltinQA(a.Hospital)
	if err != nil {
		return err
	}
	if err := a.DB.ReplaceSource(ctx, "builtin", qas); err != nil {
		return err
	}
	a.Log.Info("imported the built-in corpus", "pairs", len(qas), "corpus_version", v)
	return a.DB.PutBlob(ctx, corpusKey, []byte(v))
}

// BuiltinQA converts the embedded knowledge articles into QA pairs and
// checks that every answer fills from the hospital profile.
func BuiltinQA(h *corpus.Hospital) ([]knowledge.QAPair, error) {
	arts, err := corpus.Knowledge()
	if err != nil {
		return nil, err
	}
	var qas []knowledge.QAPair
	var bad []error
	for _, art := range arts {
		for _, q := range art.QA {
			if _, err := h.Fill(q.Answer, nil); err != nil {
				bad = append(bad, fmt.Errorf("%s: %w", q.ID, err))
			}
			qas = append(qas, knowledge.QAPair{
				ID: q.ID, Question: q.Question, Similar: q.Similar, Answer: q.Answer,
				Category: q.Category, Tags: q.Tags, ArticleID: art.ID, ArticleTitle: art.Title,
				Source: "builtin", Status: knowledge.Approved,
			})
		}
	}
	return qas, errors.Join(bad...)
}

// routerKey is where the trained intent classifier is kept.
const routerKey = "intent_classifier"

// modelKey is where the trained match model is kept.
const modelKey = "knowledge_matcher"

// ReloadKnowledge loads the approved pairs into the retriever. It reuses
// the stored match model; when that was trained on other knowledge (an
// editor added pairs), it answers at once with it and retrains in the
// background, storing the new model when done.
func (a *App) ReloadKnowledge(ctx context.Context) error {
	qas, err := a.DB.ListQA(ctx)
	if err != nil {
		return err
	}
	if knowledge.Version(qas) == a.Retriever.LoadedVersion() {
		return nil // nothing changed (another replica's notice of our own change, say)
	}
	var model *knowledge.Matcher
	if b, err := a.DB.GetBlob(ctx, modelKey); err == nil && b != nil {
		if m, err := knowledge.UnmarshalMatcher(b); err == nil {
			model = m
		}
	}
	start := time.Now()
	loaded, err := a.Retriever.Load(ctx, qas, model)
	if err != nil {
		return err
	}
	if a.semKick != nil {
		select {
		case a.semKick <- struct{}{}:
		default:
		}
	}
	if loaded != model {
		if err := a.storeModel(ctx, loaded, start); err != nil {
			return err
		}
	}
	if a.Retriever.Stale() {
		a.retrainInBackground()
	}
	return nil
}

func (a *App) storeModel(ctx context.Context, m *knowledge.Matcher, start time.Time) error {
	b, err := knowledge.MarshalMatcher(m)
	if err != nil {
		return err
	}
	if err := a.DB.PutBlob(ctx, modelKey, b); err != nil {
		return err
	}
	a.Log.Info("trained the match model", "queries", m.Stats.Queries, "top_accuracy", m.Stats.TopAccuracy,
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

// retrainInBackground retrains the match model unless a retrain is
// already under way (that one will see the newest knowledge when it
// finishes and is retried while the model is stale).
func (a *App) retrainInBackground() {
	if !a.retrains.CompareAndSwap(0, 1) {
		return
	}
	a.bgWG.Add(1)
	go func() {
		defer a.bgWG.Done()
		defer func() {
			a.retrains.Store(0)
			// Knowledge that changed just as the loop ended.
			if a.Retriever.Stale() && a.bg.Err() == nil {
				a.retrainInBackground()
			}
		}()
		for a.Retriever.Stale() && a.bg.Err() == nil {
			start := time.Now()
			m, err := a.Retriever.Retrain(a.bg)
			if err != nil {
				if a.bg.Err() == nil && daoyi.KindOf(err) != daoyi.Conflict {
					a.Log.Error("retraining the match model failed", "err", err)
					return
				}
				continue // the knowledge changed meanwhile: train again
			}
			if err := a.storeModel(a.bg, m, start); err != nil && a.bg.Err() == nil {
				a.Log.Error("storing the match model failed", "err", err)
			}
		}
	}()
}

// expireRecords erases, now and every hour, the content of records kept
// past their time without being imported.
func (a *App) expireRecords() {
	a.watchWG.Add(1) // not bgWG: WaitIdle waits for retrains, not for this
	go func() {
		defer a.watchWG.Done()
		tick := time.NewTicker(time.Hour)
		defer tick.Stop()
		for {
			n, err := a.DB.ExpireRecords(a.bg, time.Now())
			switch {
			case err != nil && a.bg.Err() == nil:
				a.Log.Error("expiring records failed", "err", err)
			case n > 0:
				a.Log.Info("expired records", "count", n)
			}
			select {
			case <-a.bg.Done():
				return
			case <-tick.C:
			}
		}
	}()
}

// WaitIdle waits for background work (retraining) to finish.
func (a *App) WaitIdle() { a.bgWG.Wait() }

func (a *App) webConfig() web.Config {
	labels := map[string]string{}
	for _, k := range []string{"title", "subtitle", "placeholder", "send", "source", "open", "close", "thinking",
		"register", "link", "error.network", "error.text_too_long", "error.generic"} {
		labels[k] = a.Texts.Say("widget."+k, 0)
	}
	return web.Config{
		HospitalName: a.Hospital.Hospital.Name,
		Welcome:      a.Texts.Say("welcome", 0),
		Starters:     a.Texts.All("starters"),
		Labels:       labels,
	}
}

// Ready reports whether the assistant can answer: knowledge loaded and the
// database reachable.
func (a *App) Ready(ctx context.Context) error {
	if !a.ready.Load() {
		return daoyi.E(daoyi.Unavailable, "starting")
	}
	return a.DB.Ping(ctx)
}

// Close releases everything Open acquired.
func (a *App) Close() error {
	a.ready.Store(false)
	if a.stopBG != nil {
		a.stopBG()
		a.watchWG.Wait() // first: a reload may start a retrain
		a.bgWG.Wait()
	}
	var errs []error
	if a.Index != nil {
		errs = append(errs, a.Index.Close())
	}
	if a.DB != nil {
		errs = append(errs, a.DB.Close())
	}
	if a.locker != nil {
		a.locker.Close()
	}
	return errors.Join(errs...)
}

// knowledgeWatcher is a store that tells when another replica changes
// the knowledge (postgres.DB).
type knowledgeWatcher interface {
	WatchKnowledge(ctx context.Context, changed func())
}

// followKnowledge keeps this replica's index and retriever on the shared
// database's knowledge: every change notice reloads it, a burst of
// notices giving one reload more at most.
func (a *App) followKnowledge(w knowledgeWatcher) {
	kick := make(chan struct{}, 1)
	a.watchWG.Add(2)
	go func() {
		defer a.watchWG.Done()
		w.WatchKnowledge(a.bg, func() {
			select {
			case kick <- struct{}{}:
			default:
			}
		})
	}()
	go func() {
		defer a.watchWG.Done()
		for {
			select {
			case <-a.bg.Done():
				return
			case <-kick:
				start := time.Now()
				if err := a.ReloadKnowledge(a.bg); err != nil {
					if a.bg.Err() == nil {
						a.Log.Warn("reloading the knowledge after a change", "err", err)
					}
					continue
				}
				a.Log.Debug("knowledge checked after a change notice", "version", a.Retriever.LoadedVersion(), "took", time.Since(start).Round(time.Millisecond))
			}
		}
	}()
}

// sessionLocker is the database's lock with replicas, or nil (the
// engine's in-process lock) on the embedded store.
func (a *App) sessionLocker() bot.Locker {
	if a.locker == nil {
		return nil
	}
	return a.locker
}
