// Package preconsult is the pre-consultation skill (智能预问诊): the
// interview of package preconsult asked one question at a time with quick
// replies and a progress card, the record saved as a draft after every
// answer, a plain-language summary the patient confirms or corrects, and
// the record submitted for the doctor.
package preconsult

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/preconsult"
	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/zh"
)

// slotConfirm is asked after the last question: confirm or correct.
const slotConfirm = "confirm"

// Config tunes the skill.
type Config struct {
	// Retention is how long a record is kept when no doctor imports it
	// (default 30 days).
	Retention time.Duration
	Now       func() time.Time
	// Polish, when set, has a model reword the draft like a doctor's
	// record on submission; a reply that gains or loses a fact is thrown
	// away and the draft kept as written (preconsult.Interviewer.Polish).
	Polish *Polish
	Log    *slog.Logger
}

// Polish is the model that polishes and its system prompt
// (corpus/prompts.yaml "polish").
type Polish struct {
	Writer  preconsult.Writer
	System  string
	Timeout time.Duration // default 10 s
}

// Skill is the pre-consultation flow.
type Skill struct {
	iv    *preconsult.Interviewer
	store record.Store
	cfg   Config
}

var _ bot.Flow = (*Skill)(nil)

// New returns the skill over an interviewer and a record store.
func New(iv *preconsult.Interviewer, store record.Store, cfg Config) *Skill {
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Skill{iv: iv, store: store, cfg: cfg}
}

// state is the flow's data between turns.
type state struct {
	Interview *preconsult.State `json:"interview"`
	RecordID  string            `json:"record_id"`
	Visit     *bot.Visit        `json:"visit,omitempty"` // from the start link
	CreatedAt time.Time         `json:"created_at"`
	Editing   bool              `json:"editing,omitempty"`
}

// Handle starts an interview: a draft record tied to the visit the start
// link named (if any) and the first question.
func (s *Skill) Handle(ctx context.Context, t *bot.Turn) (*bot.Reply, error) {
	subject := record.Subject{}
	if p := t.Message.Patient; p != nil {
		subject = record.Subject{Age: p.Age, Months: p.Months, Sex: p.Sex, Pregnant: p.Pregnant}
	}
	st := &state{Interview: s.iv.Start(subject), RecordID: newID(), Visit: t.Message.Visit, CreatedAt: s.cfg.Now()}
	// The record is written now and after every answer; a store that
	// fails here costs nothing the patient said (the flow keeps it, and
	// the next answer writes the record).
	if err := s.write(ctx, t, st, nil); err != nil {
		s.cfg.Log.Warn("pre-consultation record not saved; retried on the next answer", "err", err)
	}
	q, _ := s.iv.Next(st.Interview)
	reply := s.question(t, st, q)
	reply.Text = t.Texts.Say("preconsult.intro", t.Session.Turns()) + "\n" + reply.Text
	return s.save(t, st, q.ID, reply)
}

func newID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "pc_" + base64.RawURLEncoding.EncodeToString(b)
}

func (s *Skill) save(t *bot.Turn, st *state, slot string, r *bot.Reply) (*bot.Reply, error) {
	data, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	t.Flow = &bot.FlowState{Name: intents.Preconsult, Slot: slot, Data: data}
	return r, nil
}

func (s *Skill) load(t *bot.Turn) (*state, error) {
	var st state
	if err := json.Unmarshal(t.Flow.Data, &st); err != nil || st.Interview == nil {
		return nil, fmt.Errorf("preconsult: flow state: %v", err)
	}
	return &st, nil
}

// Answer takes the answer to the current question, or the confirmation.
func (s *Skill) Answer(ctx context.Context, t *bot.Turn) (*bot.Reply, bool, error) {
	st, err := s.load(t)
	if err != nil {
		return nil, false, err
	}
	if t.Flow.Slot == slotConfirm {
		return s.confirm(ctx, t, st)
	}
	if !s.iv.Answer(st.Interview, t.Message.Text, s.cfg.Now()) {
		// A complaint in words the lexicon lacks (大便解不下来) that the
		// router reads as one is kept as said rather than lost.
		p := t.Prediction
		if t.Flow.Slot != preconsult.ChiefID || p.Intent != intents.Triage || p.Unsure ||
			!s.iv.AnswerSaid(st.Interview, t.Message.Text, s.cfg.Now()) {
			return nil, false, nil
		}
	}
	r, err := s.next(ctx, t, st)
	return r, err == nil, err
}

// next saves the draft and asks the next question, or shows the summary.
func (s *Skill) next(ctx context.Context, t *bot.Turn, st *state) (*bot.Reply, error) {
	if err := s.write(ctx, t, st, nil); err != nil {
		// The answers are in the flow's state; the record catches up on
		// the next answer, and submitting insists.
		s.cfg.Log.Warn("pre-consultation record not saved; retried on the next answer", "err", err)
	}
	if q, ok := s.iv.Next(st.Interview); ok {
		return s.save(t, st, q.ID, s.question(t, st, q))
	}
	return s.save(t, st, slotConfirm, s.summary(t, st))
}

// write puts the facts and the draft in the record, creating it when the
// store does not have it yet; submit, when set, also submits it.
func (s *Skill) write(ctx context.Context, t *bot.Turn, st *state, submit func(r *record.Record)) error {
	r, err := s.store.GetRecord(ctx, st.RecordID)
	if daoyi.KindOf(err) == daoyi.NotFound {
		now := s.cfg.Now()
		r = &record.Record{ID: st.RecordID, SessionID: t.Session.ID, State: record.Draft, CreatedAt: st.CreatedAt,
			UpdatedAt: now, ExpiresAt: st.CreatedAt.Add(s.cfg.Retention)}
		if v := st.Visit; v != nil {
			r.PatientID, r.VisitID, r.Department = v.PatientID, v.VisitID, v.Department
		}
		s.fill(r, st, submit)
		return s.store.CreateRecord(ctx, r)
	}
	if err != nil {
		return err
	}
	if r.State != record.Draft {
		return daoyi.E(daoyi.Conflict, daoyi.Op("preconsult.update"), "the record is no longer a draft")
	}
	s.fill(r, st, submit)
	// The stored record is read first, not rebuilt from the flow: a turn
	// answered again from the stored conversation carries an older state.
	return s.store.UpdateRecord(ctx, r)
}

// fill puts the interview's facts and draft into the record.
func (s *Skill) fill(r *record.Record, st *state, submit func(r *record.Record)) {
	r.Subject = st.Interview.Subject
	r.Facts = st.Interview.Facts
	r.Sections = s.iv.Draft(st.Interview)
	r.UpdatedAt = s.cfg.Now()
	if submit != nil {
		submit(r)
	}
}

// confirm submits on 确认, asks what to change on 需要修改, and reads
// anything else as a correction, then shows the summary again.
func (s *Skill) confirm(ctx context.Context, t *bot.Turn, st *state) (*bot.Reply, bool, error) {
	n := t.Session.Turns()
	tx := t.Texts
	text := zh.Normalize(strings.TrimSpace(t.Message.Text))
	switch {
	case text == zh.Normalize(tx.Say("preconsult.qr.confirm", 0)) || t.Prediction.Intent == intents.Affirm && !st.Editing:
		summary := s.summaryText(tx, st, n)
		err := s.write(ctx, t, st, func(r *record.Record) {
			r.State, r.Summary, r.SubmittedAt = record.Submitted, summary, s.cfg.Now()
			r.Sections = s.polish(ctx, r.Sections)
		})
		if err != nil && daoyi.KindOf(err) != daoyi.Conflict {
			r := &bot.Reply{Text: tx.Say("preconsult.error", n), Intent: intents.Preconsult, Confidence: 1}
			r.QuickReplies = s.confirmReplies(tx)
			return r, true, nil
		}
		t.Flow = nil
		return &bot.Reply{Text: tx.Say("preconsult.submitted", n), Intent: intents.Preconsult, Confidence: 1,
			Cards: []bot.Card{{Type: "record", ID: st.RecordID, Title: tx.Say("preconsult.record", 0), Text: summary}}}, true, nil
	}
	// A correction is read first: 不对，最高烧到40度，不是39度 says what to
	// change, not only that something is wrong.
	facts := s.iv.Correct(st.Interview, t.Message.Text, s.cfg.Now())
	if facts == 0 {
		if text == zh.Normalize(tx.Say("preconsult.qr.edit", 0)) || t.Prediction.Intent == intents.Deny {
			st.Editing = true
			r, err := s.save(t, st, slotConfirm, &bot.Reply{Text: tx.Say("preconsult.edit", n), Intent: intents.Preconsult,
				Confidence: 1, QuickReplies: s.confirmReplies(tx)})
			return r, err == nil, err
		}
		return nil, false, nil
	}
	st.Editing = false
	if err := s.write(ctx, t, st, nil); err != nil {
		s.cfg.Log.Warn("pre-consultation record not saved; retried on the next answer", "err", err)
	}
	r, err := s.save(t, st, slotConfirm, s.summary(t, st))
	return r, err == nil, err
}

// polish rewords the draft with the model, when one is configured, and
// keeps the draft as written when the model fails or its reply does not
// hold exactly the draft's facts. The log says which, never the text.
func (s *Skill) polish(ctx context.Context, d record.Sections) record.Sections {
	p := s.cfg.Polish
	if p == nil || p.Writer == nil {
		return d
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	got, ok, reason := s.iv.Polish(ctx, p.Writer, p.System, d)
	if !ok {
		s.cfg.Log.Info("draft polish not used", "reason", reason)
		return d
	}
	return got
}

// Ask asks the current question again.
func (s *Skill) Ask(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
	st, err := s.load(t)
	if err != nil {
		return nil, err
	}
	if t.Flow.Slot == slotConfirm {
		return s.summary(t, st), nil
	}
	q, ok := s.iv.Question(t.Flow.Slot)
	if !ok {
		return s.summary(t, st), nil
	}
	return s.question(t, st, q), nil
}

// Skip gives up the current question and goes on.
func (s *Skill) Skip(ctx context.Context, t *bot.Turn) (*bot.Reply, error) {
	st, err := s.load(t)
	if err != nil {
		return nil, err
	}
	if t.Flow.Slot == slotConfirm {
		return s.summary(t, st), nil
	}
	s.iv.Skip(st.Interview)
	return s.next(ctx, t, st)
}

// question renders a question with its options as quick replies and a
// progress card.
func (s *Skill) question(t *bot.Turn, st *state, q *corpus.PCQuestion) *bot.Reply {
	tx := t.Texts
	text := s.iv.Ask(st.Interview, q)
	if t.Retry {
		text = tx.Say("preconsult.retry", t.Session.Turns()) + text
	}
	r := &bot.Reply{Text: text, Intent: intents.Preconsult, Confidence: 1}
	for _, o := range q.Options {
		r.QuickReplies = append(r.QuickReplies, bot.QuickReply{Title: o.Label, Text: o.Label})
	}
	asked, total := s.iv.Progress(st.Interview)
	r.Cards = []bot.Card{{Type: "progress", ID: q.ID, Title: tx.SayWith("preconsult.progress", 0,
		map[string]string{"n": fmt.Sprint(asked), "total": fmt.Sprint(total)})}}
	return r
}

var summaryKeys = []string{"chief", "present", "past", "allergy", "personal", "family", "menstrual"}

// summaryText is the plain-language summary: a line per section.
func (s *Skill) summaryText(tx *bot.Texts, st *state, n int) string {
	d := s.iv.Draft(st.Interview)
	texts := []string{d.Chief, d.Present, d.Past, d.Allergy, d.Personal, d.Family, d.Menstrual}
	var lines []string
	for i, k := range summaryKeys {
		if texts[i] != "" {
			lines = append(lines, tx.SayWith("preconsult.summary.line", 0,
				map[string]string{"label": tx.Say("preconsult.summary."+k, 0), "text": texts[i]}))
		}
	}
	if len(lines) == 0 {
		return tx.Say("preconsult.summary.empty", n)
	}
	return strings.Join(lines, "\n")
}

// summary shows the summary and asks to confirm or correct it.
func (s *Skill) summary(t *bot.Turn, st *state) *bot.Reply {
	n := t.Session.Turns()
	tx := t.Texts
	text := tx.Say("preconsult.summary.intro", n) + "\n" + s.summaryText(tx, st, n) + "\n\n" + tx.Say("preconsult.confirm", n)
	return &bot.Reply{Text: text, Intent: intents.Preconsult, Confidence: 1, QuickReplies: s.confirmReplies(tx)}
}

func (s *Skill) confirmReplies(tx *bot.Texts) []bot.QuickReply {
	c, e := tx.Say("preconsult.qr.confirm", 0), tx.Say("preconsult.qr.edit", 0)
	return []bot.QuickReply{{Title: c, Text: c}, {Title: e, Text: e}}
}
