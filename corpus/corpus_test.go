package corpus_test

import (
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/corpus"
)

func TestKnowledge(t *testing.T) {
	arts, err := corpus.Knowledge()
	if err != nil {
		t.Fatal(err)
	}
	h, err := corpus.DefaultHospital()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	cats := map[string]int{}
	for _, a := range arts {
		for _, q := range a.QA {
			n++
			cats[q.Category]++
			if len(q.Similar) < 2 {
				t.Errorf("%s has %d similar questions, want at least 2", q.ID, len(q.Similar))
			}
			if len(q.Tags) == 0 {
				t.Errorf("%s has no tags", q.ID)
			}
			if _, err := h.Fill(q.Answer, nil); err != nil {
				t.Errorf("%s: %v", q.ID, err)
			}
		}
	}
	if n < 400 {
		t.Errorf("%d QA pairs, want at least 400", n)
	}
	for _, c := range []string{"诊前", "诊中", "诊后", "医保", "检查", "用药", "住院", "疾病科普", "孕产", "儿科"} {
		if cats[c] == 0 {
			t.Errorf("no pairs in category %s", c)
		}
	}
}

func TestValidateKnowledge(t *testing.T) {
	good := corpus.QA{ID: "a-01", Question: "问？", Answer: "答。", Category: "诊前"}
	tests := []struct {
		name string
		arts []corpus.Article
		want string
	}{
		{"ErrBadArticleID", []corpus.Article{{ID: "A B", Title: "t", QA: []corpus.QA{good}}}, "lowercase"},
		{"ErrDuplicateQA", []corpus.Article{{ID: "a", Title: "t", QA: []corpus.QA{good, good}}}, "twice"},
		{"ErrUnknownCategory", []corpus.Article{{ID: "a", Title: "t", QA: []corpus.QA{{ID: "a-02", Question: "q", Answer: "a", Category: "杂项"}}}}, "category"},
		{"ErrMissingAnswer", []corpus.Article{{ID: "a", Title: "t", QA: []corpus.QA{{ID: "a-03", Question: "q", Category: "诊前"}}}}, "lacks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := corpus.ValidateKnowledge(tt.arts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	t.Run("UnknownFieldRejected", func(t *testing.T) {
		_, err := corpus.ParseKnowledge("x.yaml", []byte("articles:\n  - id: a\n    title: t\n    qa:\n      - id: a-01\n        questoin: typo\n"))
		if err == nil {
			t.Fatal("a misspelt field was accepted")
		}
	})
}

func TestLexicon(t *testing.T) {
	terms, err := corpus.Lexicon()
	if err != nil {
		t.Fatal(err)
	}
	if len(terms) < 300 {
		t.Fatalf("%d lexicon entries, want at least 300", len(terms))
	}
	found := map[string]string{}
	for _, e := range terms {
		for _, a := range e.Aliases {
			found[a] = e.Term
		}
	}
	for alias, term := range map[string]string{"拉肚子": "腹泻", "发烧": "发热", "心口疼": "胸痛"} {
		if found[alias] != term {
			t.Errorf("%s maps to %q, want %q", alias, found[alias], term)
		}
	}
	t.Run("ErrAliasOfTwoTerms", func(t *testing.T) {
		_, err := corpus.ParseLexicon([]byte("entries:\n  - {term: 腹泻, type: symptom, aliases: [拉肚子]}\n  - {term: 腹痛, type: symptom, aliases: [拉肚子]}\n"))
		if err == nil {
			t.Fatal("an alias of two terms was accepted")
		}
	})
	t.Run("ErrUnknownType", func(t *testing.T) {
		_, err := corpus.ParseLexicon([]byte("entries:\n  - {term: 腹泻, type: feeling}\n"))
		if err == nil {
			t.Fatal("an unknown type was accepted")
		}
	})
}

func TestHospitalFill(t *testing.T) {
	h, err := corpus.DefaultHospital()
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.Fill("请到{{location.检验科}}，电话 {{ phone.main }}，{{x}}", map[string]string{"x": "谢谢"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "请到" + h.Locations["检验科"] + "，电话 " + h.Phone["main"] + "，谢谢"; got != want {
		t.Fatalf("Fill = %q, want %q", got, want)
	}
	if _, err := h.Fill("{{phone.nowhere}} {{links.none}}", nil); err == nil || !strings.Contains(err.Error(), "links.none, phone.nowhere") {
		t.Fatalf("unknown placeholders: err = %v", err)
	}
	t.Run("ErrNoName", func(t *testing.T) {
		if _, err := corpus.ParseHospital([]byte("emergency: {location: 一楼}\n")); err == nil {
			t.Fatal("a profile without a name was accepted")
		}
	})
	t.Run("ErrNoEmergency", func(t *testing.T) {
		if _, err := corpus.ParseHospital([]byte("hospital: {name: 医院}\n")); err == nil {
			t.Fatal("a profile without an emergency location was accepted")
		}
	})
}

func TestReplies(t *testing.T) {
	r, err := corpus.LoadReplies()
	if err != nil {
		t.Fatal(err)
	}
	h, _ := corpus.DefaultHospital()
	for _, key := range []string{"greeting", "faq.decline", "faq.suggest", "input.empty", "input.too_long", "handoff", "widget.title"} {
		if r.Pick(key, 0) == "" {
			t.Errorf("reply %q is missing", key)
		}
	}
	for k, vs := range r {
		for _, v := range vs {
			if _, err := h.Fill(v, corpus.ReplyVars); err != nil {
				t.Errorf("reply %q: %v", k, err)
			}
		}
	}
	if r.Pick("nothing", 3) != "" {
		t.Error("a missing key gave text")
	}
	if v := r["greeting"]; len(v) > 1 && r.Pick("greeting", 1) != v[1] {
		t.Error("Pick does not select variants")
	}
}

func TestVersionIsStable(t *testing.T) {
	if a, b := corpus.Version(), corpus.Version(); a != b || len(a) != 16 {
		t.Fatalf("Version = %q then %q", a, b)
	}
}

// The triage files extend core terms with aliases that only triage reads.
func TestLexiconExtensions(t *testing.T) {
	all, err := corpus.Lexicon()
	if err != nil {
		t.Fatal(err)
	}
	core, err := corpus.CoreLexicon()
	if err != nil {
		t.Fatal(err)
	}
	aliases := func(ts []corpus.Term, term string) map[string]bool {
		out := map[string]bool{}
		n := 0
		for _, e := range ts {
			if e.Term == term {
				n++
				for _, a := range e.Aliases {
					out[a] = true
				}
			}
		}
		if n != 1 {
			t.Errorf("%s listed %d times", term, n)
		}
		return out
	}
	if a := aliases(all, "瘙痒"); !a["痒"] || !a["皮肤痒"] {
		t.Errorf("the whole lexicon should join core and extension aliases: %v", a)
	}
	if a := aliases(core, "瘙痒"); a["痒"] || !a["皮肤痒"] {
		t.Errorf("the core lexicon should hold core aliases only: %v", a)
	}
	if len(all) <= len(core) {
		t.Errorf("%d terms in all, %d in core", len(all), len(core))
	}
}
