package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/zh"
)

// survey is a two-slot test form: age (a number of years), then smoking
// (yes or no). Real flows (pre-consultation) have many slots; the engine's
// policy around them is the same.
type survey struct{}

func (survey) Handle(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
	t.Flow = &bot.FlowState{Name: intents.Preconsult, Slot: "age", Slots: map[string]string{}}
	return &bot.Reply{Text: "ASK age"}, nil
}

func (s survey) Ask(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
	return &bot.Reply{Text: fmt.Sprintf("ASK %s retry=%v", t.Flow.Slot, t.Retry)}, nil
}

func (s survey) Answer(_ context.Context, t *bot.Turn) (*bot.Reply, bool, error) {
	switch t.Flow.Slot {
	case "age":
		ds := strings.TrimSuffix(strings.TrimSpace(t.Message.Text), "岁")
		if v, ok := zh.ParseNumber(ds); !ok || v <= 0 || v > 120 {
			return nil, false, nil
		}
		t.Flow.Slots["age"], t.Flow.Slot = ds, "smoke"
		return &bot.Reply{Text: "ASK smoke"}, true, nil
	case "smoke":
		switch t.Prediction.Intent {
		case intents.Affirm, intents.Deny:
			t.Flow.Slots["smoke"] = t.Prediction.Intent
			return s.done(t), true, nil
		}
	}
	return nil, false, nil
}

func (s survey) Skip(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
	if t.Flow.Slot == "age" {
		t.Flow.Slot = "smoke"
		return &bot.Reply{Text: "SKIPPED age; ASK smoke"}, nil
	}
	return s.done(t), nil
}

func (survey) done(t *bot.Turn) *bot.Reply {
	b, _ := json.Marshal(t.Flow.Slots)
	t.Flow = nil
	return &bot.Reply{Text: "DONE " + string(b)}
}

// fakeSafety flags one phrase.
type fakeSafety struct{}

func (fakeSafety) Check(text string) []bot.Alarm {
	if strings.Contains(text, "胸口剧痛") {
		return []bot.Alarm{{ID: "chest_pain", Category: "cardiac"}}
	}
	return nil
}
func (fakeSafety) Guidance(string) []string {
	return []string{"请立即拨打120，急诊在{{emergency.location}}。"}
}
func (fakeSafety) Version() string { return "test-rules" }

type flowRig struct {
	t   *testing.T
	e   *bot.Engine
	db  bot.SessionStore
	id  string
	now time.Time
}

// anyWords is a one-slot form that takes any words ("anything else to
// tell the doctor?").
type anyWords struct{}

func (anyWords) Handle(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
	t.Flow = &bot.FlowState{Name: intents.Triage, Slot: "note", Slots: map[string]string{}}
	return &bot.Reply{Text: "ASK note"}, nil
}
func (anyWords) Ask(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
	return &bot.Reply{Text: "ASK note"}, nil
}
func (anyWords) Answer(_ context.Context, t *bot.Turn) (*bot.Reply, bool, error) {
	note := t.Message.Text
	t.Flow = nil
	return &bot.Reply{Text: "NOTED " + note}, true, nil
}
func (anyWords) Skip(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
	t.Flow = nil
	return &bot.Reply{Text: "SKIPPED"}, nil
}

func newFlowRig(t *testing.T) *flowRig {
	t.Helper()
	router := testRouter(t)
	var err error
	rig := &flowRig{t: t, db: openStore(t), id: bot.NewSessionID(), now: time.Unix(1_800_000_000, 0)}
	say := func(key string) bot.Skill {
		return bot.SkillFunc(func(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
			return &bot.Reply{Text: strings.ToUpper(key)}, nil
		})
	}
	rig.e, err = bot.NewEngine(bot.Config{
		Sessions: rig.db, Router: router, Texts: texts(t), Safety: fakeSafety{},
		IdleTimeout: 10 * time.Minute,
		Now:         func() time.Time { return rig.now },
		Skills: map[string]bot.Skill{
			intents.FAQ: echoFAQ, intents.Preconsult: survey{}, intents.Triage: anyWords{},
			intents.Thanks: say("thanks"), intents.Handoff: say("handoff"), intents.Goodbye: say("goodbye"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return rig
}

// say sends a message a minute after the previous one and returns the reply.
func (r *flowRig) say(text string) *bot.Reply {
	r.t.Helper()
	r.now = r.now.Add(time.Minute)
	rep, err := r.e.Handle(context.Background(), &bot.Message{SessionID: r.id, Text: text, At: r.now}, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	return rep
}

func (r *flowRig) flow() *bot.FlowState {
	r.t.Helper()
	s, err := r.db.LoadSession(context.Background(), r.id)
	if err != nil {
		r.t.Fatal(err)
	}
	return s.ActiveFlow()
}

func expectText(t *testing.T, r *bot.Reply, want string) {
	t.Helper()
	if !strings.Contains(r.Text, want) {
		t.Fatalf("reply %q, want it to contain %q", r.Text, want)
	}
}

func TestFlowPolicy(t *testing.T) {
	t.Run("FillsSlotsInOrder", func(t *testing.T) {
		r := newFlowRig(t)
		expectText(t, r.say("我要做预问诊"), "ASK age")
		if f := r.flow(); f == nil || f.Slot != "age" {
			t.Fatalf("flow after start: %+v", f)
		}
		expectText(t, r.say("35岁"), "ASK smoke")
		expectText(t, r.say("是的"), `DONE {"age":"35","smoke":"affirm"}`)
		if f := r.flow(); f != nil {
			t.Fatalf("flow still active after done: %+v", f)
		}
	})
	t.Run("SmallTalkThatAnswersNothingFillsNoSlot", func(t *testing.T) {
		r := newFlowRig(t)
		r.say("我要做预问诊")
		r.say("35")
		rep := r.say("谢谢")
		expectText(t, rep, "THANKS")
		expectText(t, rep, "ASK smoke retry=false")
		if f := r.flow(); f.Slots["smoke"] != "" || f.Slot != "smoke" {
			t.Fatalf("small talk changed the form: %+v", f)
		}
	})
	t.Run("SmallTalkNeverFillsEvenAnOpenSlot", func(t *testing.T) {
		r := newFlowRig(t)
		expectText(t, r.say("头疼"), "ASK note") // the triage intent starts anyWords
		rep := r.say("谢谢")
		expectText(t, rep, "THANKS")
		expectText(t, rep, "ASK note")
		expectText(t, r.say("还有点恶心"), "NOTED 还有点恶心")
	})
	t.Run("AnswerThatLooksLikeAGoodbyeIsTaken", func(t *testing.T) {
		// "88" is a goodbye in chat slang, and an age here: the flow reads
		// it before the goodbye could end the form.
		r := newFlowRig(t)
		r.say("我要做预问诊")
		expectText(t, r.say("88"), "ASK smoke")
		if f := r.flow(); f == nil || f.Slots["age"] != "88" {
			t.Fatalf("the age was not taken: %+v", f)
		}
		// Where it answers nothing, it is the goodbye it looks like.
		expectText(t, r.say("88"), "GOODBYE")
		if f := r.flow(); f != nil {
			t.Fatalf("goodbye did not end the form: %+v", f)
		}
	})
	t.Run("InterruptionAnsweredThenResumed", func(t *testing.T) {
		r := newFlowRig(t)
		r.say("我要做预问诊")
		rep := r.say("请问抽血前需要空腹多久")
		expectText(t, rep, "您问的是") // the FAQ skill answered
		expectText(t, rep, texts(t).Say("flow.resume", 0))
		if len(rep.QuickReplies) != 2 || !r.flow().AwaitResume {
			t.Fatalf("no resume offer: %+v / %+v", rep.QuickReplies, r.flow())
		}
		expectText(t, r.say(rep.QuickReplies[0].Text), "ASK age")
		expectText(t, r.say("40"), "ASK smoke")
	})
	t.Run("InterruptionThenDeclineLeaves", func(t *testing.T) {
		r := newFlowRig(t)
		r.say("我要做预问诊")
		rep := r.say("请问抽血前需要空腹多久")
		expectText(t, r.say(rep.QuickReplies[1].Text), texts(t).Say("flow.left", 0))
		if f := r.flow(); f != nil {
			t.Fatalf("flow still active: %+v", f)
		}
	})
	t.Run("StaffAlwaysReachable", func(t *testing.T) {
		r := newFlowRig(t)
		r.say("我要做预问诊")
		rep := r.say("转人工")
		expectText(t, rep, "HANDOFF")
		if r.flow() == nil {
			t.Fatal("asking for staff lost the form")
		}
	})
	t.Run("CancelLeaves", func(t *testing.T) {
		r := newFlowRig(t)
		r.say("我要做预问诊")
		expectText(t, r.say("算了"), texts(t).Say("flow.cancelled", 0))
		if f := r.flow(); f != nil {
			t.Fatalf("flow still active after cancel: %+v", f)
		}
	})
	t.Run("FailedAnswerAskedTwiceThenSkipped", func(t *testing.T) {
		r := newFlowRig(t)
		r.say("我要做预问诊")
		retry := texts(t).Say("flow.retry", 0)
		for i := range 2 {
			rep := r.say("好的") // affirm: not an age, not an interruption
			expectText(t, rep, retry)
			expectText(t, rep, "ASK age retry=true")
			if f := r.flow(); f.Tries != i+1 {
				t.Fatalf("tries = %d, want %d", f.Tries, i+1)
			}
		}
		expectText(t, r.say("好的"), "SKIPPED age")
		if f := r.flow(); f.Slot != "smoke" || f.Tries != 0 {
			t.Fatalf("after skipping: %+v", f)
		}
	})
	t.Run("RedFlagFirstFlowKept", func(t *testing.T) {
		r := newFlowRig(t)
		r.say("我要做预问诊")
		rep := r.say("我现在胸口剧痛")
		if !rep.Urgent || rep.Intent != intents.Emergency || !strings.Contains(rep.Text, "120") {
			t.Fatalf("red flag in a flow: %+v", rep)
		}
		if f := r.flow(); f == nil || f.Slot != "age" {
			t.Fatalf("the red flag lost the form: %+v", f)
		}
		s, _ := r.db.LoadSession(context.Background(), r.id)
		var sd bot.SafetyData
		for _, ev := range s.Events {
			if ev.Type == bot.EvSafety {
				_ = json.Unmarshal(ev.Data, &sd)
			}
		}
		if len(sd.Flags) != 1 || sd.Flags[0] != "chest_pain" || sd.Version != "test-rules" {
			t.Fatalf("safety event = %+v", sd)
		}
		expectText(t, r.say("50"), "ASK smoke")
	})
	t.Run("ExpiresWhenIdle", func(t *testing.T) {
		r := newFlowRig(t)
		r.say("我要做预问诊")
		r.now = r.now.Add(time.Hour)
		rep := r.say("35")
		if strings.Contains(rep.Text, "ASK smoke") {
			t.Fatalf("an hour later the old form took the answer: %q", rep.Text)
		}
		if f := r.flow(); f != nil {
			t.Fatalf("flow still active after the idle timeout: %+v", f)
		}
	})
	t.Run("ReplayedAfterRestart", func(t *testing.T) {
		r := newFlowRig(t)
		r.say("我要做预问诊")
		r.say("35")
		r2 := newFlowRig(t) // a fresh engine on its own store
		r2.db, r2.id, r2.now = r.db, r.id, r.now
		var err error
		r2.e, err = bot.NewEngine(bot.Config{Sessions: r.db, Router: testRouter(t), Texts: texts(t), Now: func() time.Time { return r2.now },
			Skills: map[string]bot.Skill{intents.FAQ: echoFAQ, intents.Preconsult: survey{}}})
		if err != nil {
			t.Fatal(err)
		}
		expectText(t, r2.say("不是"), `DONE {"age":"35","smoke":"deny"}`)
	})
}
