package zh

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi/corpus"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"FullWidthToHalf", "ＣＴ检查３天", "ct检查3天"},
		{"TraditionalToSimplified", "醫院掛號要帶什麼證件", "医院挂号要带什么证件"},
		{"PunctuationUnified", "胃镜？要空腹吗！好的。", "胃镜?要空腹吗!好的."},
		{"EnumerationCommaKept", "无咳嗽、咳痰", "无咳嗽、咳痰"},
		{"WhitespaceCollapsed", "  抽血 \t\n 空腹  ", "抽血 空腹"},
		{"ZeroWidthAndControlRemoved", "挂\u200b号\x07", "挂号"},
		{"InvalidUTF8Dropped", "挂号\xff\xfe吗", "挂号吗"},
		{"UpperToLower", "MRI和HP", "mri和hp"},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHasWordsAndCompact(t *testing.T) {
	for in, want := range map[string]bool{"？？？": false, "😀👍": false, "...!!": false, "在吗？": true, "b超": true, " ": false} {
		if got := HasWords(in); got != want {
			t.Errorf("HasWords(%q) = %v, want %v", in, got, want)
		}
	}
	if got := Compact("你好，在吗？😀"); got != "你好在吗" {
		t.Errorf("Compact = %q", got)
	}
}

func TestParseNumber(t *testing.T) {
	tests := map[string]float64{
		"3": 3, "38.5": 38.5, "三": 3, "十": 10, "十五": 15, "二十三": 23, "三十九": 39,
		"一百零五": 105, "两": 2, "两千": 2000, "一万二千": 12000, "三点五": 3.5, "半": 0.5, "零": 0,
	}
	for in, want := range tests {
		got, ok := ParseNumber(in)
		if !ok || got != want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "abc", "三x", "点五", "NaN", "Inf"} {
		if _, ok := ParseNumber(bad); ok {
			t.Errorf("ParseNumber(%q) accepted", bad)
		}
	}
}

func TestFindDurations(t *testing.T) {
	tests := []struct {
		in       string
		clinical []string
		days     []float64
		ago      []bool
	}{
		{"发烧三天了", []string{"3天"}, []float64{3}, []bool{false}},
		{"咳嗽一周多", []string{"1周余"}, []float64{7}, []bool{false}},
		{"头痛半个月", []string{"半月"}, []float64{15}, []bool{false}},
		{"3天前开始拉肚子", []string{"3天"}, []float64{3}, []bool{true}},
		{"两个多月没来月经", []string{"2月余"}, []float64{60}, []bool{false}},
		{"腰疼一年半", []string{"1年半"}, []float64{547.5}, []bool{false}},
		{"前天晚上开始发烧", []string{"2天"}, []float64{2}, []bool{true}},
		{"十几天了", []string{"10天余"}, []float64{10}, []bool{false}},
		{"好几天了", []string{"数天"}, []float64{3}, []bool{false}},
		{"胸闷2小时", []string{"2小时"}, []float64{2.0 / 24}, []bool{false}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ds := FindDurations(tt.in)
			if len(ds) != len(tt.clinical) {
				t.Fatalf("found %d durations %+v, want %d", len(ds), ds, len(tt.clinical))
			}
			for i, d := range ds {
				if got := d.Clinical(); got != tt.clinical[i] {
					t.Errorf("Clinical = %q, want %q", got, tt.clinical[i])
				}
				if got := d.Days(); got-tt.days[i] > 1e-9 || tt.days[i]-got > 1e-9 {
					t.Errorf("Days = %v, want %v", got, tt.days[i])
				}
				if d.Ago != tt.ago[i] {
					t.Errorf("Ago = %v, want %v", d.Ago, tt.ago[i])
				}
				if tt.in[d.Start:d.End] != d.Text {
					t.Errorf("offsets %d:%d do not frame %q", d.Start, d.End, d.Text)
				}
			}
		})
	}
	t.Run("NotDurations", func(t *testing.T) {
		for _, in := range []string{"每天吃三次", "三月份来的", "今天是5日", "天天头疼"} {
			for _, d := range FindDurations(in) {
				if !d.Ago {
					t.Errorf("%q: unexpected duration %+v", in, d)
				}
			}
		}
	})
}

func TestFindTemperatures(t *testing.T) {
	tests := map[string]float64{
		"孩子烧到38度5": 38.5, "三十九度": 39, "体温38.5℃": 38.5, "39度多": 39, "37度半": 37.5, "最高40°C": 40,
	}
	for in, want := range tests {
		ts := FindTemperatures(Normalize(in))
		if len(ts) != 1 || ts[0].Celsius != want {
			t.Errorf("FindTemperatures(%q) = %+v, want %v", in, ts, want)
		}
	}
	if ts := FindTemperatures("走了100度的坡"); len(ts) != 0 {
		t.Errorf("100度 is not a body temperature: %+v", ts)
	}
}

func TestPolarityAt(t *testing.T) {
	tests := []struct {
		text, word string
		want       Polarity
	}{
		{"没有发烧", "发烧", Absent},
		{"否认高血压、糖尿病", "糖尿病", Absent},
		{"无咳嗽、咳痰", "咳痰", Absent},
		{"没有发烧,但是咳嗽", "咳嗽", Present},
		{"不咳嗽", "咳嗽", Absent},
		{"不是没有发烧", "发烧", Present},
		{"是不是白内障", "白内障", Uncertain},
		{"有没有可能是胃炎", "胃炎", Uncertain},
		{"不痛不痒", "痒", Absent},
		{"不疼也不痒", "痒", Absent},
		{"不明原因起疹子", "疹子", Present},
		{"好像有点发烧", "发烧", Uncertain},
		{"头痛三天", "头痛", Present},
		{"睡不着觉", "觉", Present},
		{"浑身没劲还发烧", "发烧", Present},
		{"四肢无力", "力", Present},
		{"最近不舒服,胸痛", "胸痛", Present},
		{"未见出血", "出血", Absent},
		{"没有那种一阵一阵特别厉害的头痛", "头痛", Present}, // beyond the scope bound: assert it
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			i := strings.Index(tt.text, tt.word)
			if got := PolarityAt(tt.text, i); got != tt.want {
				t.Errorf("PolarityAt(%q, %q) = %v, want %v", tt.text, tt.word, got, tt.want)
			}
		})
	}
}

func testLexicon() *Lexicon {
	return NewLexicon([]corpus.Term{
		{Term: "腹泻", Type: "symptom", Aliases: []string{"拉肚子", "闹肚子"}},
		{Term: "磁共振检查", Type: "exam", Aliases: []string{"核磁", "核磁共振", "mri"}},
		{Term: "计算机断层扫描", Type: "exam", Aliases: []string{"ct"}},
		{Term: "幽门螺杆菌感染", Type: "disease", Aliases: []string{"幽门螺杆菌", "hp"}},
	})
}

func TestLexiconFind(t *testing.T) {
	l := testLexicon()
	got := l.Find(Normalize("拉肚子要做核磁共振还是ＣＴ？doctor说HP阳性"))
	var terms []string
	for _, m := range got {
		terms = append(terms, m.Term+"/"+m.Surface)
	}
	want := []string{"腹泻/拉肚子", "磁共振检查/核磁共振", "计算机断层扫描/ct", "幽门螺杆菌感染/hp"}
	if !reflect.DeepEqual(terms, want) {
		t.Fatalf("Find = %v, want %v (longest match, ct not inside doctor)", terms, want)
	}
	if typ, ok := l.TypeOf("腹泻"); !ok || typ != "symptom" {
		t.Errorf("TypeOf(腹泻) = %q, %v", typ, ok)
	}
}

func TestSegmenter(t *testing.T) {
	s := NewSegmenter(SegmenterOptions{MinFreq: MinWordFreq, UserWords: []string{"幽门螺杆菌", "医保卡", "电子医保凭证"}})
	t.Run("DictionaryLoaded", func(t *testing.T) {
		if len(zhS) < 1_000_000 {
			t.Fatalf("gse's embedded dictionary is missing (%d bytes): was gse upgraded or built with -tags ne?", len(zhS))
		}
		got := s.Cut("医生建议做胃镜检查")
		if len(got) < 3 || len(got) > 6 {
			t.Fatalf("Cut gave %v: the general dictionary is not in effect", got)
		}
	})
	t.Run("UserWordsWin", func(t *testing.T) {
		for _, w := range []string{"幽门螺杆菌", "医保卡", "电子医保凭证"} {
			got := s.Cut("我的" + w + "怎么办")
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("Cut kept %q apart: %v", w, got)
			}
		}
	})
	t.Run("SearchModeAddsSubwords", func(t *testing.T) {
		got := s.CutSearch("核磁共振检查")
		if len(got) <= len(s.Cut("核磁共振检查")) {
			t.Errorf("CutSearch %v adds no sub-words", got)
		}
	})
	t.Run("NoSpaces", func(t *testing.T) {
		for _, w := range s.Cut("挂号  怎么 挂") {
			if strings.TrimSpace(w) == "" {
				t.Errorf("Cut returned a blank token")
			}
		}
	})
}

// FuzzTextPipeline runs arbitrary input through every step a patient
// message takes in this package. None may panic, hang, or produce invalid
// UTF-8, and offsets must frame their text.
func FuzzTextPipeline(f *testing.F) {
	for _, s := range []string{"我拉肚子三天了", "孩子烧到38度5,没有咳嗽", "醫院掛號", "\xff\xfe", "", "😀😀", "一万二千零三个多月前", "不是没有好像", "ct mri hp"} {
		f.Add(s)
	}
	seg := NewSegmenter(SegmenterOptions{MinFreq: 1000})
	lex := testLexicon()
	f.Fuzz(func(t *testing.T, in string) {
		n := Normalize(in)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) is invalid UTF-8", in)
		}
		if Normalize(n) != n {
			t.Fatalf("Normalize is not idempotent on %q: %q -> %q", in, n, Normalize(n))
		}
		for _, w := range seg.Cut(n) {
			if !utf8.ValidString(w) {
				t.Fatalf("Cut produced invalid UTF-8 %q", w)
			}
		}
		for _, m := range lex.Find(n) {
			if n[m.Start:m.End] != m.Surface {
				t.Fatalf("mention offsets wrong: %+v", m)
			}
			_ = PolarityAt(n, m.Start)
		}
		for _, d := range FindDurations(n) {
			if n[d.Start:d.End] != d.Text || d.Days() < 0 {
				t.Fatalf("bad duration %+v", d)
			}
		}
		for _, tp := range FindTemperatures(n) {
			if tp.Celsius < 34 || tp.Celsius > 43 {
				t.Fatalf("temperature out of range %+v", tp)
			}
		}
		_ = HasWords(n)
		_ = Compact(n)
	})
}

func TestFindAllKeepsOverlaps(t *testing.T) {
	lex := NewLexicon([]corpus.Term{
		{Term: "月经", Type: "other"}, {Term: "腹痛", Type: "symptom", Aliases: []string{"期腹痛"}},
		{Term: "右下腹痛", Type: "symptom"}, {Term: "头发", Type: "body"}, {Term: "发热", Type: "symptom"},
	})
	got := func(text string) []string {
		var out []string
		for _, m := range lex.FindAll(text) {
			out = append(out, m.Term)
		}
		return out
	}
	for text, want := range map[string]string{
		"月经期腹痛": "月经 腹痛", "头发热": "头发 发热", "右下腹痛两天": "右下腹痛", "没什么": "",
	} {
		if g := strings.Join(got(text), " "); g != want {
			t.Errorf("FindAll(%q) = %q, want %q", text, g, want)
		}
	}
}

// TestNegatedList: a cue governs a whole list (a record's pertinent
// negatives), not only the words within its reach; a long clause after a
// list is not part of it.
func TestNegatedList(t *testing.T) {
	text := Normalize("无发热、咳痰、咽痛、流涕、喘息、气短、胸痛、盗汗、消瘦、反酸，伴咳嗽")
	for _, w := range []string{"发热", "喘息", "胸痛", "反酸"} {
		if p := PolarityAt(text, strings.Index(text, w)); p != Absent {
			t.Errorf("%s in a negated list: %v", w, p)
		}
	}
	if p := PolarityAt(text, strings.Index(text, "咳嗽")); p != Present {
		t.Errorf("咳嗽 after the list: %v", p)
	}
	long := Normalize("没有发烧、昨天晚上又开始一阵一阵地胸口疼")
	if p := PolarityAt(long, strings.Index(long, "胸口疼")); p != Present {
		t.Errorf("a long item is not in the list: %v", p)
	}
}

func TestClinicalDays(t *testing.T) {
	for _, c := range []struct {
		days float64
		more bool
		want string
	}{{3, false, "3天"}, {14, false, "2周"}, {10, false, "10天"}, {45, false, "1月余"}, {30, true, "1月余"},
		{730, false, "2年"}, {0.25, false, "6小时"}, {1.0 / 1440 * 10, false, "0.2小时"}} {
		if got := ClinicalDays(c.days, c.more); got != c.want {
			t.Errorf("ClinicalDays(%g, %v) = %q, want %q", c.days, c.more, got, c.want)
		}
	}
}
