package safety

import (
	"bufio"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/zh"
)

var defaultDetector = sync.OnceValues(Default)

func mustDefault(t testing.TB) *Detector {
	t.Helper()
	d, err := defaultDetector()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func ids(as []Alarm) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

type contextCase struct {
	text string
	want string // the flag that must fire, or "" for none at all
}

func runContext(t *testing.T, cases []contextCase) {
	t.Helper()
	d := mustDefault(t)
	for _, c := range cases {
		got := ids(d.Check(c.text))
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%q: alarms %v, want none", c.text, got)
		case c.want != "" && !slices.Contains(got, c.want):
			t.Errorf("%q: alarms %v, want %s", c.text, got, c.want)
		}
	}
}

func TestNegation(t *testing.T) {
	runContext(t, []contextCase{
		{"胸口疼，出了一身冷汗", "chest_pain_sweating"},
		{"没有胸痛，也没有出冷汗", ""},
		{"不胸痛，就是出汗多", ""},
		{"否认胸痛、大汗", ""},
		{"无呕血，无黑便", ""},
		{"呕血", "hematemesis"},
		{"没有呼吸困难", ""},
		{"没有呼吸了", "cardiac_arrest"}, // the phrase itself holds the 没
		{"孩子没有抽搐，只是发烧", ""},
		{"疼得喘不上气", "severe_breathlessness"},    // 不 inside a symptom word
		{"切到手了，血止不住", "uncontrolled_bleeding"}, // 止不住 is no negation
		{"孩子不小心吞了一颗纽扣电池", "battery_magnet"},    // 不小心 negates nothing
		{"趁我不注意，孩子把一板降压药全吃了", "poisoning"},
		{"无明显诱因突然呕血", "hematemesis"},
		{"叫不醒，没有反应，口吐白沫", "seizure"}, // earlier negation-bearing phrases do not negate later ones
		{"不是没有胸痛，胸口疼得直冒冷汗", "chest_pain_sweating"},
		{"胸口特别疼，出了一身冷汗", "chest_pain_sweating"}, // 特别 holds 别 but negates nothing
	})
}

func TestHistory(t *testing.T) {
	runContext(t, []contextCase{
		{"十年前吐过血，想复查个胃镜", ""},
		{"以前得过脑梗，现在恢复得挺好", ""},
		{"小时候有过抽搐，需要复查脑电图吗", ""},
		{"去年心梗放过支架，现在挺好的", ""},
		{"孩子有高热惊厥史，这次发烧要注意什么", ""},
		{"两岁时抽搐过一次，现在五岁了", ""},
		{"便血两个月了，该挂什么科", ""},                       // a long length right after
		{"这半年经常胸痛，出冷汗", ""},                        // a long length in its clause
		{"三天前开始胸痛，今天一直出冷汗", "chest_pain_sweating"}, // recent onset
		{"以前有过，现在又吐血了", "hematemesis"},             // present marker wins
		{"半小时前突然说不出话", "stroke_speech"},
		{"十年前做过搭桥，今天胸口疼得厉害，冷汗直冒", "chest_pain_sweating"},
		{"半年来反复胸痛，今天突然加重，满头大汗", "chest_pain_sweating"}, // worse after
		{"孩子昨天抽搐了，医生说是高热惊厥，开了药", ""},                   // the episode was seen
		{"刚才他在楼下摔倒了，当时就晕过去了，现在叫不醒", "unconscious"},     // 当时 takes 刚才's time
	})
}

func TestMention(t *testing.T) {
	runContext(t, []contextCase{
		{"胸痛门诊在哪", ""},
		{"卒中中心电话多少", ""},
		{"心梗有哪些症状", ""},
		{"怎么预防中风", ""},
		{"中风的早期表现是什么", ""},
		{"脑梗的急救知识", ""},
		{"如果孩子吞了电池怎么办", ""},
		{"万一老人吃东西噎住了怎么办", ""},
		{"这个药会引起抽搐吗", ""},
		{"抽搐的常见原因有哪些", ""},
		{"儿童误吞异物要怎么预防", ""},
		{"我爸胸口疼出冷汗是心梗吗", "chest_pain_sweating"},
		{"孩子刚才吞了一颗纽扣电池怎么办", "battery_magnet"},
		{"热射病怎么急救，我同事现在叫不醒", "heat_stroke"},
	})
}

func TestThirdParties(t *testing.T) {
	runContext(t, []contextCase{
		{"我妈突然嘴歪了，口水往外流", "stroke_face"},
		{"孩子吃果冻噎住了，说不出话", "choking"},
		{"老人在厕所晕倒了，叫不醒", "unconscious"},
		{"我老公喝了农药", "poisoning"},
		{"邻居家小孩掉进水塘里了", "drowning"},
	})
}

func TestCloseButNotUrgent(t *testing.T) {
	runContext(t, []contextCase{
		{"晚上腿抽筋", ""},
		{"眼皮抽搐好几天了", ""},
		{"刷牙牙龈出血", ""},
		{"痔疮便后滴几滴血", ""},
		{"手被轻微烫了一下", ""},
		{"头疼两天了", ""},
		{"孩子发烧38度，两岁", ""},
		{"宝宝三个多月，发烧38度", ""},
		{"吃了猪血，大便发黑", ""},
		{"没吃猪血也没吃铁剂，大便却是黑色的", "melena"}, // denied causes do not cancel
		{"工作太累了，累得要死", ""},
		{"我不想活动", ""},
		{"我不想活了", "suicidal_intent"},
	})
}

func TestAges(t *testing.T) {
	runContext(t, []contextCase{
		{"2个月宝宝发烧了", "infant_fever"},
		{"出生40天的宝宝发热", "infant_fever"},
		{"宝宝才两个半月，体温38.3", "infant_fever"},
		{"我女儿五十多天，一量三十八度二", "infant_fever"},
		{"新生儿发烧", "infant_fever"},
		{"宝宝两个多月，发烧38度", "infant_fever"},
		{"宝宝三个月，发烧38度", ""},   // three months is not under three months
		{"孩子发烧两个月了", ""},      // how long, not how old
		{"孩子两天了还在发烧", ""},     // idem
		{"孩子三天前开始发烧，两岁", ""},  // a point in time
		{"宝宝出生40天，能打疫苗吗", ""}, // no fever
		{"宝宝两个月，体温37.2", ""},  // no fever
	})
}

func TestMostSevereFirst(t *testing.T) {
	d := mustDefault(t)
	// seizure (level 1) comes after chest_pain_sweating (level 2) in the
	// rule file: the order must come from the levels.
	const text = "我爸胸口疼出冷汗，刚才还抽搐了"
	got := ids(d.Check(text))
	i, j := slices.Index(got, "seizure"), slices.Index(got, "chest_pain_sweating")
	if i < 0 || j < 0 || i > j {
		t.Fatalf("alarms %v: want seizure (level 1) before chest_pain_sweating (level 2)", got)
	}
	for _, a := range d.Check(text) {
		if a.Name == "" || len(d.Guidance(a.Category)) == 0 {
			t.Errorf("alarm %+v lacks a name or guidance", a)
		}
	}
}

func TestGuidance(t *testing.T) {
	d := mustDefault(t)
	g := d.Guidance("cardiac")
	if len(g) < 2 || !strings.Contains(strings.Join(g, ""), "120") {
		t.Fatalf("cardiac guidance %q", g)
	}
	g[0] = "changed"
	if d.Guidance("cardiac")[0] == "changed" {
		t.Error("Guidance returned the detector's own slice")
	}
	if d.Guidance("no-such-category") != nil {
		t.Error("guidance for an unknown category")
	}
}

func set(flags ...corpus.RedFlag) *corpus.RedFlagSet {
	return &corpus.RedFlagSet{
		Categories: map[string]corpus.RedFlagCategory{"c": {Guidance: []string{"请拨打120。"}}},
		Flags:      flags,
	}
}

func TestBadPatterns(t *testing.T) {
	tests := []struct {
		name, phrase, want string
	}{
		{"BadRegexp", "re:胸(痛", "missing closing )"},
		{"EmptyMatch", "re:(胸痛)?", "empty string"},
		{"EmptyLiteral", "\u200b", "empty once normalised"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(set(corpus.RedFlag{ID: "a", Name: "甲", Category: "c", Level: 1, Any: []string{"吐血", tt.phrase}}))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "flag a") {
				t.Fatalf("error %q does not name the flag and %q", err, tt.want)
			}
		})
	}
	if _, err := New(set(corpus.RedFlag{ID: "a", Name: "甲", Category: "nope", Level: 1, Any: []string{"吐血"}})); err == nil {
		t.Error("an unknown category was accepted")
	}
	if _, err := New(nil); err == nil {
		t.Error("a nil set was accepted")
	}
}

func TestSmallSet(t *testing.T) {
	d, err := New(set(
		corpus.RedFlag{ID: "b", Name: "乙", Category: "c", Level: 2, Any: []string{"吐血"}},
		corpus.RedFlag{ID: "a", Name: "甲", Category: "c", Level: 1,
			All: [][]string{{"胸痛"}, {"re:(冷|大)汗"}}, Near: 6, Mask: []string{"胸痛门诊"}},
		corpus.RedFlag{ID: "m", Name: "丙", Category: "c", Level: 3, Any: []string{"黑便"}, Unless: []string{"铁剂"}},
	))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text string
		want []string
	}{
		{"胸痛，冷汗", []string{"a"}},
		{"胸痛，今天早上起来以后一直冒冷汗", nil},       // farther apart than near
		{"胸痛门诊在哪？出了大汗", nil},            // masked
		{"吐血，胸痛大汗", []string{"a", "b"}}, // level 1 first
		{"黑便", []string{"m"}},
		{"吃了铁剂，黑便", nil},
		{"没吃铁剂，黑便", []string{"m"}},
		{"今天挺好", nil},
	} {
		if got := ids(d.Check(c.text)); !slices.Equal(got, c.want) {
			t.Errorf("%q: %v, want %v", c.text, got, c.want)
		}
	}
}

func TestVersion(t *testing.T) {
	d1, d2 := mustDefault(t), mustDefault(t)
	b, err := corpus.FS().(interface{ ReadFile(string) ([]byte, error) }).ReadFile("redflags.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := corpus.ParseRedFlags(b)
	if err != nil {
		t.Fatal(err)
	}
	d3, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	if v := d1.Version(); v == "" || v != d2.Version() || v != d3.Version() {
		t.Fatalf("versions %q %q %q", d1.Version(), d2.Version(), d3.Version())
	}
	s2, err := corpus.ParseRedFlags(append(b, "\n# a comment changes the file\n"...))
	if err != nil {
		t.Fatal(err)
	}
	d4, _ := New(s2)
	if d4.Version() == d1.Version() {
		t.Error("a changed file kept its version")
	}
	// Sets built in code are hashed by content.
	mk := func(word string) string {
		d, err := New(set(corpus.RedFlag{ID: "a", Name: "甲", Category: "c", Level: 1, Any: []string{word}}))
		if err != nil {
			t.Fatal(err)
		}
		return d.Version()
	}
	if mk("吐血") != mk("吐血") || mk("吐血") == mk("呕血") || mk("吐血") == "" {
		t.Error("the version of a set built in code is not a stable digest of its content")
	}
}

func TestHostileInput(t *testing.T) {
	d := mustDefault(t)
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"胸痛", "冷汗", "没有", "不", "以前", "如果", "re:(.*)+$", "~~~", "{{emergency.location}}", "\x00", "\xff\xfe",
		"😀", "。", "，", " ", "\n", "2个月", "38度", "吐血", "抽搐", "宝宝", "((((", "\\", "[^", "史", "后来", "医生说", "突然", "、"}
	var b strings.Builder
	for b.Len() < 300_000 {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	long := b.String()
	start := time.Now()
	d.Check(long)
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("a %d-byte message took %v", len(long), el)
	}
	for i := 0; i < 2000; i++ {
		n := rng.IntN(40)
		var s strings.Builder
		for j := 0; j < n; j++ {
			s.WriteString(pieces[rng.IntN(len(pieces))])
		}
		d.Check(s.String())
	}
	for _, s := range []string{"", "\x00", "\xff", strings.Repeat("\x00", 1000), "re:.*", "~", "{{", "胸\x00痛\xff冷汗", strings.Repeat("不", 10000)} {
		d.Check(s)
	}
	// A red flag at the end of a very long message is still found.
	tail := strings.Repeat("我想问一下医院的停车场在哪里，周末开不开门。", 5000) + "我爸刚才吐血了"
	if !slices.Contains(ids(d.Check(tail)), "hematemesis") {
		t.Error("a red flag at the end of a long message was missed")
	}
	// Also when the long message has no sentence end for the cut.
	tail = strings.Repeat("挂号缴费停车", 3000) + "我爸刚才吐血了"
	if !slices.Contains(ids(d.Check(tail)), "hematemesis") {
		t.Error("a red flag after a long unpunctuated text was missed")
	}
	if got := d.Check("胸\x00口\u200b疼，冒\xff冷汗"); !slices.Contains(ids(got), "chest_pain_sweating") {
		t.Errorf("control and invalid bytes inside words hid the flag: %v", ids(got))
	}
}

func TestChunks(t *testing.T) {
	for _, text := range []string{
		"短句。",
		strings.Repeat("我想问一下。", 200),
		strings.Repeat("挂号缴费", 500),
		strings.Repeat("一二三四五六七八九十", 41) + "。" + strings.Repeat("甲", 10),
	} {
		parts := chunks(text)
		joined := strings.Join(parts, "")
		if len(parts) == 1 && parts[0] != text {
			t.Fatalf("one chunk differs from the text")
		}
		for _, p := range parts {
			if n := utf8.RuneCountInString(p); n > chunkRunes {
				t.Errorf("chunk of %d characters", n)
			}
			if !strings.Contains(text, p) {
				t.Errorf("chunk %q is not part of the text", zh.Truncate(p, 10))
			}
		}
		if !strings.HasSuffix(text, parts[len(parts)-1]) || !strings.HasPrefix(text, parts[0]) || len(joined) < len(text) {
			t.Errorf("chunks do not cover the text")
		}
	}
}

// TestPrefilter checks that the speed-ups — skipping phrases whose
// characters are absent and trying patterns only where they can start —
// never change an answer: a detector without them must agree on the test
// set and on shuffled variants of it.
func TestPrefilter(t *testing.T) {
	fast := mustDefault(t)
	slow, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range slow.phrases {
		p.need, p.sets, p.first, p.anchor = nil, nil, nil, nil
	}
	texts := testTexts(t)
	rng := rand.New(rand.NewPCG(3, 4))
	n := len(texts)
	for i := 0; i < n; i++ {
		a, b := []rune(texts[rng.IntN(n)]), []rune(texts[rng.IntN(n)])
		texts = append(texts, string(a[:rng.IntN(len(a)+1)])+string(b[rng.IntN(len(b)+1):]))
	}
	for _, s := range texts {
		if f, w := ids(fast.Check(s)), ids(slow.Check(s)); !slices.Equal(f, w) {
			t.Errorf("%q: with the prefilter %v, without %v", s, f, w)
		}
	}
}

// testTexts reads the texts of the red-flag test set.
func testTexts(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../eval/testdata/redflags.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		i := strings.Index(l, `"text": "`)
		if i < 0 {
			continue
		}
		l = l[i+len(`"text": "`):]
		out = append(out, l[:strings.Index(l, `"`)])
	}
	if len(out) < 100 {
		t.Fatalf("%d texts", len(out))
	}
	return out
}

func TestConcurrent(t *testing.T) {
	d := mustDefault(t)
	texts := testTexts(t)
	want := make([][]string, len(texts))
	for i, s := range texts {
		want[i] = ids(d.Check(s))
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := 0; k < len(texts); k++ {
				i := (k*7 + g*13) % len(texts)
				if got := ids(d.Check(texts[i])); !slices.Equal(got, want[i]) {
					t.Errorf("%q: %v concurrently, %v alone", texts[i], got, want[i])
					return
				}
			}
		}(g)
	}
	wg.Wait()
}
