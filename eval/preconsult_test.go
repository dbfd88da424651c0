package eval

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/preconsult"
	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/zh"
)

// The expected values are worked out by hand; they agree with the Python
// "rouge" package as CBLUE calls it (characters joined by spaces,
// Rouge().get_scores).
func TestRouge(t *testing.T) {
	for _, c := range []struct {
		text, ref  string
		r1, r2, rl float64
	}{
		// 发 热 天 shared of four distinct characters each; one bigram (发热)
		// of three each; LCS 发热天.
		{"发热两天", "发热三天", 0.75, 1.0 / 3, 0.75},
		{"发热三天", "发热三天", 1, 1, 1},
		// Distinct n-grams: 咳咳咳 is the set {咳}: P 1/1, R 1/2.
		{"咳咳咳", "咳嗽", 2.0 / 3, 0, 2.0 / 3},
		// Punctuation is kept: 。 and ， are tokens that differ.
		{"咳嗽。", "咳嗽，", 2.0 / 3, 0.5, 2.0 / 3},
		// The ASCII full stop splits sentences and is no token; white space
		// is dropped.
		{"体温38.5度", "体温 385度", 1, 1, 1},
		// Summary-level LCS: the text's two sentences each match one
		// character of the reference sentence, and the union counts both;
		// run together (乙甲), the LCS has one character.
		{"乙.甲", "甲乙", 1, 0, 1},
		{"乙甲", "甲乙", 1, 0, 0.5},
		// The trace-back's tie-break picks the LCS 发发 of 热发发 and 发热发
		// (not 热发): one distinct token of two.
		{"发热发", "热发发", 1, 0.5, 0.5},
		// R-1 6/(4+5): sets {发热两天} and {发热三天无}; R-2 2·1/(3+4).
		{"发热两天", "发热三天无", 2.0 / 3, 2.0 / 7, 2.0 / 3},
		// The package's quirk: "..." is two sentences of an empty token
		// between the pieces. Text: 去了卫生院 ∅ ∅ 吃药, 8 distinct tokens and 8
		// bigrams, against 6 and 5: R-1 2·6/14, R-2 2·3/13 (卫生 生院 吃药).
		{"去了卫生院...吃药", "去卫生院吃药", 6.0 / 7, 6.0 / 13, 6.0 / 7},
		{"..", "..", 1, 0, 1},
		{"", "咳嗽", 0, 0, 0},
		{"...", "咳嗽", 0, 0, 0},
		{"咳嗽", "", 0, 0, 0},
	} {
		got := Rouge(c.text, c.ref)
		want := RougeScores{c.r1, c.r2, c.rl}
		if math.Abs(got.R1-want.R1) > 1e-9 || math.Abs(got.R2-want.R2) > 1e-9 || math.Abs(got.RL-want.RL) > 1e-9 {
			t.Errorf("Rouge(%q, %q) = %+v, want %+v", c.text, c.ref, got, want)
		}
	}
	if m := (RougeScores{0.75, 1.0 / 3, 0.75}).Mean(); math.Abs(m-(0.75+1.0/3+0.75)/3) > 1e-12 {
		t.Errorf("Mean = %v", m)
	}
}

func TestLoadIMCS(t *testing.T) {
	cases, err := LoadIMCS("testdata/preconsult_imcs.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("%d cases, want 2", len(cases))
	}
	c := cases[0]
	if c.ID != "fixture-cough" || !c.Subject.Proxy || len(c.Dialogue) != 5 {
		t.Errorf("first case: %+v", c)
	}
	if c.Dialogue[0].Doctor || !c.Dialogue[1].Doctor || c.Dialogue[1].Text != "发烧吗？有痰吗？" {
		t.Errorf("speakers: %+v", c.Dialogue)
	}
	if c.Gold.Chief != "咳嗽3天。" || c.Gold.Past != "否认肺炎病史。" || !strings.HasPrefix(c.Gold.Present, "患儿3天前") {
		t.Errorf("gold: %+v", c.Gold)
	}
	// The second dialogue starts with the doctor: the self report is put
	// first.
	d := cases[1].Dialogue
	if len(d) != 5 || d[0].Doctor || d[0].Text != "宝宝拉肚子两天" || !d[1].Doctor {
		t.Errorf("self report not prepended: %+v", d)
	}

	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := `{"id":"x","self_report":"发烧","dialogue":[{"speaker":"患者","text":"发烧"}],"report":{"主诉":"发热1天。"}}`
	for _, c := range []struct{ name, body, want string }{
		{"missing.jsonl", "", "no such file"},
		{"malformed.jsonl", good + "\n\n" + `{"id": "y", "dialogue": [` + "\n", "malformed.jsonl:3"},
		{"emptydialogue.jsonl", good + "\n" + `{"id":"z","dialogue":[],"report":{"主诉":"咳嗽"}}` + "\n", `"z" has an empty dialogue`},
		{"speaker.jsonl", `{"id":"s","dialogue":[{"speaker":"护士","text":"你好"}],"report":{"主诉":"咳嗽"}}`, "护士"},
		{"noreport.jsonl", `{"id":"r","dialogue":[{"speaker":"患者","text":"你好"}]}`, "no report"},
		{"empty.jsonl", "// nothing\n", "no IMCS cases"},
	} {
		p := filepath.Join(dir, c.name)
		if c.name != "missing.jsonl" {
			p = write(c.name, c.body)
		}
		_, err := LoadIMCS(p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// ScoreIMCS on two hand-built cases with a stand-in for the interviewer.
func TestScoreIMCS(t *testing.T) {
	cases := []PreconsultCase{
		{ID: "x", Dialogue: []preconsult.Utterance{{Text: "x"}}, Gold: record.Sections{Chief: "发热三天", Past: "无"}},
		{ID: "y", Dialogue: []preconsult.Utterance{{Text: "y"}}, Gold: record.Sections{Chief: "咳嗽", Present: "咳嗽一周"}},
	}
	replay := func(d []preconsult.Utterance, _ record.Subject) *record.Record {
		if d[0].Text == "x" {
			return &record.Record{Sections: record.Sections{Chief: "发热两天"}}
		}
		return nil // an interviewer that writes nothing
	}
	rep := ScoreIMCS(cases, replay)
	// Case x joined: 发热两天 against 发热三天无 → 2/3, 2/7, 2/3; case y: 0.
	xMean := (2.0/3 + 2.0/7 + 2.0/3) / 3
	want := map[string]float64{
		"cases": 2, "empty_drafts": 1, "replay_failures": 0,
		"rouge_1": 0.3333, "rouge_2": 0.1429, "rouge_l": 0.3333, "rouge_mean": round4(xMean / 2),
		// 主诉 in both cases: x 0.75/(1/3)/0.75, y 0.
		"chief_rouge_1": 0.375, "chief_rouge_2": 0.1667, "chief_rouge_l": 0.375, "chief_cases": 2,
		// 现病史 only in y (x has none on either side), 既往史 only in x.
		"present_rouge_1": 0, "present_rouge_2": 0, "present_rouge_l": 0, "present_cases": 1,
		"past_rouge_1": 0, "past_rouge_2": 0, "past_rouge_l": 0, "past_cases": 1,
	}
	if !reflect.DeepEqual(rep.Metrics, want) {
		t.Errorf("metrics\n got %v\nwant %v", rep.Metrics, want)
	}
	if len(rep.Examples) != 2 || rep.Examples[0].ID != "y" || rep.Examples[1].Score != round4(xMean) {
		t.Fatalf("examples (worst first): %+v", rep.Examples)
	}
	if !strings.Contains(rep.Examples[1].Got, "发热两天") || !strings.Contains(rep.Examples[1].Want, "既往史: 无") {
		t.Errorf("example text: %+v", rep.Examples[1])
	}
	// A replay that panics is counted and scored as an empty draft.
	rep = ScoreIMCS(cases, func(d []preconsult.Utterance, s record.Subject) *record.Record {
		if d[0].Text == "y" {
			var none []string
			_ = none[0]
		}
		return replay(d, s)
	})
	if rep.Metrics["replay_failures"] != 1 || rep.Metrics["rouge_mean"] != round4(xMean/2) || !strings.Contains(rep.Examples[0].Got, "replay panicked: runtime error") {
		t.Errorf("a panicking replay: %v %+v", rep.Metrics, rep.Examples[0])
	}
	var out bytes.Buffer
	rep.WriteText(&out, 1)
	if s := out.String(); !strings.Contains(s, "rouge_mean") || !strings.Contains(s, "worst cases") || !strings.Contains(s, "… 1 more") {
		t.Errorf("text report:\n%s", s)
	}
}

func TestLoadMIE(t *testing.T) {
	cases, err := LoadMIE("testdata/preconsult_mie.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("%d dialogues, want 2", len(cases))
	}
	// Seven windows over seven utterances rebuild the seven, in order.
	d := cases[0].Dialogue
	if len(d) != 7 || d[0].Doctor || d[0].Text != "最近老是头晕，有时候心慌" || !d[5].Doctor || d[6].Text != "好的，谢谢医生" {
		t.Errorf("dialogue 1 rebuilt as %+v", d)
	}
	for i, u := range d {
		if u.Doctor != (i%2 == 1) {
			t.Errorf("utterance %d: doctor %v", i+1, u.Doctor)
		}
	}
	// 胸痛 is 未知 (the doctor's question) then 阴性; 心肌缺血 is only the
	// doctor's (医生阳性); 心电图 is no symptom.
	want1 := []MIEFinding{{"头晕", record.Present}, {"心慌", record.Present}, {"胸痛", record.Absent}, {"胸闷", record.Present}, {"高血压", record.Absent}}
	if !reflect.DeepEqual(cases[0].Gold, want1) {
		t.Errorf("gold 1 = %v, want %v", cases[0].Gold, want1)
	}
	// A short dialogue (padded windows); 发热 and 咳嗽 are 阳性, then 阴性:
	// the later status stands.
	if len(cases[1].Dialogue) != 3 || cases[1].Dialogue[2].Text != "今天不烧了，也不咳嗽了" {
		t.Errorf("dialogue 2 rebuilt as %+v", cases[1].Dialogue)
	}
	want2 := []MIEFinding{{"发热", record.Absent}, {"咳嗽", record.Absent}, {"嗓子疼", record.Present}}
	if !reflect.DeepEqual(cases[1].Gold, want2) {
		t.Errorf("gold 2 = %v, want %v", cases[1].Gold, want2)
	}

	items, err := LoadMIEOntology("testdata/preconsult_mie_ontology.json")
	if err != nil || len(items) != 8 || items[0] != "头晕" {
		t.Errorf("ontology: %v %v", items, err)
	}

	dir := t.TempDir()
	for _, c := range []struct{ name, body, want string }{
		{"missing.json", "", "no such file"},
		{"notjson.json", `{"utterances": []}`, "not an MIE file"},
		{"empty.json", `[[]]`, "dialogue 1 is empty"},
		{"speaker.json", `[[{"utterances":["","","","","护士:你好"],"label":[]}]]`, "患者: or 医生:"},
		{"label.json", `[[{"utterances":["","","","","患者:头晕"],"label":["头晕阳性"]}]]`, `malformed label "头晕阳性"`},
		{"status.json", `[[{"utterances":["","","","","患者:头晕"],"label":["症状:头晕-状态:很多"]}]]`, "unknown status"},
	} {
		p := filepath.Join(dir, c.name)
		if c.name != "missing.json" {
			os.WriteFile(p, []byte(c.body), 0o600)
		}
		if _, err := LoadMIE(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := LoadMIEOntology(filepath.Join(dir, "status.json")); err == nil {
		t.Error("a dialogue file was read as an ontology")
	}
}

func TestMIEAppendWindow(t *testing.T) {
	seq := appendWindow(nil, []string{"a"})
	seq = appendWindow(seq, []string{"a", "b"})
	seq = appendWindow(seq, []string{"a", "b", "a"})
	seq = appendWindow(seq, []string{"a", "b", "a", "a"})
	seq = appendWindow(seq, []string{"b", "a", "a", "c"}) // slid past the first
	seq = appendWindow(seq, []string{"x", "y"})           // no overlap
	if want := []string{"a", "b", "a", "a", "c", "x", "y"}; !reflect.DeepEqual(seq, want) {
		t.Errorf("rebuilt %v, want %v", seq, want)
	}
}

// ScoreMIE on the fixture with hand-built drafts and a small lexicon.
func TestScoreMIE(t *testing.T) {
	cases, err := LoadMIE("testdata/preconsult_mie.json")
	if err != nil {
		t.Fatal(err)
	}
	items, err := LoadMIEOntology("testdata/preconsult_mie_ontology.json")
	if err != nil {
		t.Fatal(err)
	}
	lex := zh.NewLexicon([]corpus.Term{
		{Term: "心悸", Type: "symptom", Aliases: []string{"心慌"}},
		{Term: "发热", Type: "symptom", Aliases: []string{"发烧"}},
		{Term: "高血压", Type: "disease"},
	})
	sym := func(name string, s record.Status) record.Fact {
		return record.Fact{Kind: record.KindSymptom, Name: name, Status: s}
	}
	replay := func(d []preconsult.Utterance, subj record.Subject) *record.Record {
		if subj.Proxy {
			t.Error("MIE patients answer for themselves")
		}
		if strings.Contains(d[0].Text, "头晕") {
			return &record.Record{Facts: []record.Fact{
				sym("头晕", record.Present),
				sym("心悸", record.Present), // MIE's 心慌, through the lexicon
				sym("胸痛", record.Present), // wrong status
				{Kind: record.KindCondition, Name: "高血压", Status: record.Absent},
				sym("腹痛", record.Present),   // not in the ontology: not scored
				sym("胸闷", record.Uncertain), // uncertain: not scored
				{Kind: record.KindOnset, Of: "头晕", Value: "1周前"},
			}}
		}
		return &record.Record{Facts: []record.Fact{
			sym("发热", record.Present),
			sym("发热", record.Absent),   // the later status stands
			sym("咳嗽", record.Present),  // wrong status
			sym("嗓子疼", record.Present), // not in the ontology (nor scored in the gold)
		}}
	}
	rep := ScoreMIE(cases, items, lex, replay)
	// Gold: 头晕+ 心悸+ 胸痛- 胸闷+ 高血压- | 发热- 咳嗽-  (7 pairs)
	// Draft: 头晕+ 心悸+ 胸痛+ 高血压- | 发热- 咳嗽+     (6 pairs)
	// Pairs right: 头晕 心悸 高血压 发热 (4); symptoms right: 6.
	want := map[string]float64{
		"dialogues": 2, "replay_failures": 0, "gold_pairs": 7, "predicted_pairs": 6,
		"precision": 0.6667, "recall": 0.5714, "f1": round4(8.0 / 13),
		"symptom_precision": 1, "symptom_recall": 0.8571, "symptom_f1": round4(12.0 / 13),
	}
	if !reflect.DeepEqual(rep.Metrics, want) {
		t.Errorf("metrics\n got %v\nwant %v", rep.Metrics, want)
	}
	// Dialogue 2: 1 of 2 pairs right either way (F1 0.5) is worse than
	// dialogue 1 (3 right of 4 and 5: 6/9).
	if len(rep.Examples) != 2 || rep.Examples[0].ID != "dialogue 2" || rep.Examples[0].Score != 0.5 {
		t.Fatalf("examples: %+v", rep.Examples)
	}
	if e := rep.Examples[1]; e.Got != "头晕+ 心悸+ 胸痛+ 高血压-" || e.Want != "头晕+ 心悸+ 胸痛- 胸闷+ 高血压-" {
		t.Errorf("example 1: got %q want %q", e.Got, e.Want)
	}

	// Without a lexicon 心悸 is not MIE's 心慌; without an ontology every
	// gold item counts (嗓子疼 too).
	rep = ScoreMIE(cases, nil, nil, replay)
	if rep.Metrics["gold_pairs"] != 8 || rep.Metrics["predicted_pairs"] != 6 {
		t.Errorf("no lexicon, no ontology: %v", rep.Metrics)
	}
	// A replayer that finds nothing scores 0 without dividing by zero.
	rep = ScoreMIE(cases, items, lex, func([]preconsult.Utterance, record.Subject) *record.Record { return nil })
	if rep.Metrics["f1"] != 0 || rep.Metrics["precision"] != 0 || rep.Metrics["gold_pairs"] != 7 {
		t.Errorf("empty drafts: %v", rep.Metrics)
	}
	rep = ScoreMIE(cases, items, lex, func([]preconsult.Utterance, record.Subject) *record.Record { panic("boom") })
	if rep.Metrics["replay_failures"] != 2 || rep.Metrics["predicted_pairs"] != 0 || rep.Examples[0].Got != "replay panicked: boom" {
		t.Errorf("panicking replays: %v %+v", rep.Metrics, rep.Examples)
	}
}
