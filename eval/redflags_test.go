package eval

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/safety"
)

func detector(t *testing.T) (*safety.Detector, func(string) []string) {
	t.Helper()
	d, err := safety.Default()
	if err != nil {
		t.Fatal(err)
	}
	return d, func(text string) []string {
		var ids []string
		for _, a := range d.Check(text) {
			ids = append(ids, a.ID)
		}
		return ids
	}
}

// TestBuiltinRedFlags runs the shipped rules on the built-in red-flag set:
// every emergency must be caught and no hard negative may alarm.
func TestBuiltinRedFlags(t *testing.T) {
	cases, err := LoadRedFlagCases("")
	if err != nil {
		t.Fatal(err)
	}
	d, check := detector(t)
	ids := d.IDs()
	perFlag := map[string]int{}
	neg := 0
	for _, c := range cases {
		if c.Flag == "" {
			neg++
			continue
		}
		if !slices.Contains(ids, c.Flag) {
			t.Errorf("case %q wants unknown flag %q", c.Text, c.Flag)
		}
		perFlag[c.Flag]++
	}
	if pos := len(cases) - neg; pos < 200 || neg < 150 {
		t.Errorf("%d positives and %d negatives, want at least 200 and 150", pos, neg)
	}
	for _, id := range ids {
		if perFlag[id] < 5 {
			t.Errorf("flag %s has %d positive cases, want at least 5", id, perFlag[id])
		}
	}
	rep := RunRedFlags(cases, check)
	if rep.Metrics["recall"] != 1 || rep.Counts["false_alarms"] != 0 {
		var b strings.Builder
		rep.WriteText(&b, -1)
		t.Errorf("recall %.4f with %d false alarms, want 1 and 0:\n%s", rep.Metrics["recall"], rep.Counts["false_alarms"], b.String())
	}
}

// faqEmergencies are questions of the FAQ test set that describe a real
// emergency happening now (reviewed by hand): an alarm on them is right.
var faqEmergencies = []string{
	"小孩误吞了一颗纽扣电池，要紧吗",
	"宝宝才两个月，摸着有点烫，一量38度，能在家先观察一晚吗",
	"怀孕八周 今天早上见红了 肚子也有点往下坠 怎么办",
	"我爸六十多，刚才吃完饭说胸口疼，已经疼了二十来分钟，满头大汗，脸色也不好，我是开车送他去医院还是叫救护车？这会儿我能做点什么？",
	"吃双抗这段时间大便有点发黑，是不是哪里出血了",
	"刚才我奶奶吃着饭突然嘴歪了，右手拿不住筷子，说话也含含糊糊的，我已经打了120，等救护车这会儿该做什么？能不能先给她吃片降压药？",
	"我爸今天早上吃饭的时候，突然左手拿不住筷子，说话也有点含糊，过了大概十分钟又完全好了",
	"孩子晚上烧到39度多，突然眼睛往上翻，手脚一抽一抽的，叫也不应",
	// 32 weeks pregnant, hardly any fetal movement since noon today
	"我现在怀孕32周，平时宝宝动得挺欢的，今天从中午到现在好像都没怎么感觉到胎动",
	// on insulin, palpitations, tremor and cold sweat now, glucose 3.2
	"我老公打胰岛素的，今天下午突然心慌手抖一身冷汗，测了一下血糖才3.2",
	// reliever inhaler not helping, speech already affected
	"喷了两回药还是喘，话都说不利索了，要去急诊吗",
	// back pain worse, saddle numbness and loss of bladder control this morning
	"我腰椎间盘突出好几年了，这两天腰疼加重，今天早上发现屁股周围发麻，小便也不太能控制",
}

// TestFAQAlarms checks that the FAQ test set — ordinary questions about
// the hospital and common conditions — raises false alarms on at most 1%
// of its questions.
func TestFAQAlarms(t *testing.T) {
	texts, err := BuiltinFAQTexts()
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) < 100 {
		t.Fatalf("%d FAQ questions", len(texts))
	}
	_, check := detector(t)
	rate, alarmed := AlarmRate(texts, check)
	var wrong []string
	for _, a := range alarmed {
		genuine := false
		for _, e := range faqEmergencies {
			genuine = genuine || strings.HasPrefix(a, e)
		}
		if !genuine {
			wrong = append(wrong, a)
		}
	}
	t.Logf("alarms on %.2f%% of %d FAQ questions, %d of them not emergencies", 100*rate, len(texts), len(wrong))
	if float64(len(wrong)) > 0.01*float64(len(texts)) {
		t.Errorf("false alarms on %d of %d FAQ questions, want at most 1%%:\n%s", len(wrong), len(texts), strings.Join(wrong, "\n"))
	}
}

func TestRunRedFlags(t *testing.T) {
	cases := []RedFlagCase{
		{Text: "a", Flag: "x"}, // caught
		{Text: "b", Flag: "x"}, // another flag fired
		{Text: "c", Flag: "y"}, // nothing fired
		{Text: "d"},            // quiet negative
		{Text: "e"},            // false alarm
	}
	fired := map[string][]string{"a": {"z", "x"}, "b": {"z"}, "e": {"x"}}
	rep := RunRedFlags(cases, func(s string) []string { return fired[s] })
	if rep.Metrics["recall"] != round4(1.0/3) || rep.Metrics["any_alarm_rate"] != round4(2.0/3) || rep.Metrics["false_alarm_rate"] != 0.5 {
		t.Errorf("metrics %v", rep.Metrics)
	}
	if rep.PerFlag["x"].Hits != 1 || rep.PerFlag["x"].Cases != 2 || rep.PerFlag["y"].Recall != 0 {
		t.Errorf("per flag %v", rep.PerFlag)
	}
	if len(rep.Failures) != 3 || rep.Counts["missed"] != 2 || rep.Counts["false_alarms"] != 1 {
		t.Errorf("failures %v counts %v", rep.Failures, rep.Counts)
	}
	var b strings.Builder
	rep.WriteText(&b, 1)
	if !strings.Contains(b.String(), "x 1/2") || !strings.Contains(b.String(), "2 more") {
		t.Errorf("text report:\n%s", b.String())
	}
	rate, ex := AlarmRate([]string{"a", "d", "e", "b"}, func(s string) []string { return fired[s] })
	if rate != 0.75 || !slices.Equal(ex, []string{"a", "e", "b"}) {
		t.Errorf("AlarmRate = %v, %q", rate, ex)
	}
}

func TestLoadRedFlagCases(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	os.WriteFile(good, []byte("// c\n{\"text\": \"吐血了\", \"flag\": \"hematemesis\"}\n\n{\"text\": \"挂号\", \"flag\": \"\"}\n"), 0o600)
	cs, err := LoadRedFlagCases(good)
	if err != nil || len(cs) != 2 || cs[0].Flag != "hematemesis" || cs[1].Flag != "" {
		t.Fatalf("%v %v", cs, err)
	}
	for name, body := range map[string]string{
		"unknown.jsonl": `{"text": "x", "flag": "", "intent": "y"}`,
		"empty.jsonl":   `{"text": " ", "flag": ""}`,
		"none.jsonl":    "// nothing\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		if _, err := LoadRedFlagCases(p); err == nil {
			t.Errorf("%s was accepted", name)
		}
	}
}

func TestLoadMessages(t *testing.T) {
	dir := t.TempDir()
	faqDir := filepath.Join(dir, "faq")
	os.Mkdir(faqDir, 0o700)
	os.WriteFile(filepath.Join(faqDir, "a.jsonl"), []byte("// comment\n{\"q\": \"怎么挂号\", \"want\": \"r-01\"}\n{\"q\": \"怎么挂号\", \"want\": \"r-01\"}\n"), 0o600)
	intents := filepath.Join(dir, "intents.jsonl")
	os.WriteFile(intents, []byte("{\"text\": \"谢谢\", \"intent\": \"thanks\"}\n{\"text\": \"我爸吐血了\", \"intent\": \"emergency\"}\n"), 0o600)
	arr := filepath.Join(dir, "qic.json")
	os.WriteFile(arr, []byte("\ufeff[{\"query\": \"头疼怎么办，吃什么药\", \"label\": \"治疗方案\"}]"), 0o600)
	got, err := LoadMessages([]string{faqDir, intents, arr})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"怎么挂号", "谢谢", "头疼怎么办，吃什么药"}
	if !slices.Equal(got, want) {
		t.Fatalf("LoadMessages = %q, want %q", got, want)
	}
	if _, err := LoadMessages([]string{filepath.Join(dir, "missing.jsonl")}); err == nil {
		t.Error("a missing file was accepted")
	}
}
