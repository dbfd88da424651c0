package preconsult_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/bot"
	pcskill "github.com/daoyi-health/daoyi/bot/preconsult"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/preconsult"
	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/sqlite"
	"github.com/daoyi-health/daoyi/triage"
)

// flaky is the real SQLite store with its record writes and reads failing
// while down is set, as a database that is briefly unreachable.
type flaky struct {
	*sqlite.DB
	down atomic.Bool
}

func (f *flaky) err() error {
	if f.down.Load() {
		return daoyi.E(daoyi.Unavailable, "database unreachable")
	}
	return nil
}

func (f *flaky) CreateRecord(ctx context.Context, r *record.Record) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.DB.CreateRecord(ctx, r)
}

func (f *flaky) GetRecord(ctx context.Context, id string) (*record.Record, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.DB.GetRecord(ctx, id)
}

func (f *flaky) UpdateRecord(ctx context.Context, r *record.Record) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.DB.UpdateRecord(ctx, r)
}

// TestStoreDownLosesNothing: while the database is down the interview goes
// on; the answers given meanwhile reach the record once it is back, and
// submitting waits for it.
func TestStoreDownLosesNothing(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := &flaky{DB: db}
	h, err := corpus.DefaultHospital()
	if err != nil {
		t.Fatal(err)
	}
	replies, err := corpus.LoadReplies()
	if err != nil {
		t.Fatal(err)
	}
	tx, err := bot.NewTexts(replies, h)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := triage.Load(h, triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	iv, err := preconsult.Load(rec)
	if err != nil {
		t.Fatal(err)
	}
	skill := pcskill.New(iv, store, pcskill.Config{Now: func() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) }})
	sess := &bot.Session{ID: "session-flaky-01"}
	var flow *bot.FlowState
	say := func(text string) *bot.Reply {
		t.Helper()
		turn := &bot.Turn{Message: bot.Message{Text: text, Patient: &bot.Patient{Age: 40, Sex: "male"}}, Session: sess, Texts: tx, Flow: flow.Clone()}
		var r *bot.Reply
		var err error
		if flow == nil {
			r, err = skill.Handle(ctx, turn)
		} else {
			var ok bool
			r, ok, err = skill.Answer(ctx, turn)
			if !ok && err == nil {
				r, err = skill.Skip(ctx, turn) // as the engine does after retries
			}
		}
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		flow = turn.Flow
		return r
	}

	store.down.Store(true)
	if r := say("我要做预问诊"); !strings.Contains(r.Text, "哪里不舒服") {
		t.Fatalf("the interview did not start with the store down: %q", r.Text)
	}
	say("咳嗽三天了，有黄痰")
	if _, err := db.RecordBySession(ctx, sess.ID); daoyi.KindOf(err) != daoyi.NotFound {
		t.Fatalf("a record while the store was down: %v", err)
	}
	store.down.Store(false)
	say("没有明显诱因")
	got, err := db.RecordBySession(ctx, sess.ID)
	if err != nil || got.Sections.Chief != "咳嗽3天" {
		t.Fatalf("the record after the store came back: %+v %v", got, err)
	}
	// Answer the rest; submitting while down is refused, then succeeds.
	var r *bot.Reply
	for i := 0; i < 40 && flow != nil && flow.Slot != "confirm"; i++ {
		r = say("没有")
	}
	if flow == nil || flow.Slot != "confirm" {
		t.Fatalf("no summary: %+v", r)
	}
	store.down.Store(true)
	r = say("确认提交")
	if flow == nil || !strings.Contains(r.Text, "没有丢") {
		t.Fatalf("a submission while the store is down: %q", r.Text)
	}
	store.down.Store(false)
	say("确认提交")
	if got, err := db.RecordBySession(ctx, sess.ID); err != nil || got.State != record.Submitted || got.Sections.Chief != "咳嗽3天" {
		t.Fatalf("after the retry: %+v %v", got, err)
	}
}
