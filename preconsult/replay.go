package preconsult

import (
	"slices"
	"strings"
	"time"

	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/zh"
)

// Utterance is one turn of a recorded consultation.
type Utterance struct {
	Doctor bool   // said by the doctor (a question, usually); else by the patient or a parent
	Text   string // as said
}

// replayKinds are read from every patient turn of a recorded dialogue:
// patients volunteer symptoms, durations and medicines whatever they are
// asked.
var replayKinds = []string{record.KindSymptom, record.KindDuration, record.KindOnset, record.KindTemperature,
	record.KindMedicine, record.KindGeneral}

// askedKinds are the kinds a doctor's question asks for, by its words.
var askedKinds = []struct {
	cues  []string
	kinds []string
}{
	{[]string{"过敏"}, []string{record.KindAllergy}},
	{[]string{"以前", "既往", "病史", "之前有", "以往"}, []string{record.KindCondition}},
	{[]string{"手术", "外伤", "输血"}, []string{record.KindOperation}},
	{[]string{"家里", "家族", "遗传", "父母", "爸妈"}, []string{record.KindFamily}},
	{[]string{"抽烟", "吸烟"}, []string{record.KindSmoking}},
	{[]string{"喝酒", "饮酒"}, []string{record.KindDrinking}},
	{[]string{"月经", "例假"}, []string{record.KindLMP, record.KindMenstrual}},
	{[]string{"部位", "位置", "哪个地方", "哪边", "哪里疼", "哪里痛", "哪儿疼"}, []string{record.KindSite}},
	{[]string{"几次", "多少次", "频繁", "一阵", "持续", "经常"}, []string{record.KindFrequency}},
	{[]string{"严重", "厉害", "程度", "几分"}, []string{record.KindSeverity}},
	{[]string{"检查", "化验", "医院", "看过", "血常规", "拍片"}, []string{record.KindCare}},
	{[]string{"诱因", "受凉", "着凉", "吃了什么", "不干净"}, []string{record.KindTrigger}},
	{[]string{"加重", "厉害", "缓解", "减轻", "好转"}, []string{record.KindAggravating, record.KindRelieving}},
	{[]string{"什么样", "怎么痛", "怎么疼", "性质", "干咳", "有痰", "稀"}, []string{record.KindCharacter}},
}

// Replay runs a recorded dialogue through the extractors and the draft
// writer, as if the doctor's questions were the interview's: each patient
// turn is read as an answer to the doctor's turn before it ("有发热吗？"
// "没有" → 无发热). It returns the record with its facts and sections.
func (iv *Interviewer) Replay(dialogue []Utterance, subject record.Subject) *record.Record {
	st := iv.Start(subject)
	now := time.Now()
	first := ChiefID
	chief := iv.questions[first]
	var asked string
	for _, u := range dialogue {
		text := strings.TrimSpace(u.Text)
		if text == "" {
			continue
		}
		if u.Doctor {
			asked = zh.Normalize(text)
			continue
		}
		turn := st.Turn + 1
		var facts []record.Fact
		if turn == 1 {
			facts = iv.Extract(text, chief.Fills, turn, first, "", now)
			iv.readSubject(st, text)
		} else {
			kinds := slices.Clone(replayKinds)
			for _, a := range askedKinds {
				if matchCue(asked, a.cues) >= 0 {
					kinds = append(kinds, a.kinds...)
				}
			}
			facts = iv.Extract(text, kinds, turn, "", st.Complaint, now)
			facts = append(facts, iv.answerTo(asked, text, turn)...)
			if !st.Child && !st.KnownAge {
				iv.readSubject(st, text) // 宝宝多大了？ 三个月: who the patient is may come later
			}
		}
		st.Turn = turn
		st.merge(facts)
		if !st.Planned && hasComplaint(st) {
			iv.plan(st)
			st.Queue = nil
		}
		asked = ""
	}
	return &record.Record{Subject: st.Subject, Facts: st.Facts, Sections: iv.Draft(st)}
}

func hasComplaint(st *State) bool {
	return slices.ContainsFunc(st.Facts, func(f record.Fact) bool {
		return (f.Kind == record.KindSymptom || f.Kind == record.KindCondition) && f.Status == record.Present
	})
}

// answerTo reads a bare yes or no as the answer to the symptoms a
// doctor's question named: "有发热吗？" "没有" → 发热 absent. A yes is
// taken only when the question named one symptom.
func (iv *Interviewer) answerTo(asked, text string, turn int) []record.Fact {
	if asked == "" || !strings.ContainsAny(asked, "?吗呢") {
		return nil
	}
	no, yes := isNo(text), isYes(text)
	if !no && !yes {
		return nil
	}
	var named []string
	for _, m := range iv.lex.FindAll(asked) {
		if m.Type == "symptom" && !slices.Contains(named, m.Term) {
			named = append(named, m.Term)
		}
	}
	if yes && len(named) != 1 {
		return nil
	}
	st := record.Absent
	if yes {
		st = record.Present
	}
	var out []record.Fact
	for _, n := range named {
		out = append(out, record.Fact{Kind: record.KindSymptom, Name: n, Status: st, Turn: turn, Quote: text})
	}
	return out
}
