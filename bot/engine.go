package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/zh"
)

// MaxTextRunes is the longest message the engine reads.
const MaxTextRunes = 2000

// Turn is what a skill sees of the message it answers.
type Turn struct {
	Message    Message
	Session    *Session
	Prediction intents.Prediction
	Texts      *Texts
}

// Skill answers the messages of one or more intents.
type Skill interface {
	Handle(ctx context.Context, t *Turn) (*Reply, error)
}

// SkillFunc adapts a function to Skill.
type SkillFunc func(ctx context.Context, t *Turn) (*Reply, error)

// Handle implements Skill.
func (f SkillFunc) Handle(ctx context.Context, t *Turn) (*Reply, error) { return f(ctx, t) }

// Config wires an Engine.
type Config struct {
	Sessions SessionStore
	Locker   Locker
	Router   *intents.Router
	Texts    *Texts
	Skills   map[string]Skill // by intent; intents.FAQ is required
	Now      func() time.Time
	Logger   *slog.Logger
	// CachedSessions bounds the sessions kept in memory (default 10000).
	CachedSessions int
}

// Engine runs conversations. Safe for concurrent use.
type Engine struct {
	cfg   Config
	cache *sessionCache
}

// NewEngine checks the configuration and returns an engine.
func NewEngine(cfg Config) (*Engine, error) {
	switch {
	case cfg.Sessions == nil, cfg.Router == nil, cfg.Texts == nil:
		return nil, errors.New("bot: Sessions, Router and Texts are required")
	case cfg.Skills[intents.FAQ] == nil:
		return nil, errors.New("bot: a skill for the faq intent is required")
	}
	if cfg.Locker == nil {
		cfg.Locker = NewLocalLocker()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.CachedSessions <= 0 {
		cfg.CachedSessions = 10000
	}
	return &Engine{cfg: cfg, cache: newSessionCache(cfg.CachedSessions)}, nil
}

// NewSessionID returns a fresh random session id.
func NewSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ValidSessionID reports whether id is acceptable from a client: 8–64
// characters of letters, digits, '-' and '_'.
func ValidSessionID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Handle answers one message. It takes the session's lock so that one
// patient's turns never interleave, records the message and the reply as
// events, and streams the reply through emit (which may be nil). The
// returned reply is complete. msg.SessionID is filled when empty.
func (e *Engine) Handle(ctx context.Context, msg *Message, emit Emit) (*Reply, error) {
	const op = daoyi.Op("bot.Handle")
	start := e.cfg.Now()
	if msg.SessionID == "" {
		msg.SessionID = NewSessionID()
	}
	if msg.At.IsZero() {
		msg.At = start
	}
	unlock, err := e.cfg.Locker.Lock(ctx, msg.SessionID)
	if err != nil {
		return nil, daoyi.E(op, daoyi.Timeout, err)
	}
	defer unlock()

	var sess *Session
	var reply *Reply
	for attempt := 0; ; attempt++ {
		if sess, err = e.session(ctx, msg); err != nil {
			return nil, daoyi.E(op, err)
		}
		turn := &Turn{Message: *msg, Session: sess, Texts: e.cfg.Texts}
		if reply, err = e.answer(ctx, turn); err != nil {
			return nil, daoyi.E(op, err)
		}
		normaliseReply(reply)

		// Record before streaming the end: a reply the patient saw is
		// never missing from the log.
		events, err := e.turnEvents(sess, msg, reply)
		if err != nil {
			return nil, daoyi.E(op, err)
		}
		err = e.cfg.Sessions.AppendEvents(ctx, sess, events)
		if err == nil {
			sess.Events = append(sess.Events, events...)
			e.cache.put(sess)
			break
		}
		e.cache.drop(sess.ID) // the cached copy may be behind or ahead of the store
		// Another replica answered a turn of this session since this one
		// cached it: answer again from the stored conversation, once.
		if daoyi.KindOf(err) != daoyi.Conflict || attempt > 0 {
			return nil, daoyi.E(op, err)
		}
	}

	if emit != nil {
		streamReply(reply, emit)
	}
	e.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "turn",
		slog.String("session", shortID(sess.ID)),
		slog.String("channel", msg.Channel),
		slog.String("intent", reply.Intent),
		slog.String("decision", reply.Decision),
		slog.Float64("confidence", round3(reply.Confidence)),
		slog.Duration("took", e.cfg.Now().Sub(start)))
	return reply, nil
}

// session returns the message's session from the cache or the store, or a
// new one.
func (e *Engine) session(ctx context.Context, msg *Message) (*Session, error) {
	if s := e.cache.get(msg.SessionID); s != nil {
		return s, nil
	}
	s, err := e.cfg.Sessions.LoadSession(ctx, msg.SessionID)
	switch {
	case err == nil:
		return s, nil
	case daoyi.KindOf(err) == daoyi.NotFound:
		return &Session{ID: msg.SessionID, Channel: msg.Channel, CreatedAt: msg.At}, nil
	default:
		return nil, err
	}
}

// answer picks the reply: input checks first, then the routed skill.
func (e *Engine) answer(ctx context.Context, t *Turn) (*Reply, error) {
	text := t.Message.Text
	n := t.Session.Turns()
	switch {
	case !utf8.ValidString(text) || strings.ContainsRune(text, utf8.RuneError) || strings.ContainsRune(text, 0):
		return e.fallback("input.unreadable", n), nil
	case strings.TrimSpace(text) == "":
		return e.fallback("input.empty", n), nil
	case utf8.RuneCountInString(text) > MaxTextRunes:
		return e.fallback("input.too_long", n), nil
	case !zh.HasWords(zh.Normalize(text)):
		return e.fallback("input.no_words", n), nil
	}
	t.Prediction = e.cfg.Router.Route(text)
	skill := e.cfg.Skills[t.Prediction.Intent]
	if skill == nil {
		skill = e.cfg.Skills[intents.FAQ]
	}
	r, err := skill.Handle(ctx, t)
	if err != nil {
		return nil, err
	}
	if r.Intent == "" {
		r.Intent = t.Prediction.Intent
	}
	return r, nil
}

func (e *Engine) fallback(key string, n int) *Reply {
	return &Reply{Text: e.cfg.Texts.Say(key, n), Intent: intents.Fallback, QuickReplies: e.cfg.Texts.Starters()}
}

func (e *Engine) turnEvents(s *Session, msg *Message, r *Reply) ([]Event, error) {
	user, err := json.Marshal(UserData{Text: msg.Text, Channel: msg.Channel})
	if err != nil {
		return nil, err
	}
	bd := BotData{Text: r.Text, Intent: r.Intent, Confidence: r.Confidence, Decision: r.Decision, QAID: r.QAID, Urgent: r.Urgent}
	for _, c := range r.Citations {
		bd.Citations = append(bd.Citations, c.ID)
	}
	bot, err := json.Marshal(bd)
	if err != nil {
		return nil, err
	}
	seq := len(s.Events)
	if seq > 0 {
		seq = s.Events[len(s.Events)-1].Seq
	}
	now := e.cfg.Now()
	return []Event{
		{Seq: seq + 1, Type: EvUser, At: msg.At, Data: user},
		{Seq: seq + 2, Type: EvBot, At: now, Data: bot},
	}, nil
}

// normaliseReply makes empty lists empty arrays in JSON, never null.
func normaliseReply(r *Reply) {
	if r.Citations == nil {
		r.Citations = []Citation{}
	}
	if r.QuickReplies == nil {
		r.QuickReplies = []QuickReply{}
	}
	if r.Cards == nil {
		r.Cards = []Card{}
	}
}

// streamReply emits a finished reply as events: the text in short deltas
// (sentence pieces, so a widget can render as it arrives), then citations
// and cards, then done. A failing emit stops the stream quietly.
func streamReply(r *Reply, emit Emit) {
	for _, piece := range splitDeltas(r.Text) {
		if emit(StreamEvent{Type: EventDelta, Text: piece}) != nil {
			return
		}
	}
	for i := range r.Citations {
		if emit(StreamEvent{Type: EventCitation, Citation: &r.Citations[i]}) != nil {
			return
		}
	}
	for i := range r.Cards {
		if emit(StreamEvent{Type: EventCard, Card: &r.Cards[i]}) != nil {
			return
		}
	}
	_ = emit(StreamEvent{Type: EventDone, Reply: r})
}

// splitDeltas cuts text after Chinese and ASCII clause punctuation and
// newlines, keeping pieces of at most 24 runes.
func splitDeltas(text string) []string {
	var out []string
	start, n := 0, 0
	for i, r := range text {
		n++
		end := i + utf8.RuneLen(r)
		if strings.ContainsRune("，。！？；：、,.!?;:\n", r) || n >= 24 {
			out = append(out, text[start:end])
			start, n = end, 0
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// shortID shortens a session id for logs: enough to correlate, not to
// reconstruct.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }
