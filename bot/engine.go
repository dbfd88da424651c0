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
	// Flow is the active flow's state, a copy the skill may change: a
	// Flow skill sets it to start, updates it as slots fill, and sets it
	// to nil when done. The engine records the change.
	Flow *FlowState
	// Retry is set when a flow's slot is asked again after an answer
	// that did not fill it.
	Retry bool

	flowEnd string // why the flow ended, when the engine ended it
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
	// Safety checks every message for red flags before anything else
	// (nil: no check — tests only).
	Safety Safety
	// IdleTimeout ends an active flow when the patient has been silent
	// this long (default 30 minutes); the conversation itself stays.
	IdleTimeout time.Duration
	// MaxRetries is how many times a flow's slot is asked again after
	// answers that do not fill it before it is skipped (default 2).
	MaxRetries int
	Now        func() time.Time
	Logger     *slog.Logger
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
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 2
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
	var source string
	for attempt := 0; ; attempt++ {
		if sess, err = e.session(ctx, msg); err != nil {
			return nil, daoyi.E(op, err)
		}
		turn := &Turn{Message: *msg, Session: sess, Texts: e.cfg.Texts}
		if reply, err = e.answer(ctx, turn); err != nil {
			return nil, daoyi.E(op, err)
		}
		if reply.Intent == "" {
			reply.Intent = turn.Prediction.Intent
		}
		source = turn.Prediction.Source
		normaliseReply(reply)

		// Record before streaming the end: a reply the patient saw is
		// never missing from the log.
		events, err := e.turnEvents(sess, turn, reply)
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
	if len(reply.alarms) > 0 {
		// A safety event: which rules fired, never the words.
		e.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "red flag",
			slog.String("session", shortID(sess.ID)),
			slog.String("channel", msg.Channel),
			slog.Any("flags", reply.alarms),
			slog.String("rules", reply.safetyVersion))
	}
	e.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "turn",
		slog.String("session", shortID(sess.ID)),
		slog.String("channel", msg.Channel),
		slog.String("intent", reply.Intent),
		slog.String("decision", reply.Decision),
		slog.String("source", source),
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

// answer picks the reply: input checks first, then red flags, then the
// active flow's policy, then the routed skill.
func (e *Engine) answer(ctx context.Context, t *Turn) (*Reply, error) {
	text := t.Message.Text
	n := t.Session.Turns()
	// A channel that names the intent (a start link) skips routing; with
	// no text it skips the text checks too (there is nothing to check).
	_, named := e.cfg.Skills[t.Message.Intent]
	if named && strings.TrimSpace(text) == "" {
		return e.start(ctx, t)
	}
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
	if f := t.Session.ActiveFlow(); f != nil {
		if t.Message.At.Sub(t.Session.LastActivity()) > e.cfg.IdleTimeout {
			t.flowEnd = FlowExpired
		} else {
			t.Flow = f.Clone()
			if t.Flow.Slots == nil {
				t.Flow.Slots = map[string]string{}
			}
		}
	}
	// Safety first: a red flag is answered with emergency guidance
	// whatever else is going on. An active flow stays where it was.
	if e.cfg.Safety != nil {
		if alarms := e.cfg.Safety.Check(text); len(alarms) > 0 {
			t.Prediction = intents.Prediction{Intent: intents.Emergency, Confidence: 1, Source: intents.SourceSafety}
			return e.emergency(t, alarms), nil
		}
	}
	if named {
		return e.start(ctx, t)
	}
	t.Prediction = e.cfg.Router.Route(ctx, text)
	if t.Flow != nil {
		if fl, ok := e.cfg.Skills[t.Flow.Name].(Flow); ok {
			return e.continueFlow(ctx, t, fl)
		}
		t.Flow, t.flowEnd = nil, FlowExpired // a flow this build no longer has
	}
	if t.Prediction.Unsure {
		return e.clarify(t), nil
	}
	return e.skill(t.Prediction.Intent).Handle(ctx, t)
}

// start hands a message to the skill its channel named, without routing:
// an active flow ends (the patient chose something else).
func (e *Engine) start(ctx context.Context, t *Turn) (*Reply, error) {
	if f := t.Session.ActiveFlow(); f != nil && t.flowEnd == "" {
		t.flowEnd = FlowCancelled
	}
	t.Flow = nil
	t.Prediction = intents.Prediction{Intent: t.Message.Intent, Confidence: 1, Source: intents.SourceChannel}
	return e.cfg.Skills[t.Message.Intent].Handle(ctx, t)
}

// skill returns the skill for an intent; intents without one (yet) are
// searched in the knowledge base, which declines honestly.
func (e *Engine) skill(intent string) Skill {
	if s := e.cfg.Skills[intent]; s != nil {
		return s
	}
	return e.cfg.Skills[intents.FAQ]
}

// clarify asks which of the close intents the patient means, with a
// button for each and one for staff.
func (e *Engine) clarify(t *Turn) *Reply {
	n := t.Session.Turns()
	r := &Reply{Text: e.cfg.Texts.Say("clarify", n), Intent: intents.Clarify, Confidence: t.Prediction.Confidence}
	for _, c := range e.cfg.Router.Clarify(t.Prediction) {
		r.QuickReplies = append(r.QuickReplies, QuickReply{Title: c.Title, Text: c.Text})
	}
	l := e.cfg.Texts.Say("handoff.label", 0)
	r.QuickReplies = append(r.QuickReplies, QuickReply{Title: l, Text: l})
	return r
}

func (e *Engine) fallback(key string, n int) *Reply {
	return &Reply{Text: e.cfg.Texts.Say(key, n), Intent: intents.Fallback, QuickReplies: e.cfg.Texts.Starters()}
}

func (e *Engine) turnEvents(s *Session, t *Turn, r *Reply) ([]Event, error) {
	msg := &t.Message
	var events []Event
	seq := len(s.Events)
	if seq > 0 {
		seq = s.Events[len(s.Events)-1].Seq
	}
	now := e.cfg.Now()
	add := func(typ string, at time.Time, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		seq++
		events = append(events, Event{Seq: seq, Type: typ, At: at, Data: b})
		return nil
	}
	if err := add(EvUser, msg.At, UserData{Text: msg.Text, Channel: msg.Channel}); err != nil {
		return nil, err
	}
	if len(r.alarms) > 0 {
		if err := add(EvSafety, msg.At, SafetyData{Flags: r.alarms, Version: r.safetyVersion}); err != nil {
			return nil, err
		}
	}
	bd := BotData{Text: r.Text, Intent: r.Intent, Confidence: r.Confidence, Decision: r.Decision, QAID: r.QAID, Urgent: r.Urgent}
	for _, c := range r.Citations {
		bd.Citations = append(bd.Citations, c.ID)
	}
	if err := add(EvBot, now, bd); err != nil {
		return nil, err
	}
	// The flow's change, if any, after the reply that made it.
	before := s.ActiveFlow()
	switch {
	case t.flowEnd != "" && before != nil:
		if err := add(EvFlow, now, FlowData{Ended: t.flowEnd}); err != nil {
			return nil, err
		}
		if t.Flow != nil { // ended one, started another
			if err := add(EvFlow, now, FlowData{State: t.Flow}); err != nil {
				return nil, err
			}
		}
	case t.Flow == nil && before != nil:
		if err := add(EvFlow, now, FlowData{Ended: FlowDone}); err != nil {
			return nil, err
		}
	case t.Flow != nil && !sameFlow(before, t.Flow):
		if err := add(EvFlow, now, FlowData{State: t.Flow}); err != nil {
			return nil, err
		}
	}
	return events, nil
}

func sameFlow(a, b *FlowState) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
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
