package knowledge_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/knowledge/bleve"
)

// testPairs is a small knowledge base written for these tests.
var testPairs = []knowledge.QAPair{
	{ID: "diarrhea-01", Question: "腹泻了饮食上要注意什么？", Similar: []string{"拉肚子能吃什么", "腹泻 饮食", "闹肚子了还能喝牛奶吗"},
		Answer: "腹泻期间宜吃清淡易消化的食物，如米粥、面条，少量多餐，注意补充水分，暂时少喝牛奶、少吃油腻。", ArticleTitle: "腹泻", Tags: []string{"腹泻", "饮食"}},
	{ID: "fasting-01", Question: "抽血前需要空腹吗？", Similar: []string{"验血要不要饿肚子", "抽血 空腹多久", "明早抽血今晚能吃饭吗"},
		Answer: "部分化验需要空腹8小时以上，前一晚清淡饮食，可以少量喝白开水。抽血地点：{{location.检验科}}。", ArticleTitle: "抽血", Tags: []string{"空腹", "抽血"}},
	{ID: "register-01", Question: "怎么预约挂号？", Similar: []string{"网上怎么挂号", "挂号 方式", "在哪里能约到专家号"},
		Answer: "您可以通过医院公众号、自助机或人工窗口预约挂号，号源每天早上放出。", ArticleTitle: "挂号", Tags: []string{"挂号", "预约"}},
	{ID: "refund-01", Question: "预约的号怎么退？", Similar: []string{"退号 流程", "挂了号去不了怎么办", "约的号不想要了能退钱吗"},
		Answer: "就诊前可在公众号“我的预约”里退号，费用原路退回；已经就诊的号不能退。", ArticleTitle: "挂号", Tags: []string{"退号"}},
	{ID: "gastroscopy-01", Question: "做胃镜前要禁食多久？", Similar: []string{"胃镜前一天晚上能吃饭吗", "胃镜 禁食", "明天做胃镜今晚能喝水吗"},
		Answer: "胃镜检查前一般禁食6至8小时，禁水2小时，前一天晚餐宜清淡。", ArticleTitle: "胃镜", Tags: []string{"胃镜", "禁食"}},
	{ID: "mri-01", Question: "哪些人不能做磁共振？", Similar: []string{"装了起搏器能做核磁吗", "核磁 禁忌", "体内有钢板能做磁共振吗"},
		Answer: "装有心脏起搏器、体内有金属植入物或怀孕的人，检查前请告诉医生和技师。", ArticleTitle: "磁共振", Tags: []string{"磁共振", "禁忌"}},
	{ID: "invoice-01", Question: "电子发票在哪里下载？", Similar: []string{"发票 怎么打印", "缴完费发票去哪拿", "看病的票据在哪看"},
		Answer: "缴费后可在公众号的“电子票据”里查看和下载电子发票，也可在自助机打印。", ArticleTitle: "发票", Tags: []string{"发票"}},
	{ID: "bp-01", Question: "降压药可以自己停吗？", Similar: []string{"血压正常了还要吃药吗", "降压药 停药", "高血压要一直吃药吗"},
		Answer: "请不要自行停药。血压正常多是药物在起作用，是否减药由医生根据血压记录决定。", ArticleTitle: "高血压", Tags: []string{"高血压", "停药"}},
}

func newRetriever(t *testing.T) *knowledge.Retriever {
	t.Helper()
	return newRetrieverWith(t, knowledge.Config{})
}

func newRetrieverWith(t *testing.T, cfg knowledge.Config) *knowledge.Retriever {
	t.Helper()
	an, err := knowledge.DefaultAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return knowledge.NewRetriever(cfg, an, idx)
}

func load(t *testing.T, r *knowledge.Retriever, qas []knowledge.QAPair, m *knowledge.Matcher) *knowledge.Matcher {
	t.Helper()
	m, err := r.Load(context.Background(), qas, m)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	r := newRetriever(t)
	load(t, r, testPairs, nil)
	t.Run("ExactQuestionAnswers", func(t *testing.T) {
		res, err := r.Search(ctx, "抽血前需要空腹吗")
		if err != nil {
			t.Fatal(err)
		}
		if res.Decision != knowledge.Answer || res.Hits[0].QA.ID != "fasting-01" || res.Confidence != 1 {
			t.Fatalf("got %s %s %.2f", res.Decision, res.Hits[0].QA.ID, res.Confidence)
		}
	})
	t.Run("ColloquialSynonym", func(t *testing.T) {
		// 拉稀 is a lexicon alias of 腹泻, a word no stored question uses.
		res, err := r.Search(ctx, "这两天拉稀，吃东西要注意啥")
		if err != nil {
			t.Fatal(err)
		}
		if res.Hits[0].QA.ID != "diarrhea-01" {
			t.Fatalf("top hit %s", res.Hits[0].QA.ID)
		}
	})
	t.Run("RanksAllPairs", func(t *testing.T) {
		for _, q := range []string{"明天早上做胃镜，今天晚饭还能吃吗", "约好的号去不了了，钱能退吗", "起搏器病人可以做核磁共振吗"} {
			res, _ := r.Search(ctx, q)
			if len(res.Hits) == 0 {
				t.Fatalf("%q: no hits", q)
			}
			seen := map[string]bool{}
			for _, h := range res.Hits {
				if seen[h.QA.ID] {
					t.Fatalf("%q: pair %s listed twice", q, h.QA.ID)
				}
				seen[h.QA.ID] = true
			}
		}
	})
	t.Run("EmptyDeclines", func(t *testing.T) {
		for _, q := range []string{"", "？？！！", "   "} {
			res, err := r.Search(ctx, q)
			if err != nil || res.Decision != knowledge.Decline || len(res.Hits) != 0 {
				t.Fatalf("%q: %+v %v", q, res, err)
			}
		}
	})
	t.Run("Cached", func(t *testing.T) {
		a, _ := r.Search(ctx, "发票在哪里下载")
		b, _ := r.Search(ctx, "发票在哪里下载？")
		if a != b {
			t.Fatal("the same normalised question was not served from the cache")
		}
	})
	t.Run("SimilarityOrders", func(t *testing.T) {
		same, err := r.Similarity("胃镜前要饿多久", "做胃镜前要禁食多久")
		if err != nil {
			t.Fatal(err)
		}
		other, _ := r.Similarity("胃镜前要饿多久", "电子发票在哪里下载")
		if same <= other {
			t.Fatalf("Similarity: paraphrase %.3f <= unrelated %.3f", same, other)
		}
	})
}

func TestSearchBeforeLoad(t *testing.T) {
	r := newRetriever(t)
	_, err := r.Search(context.Background(), "挂号")
	if daoyi.KindOf(err) != daoyi.Unavailable {
		t.Fatalf("err = %v, want unavailable", err)
	}
}

// TestTrainingIsReproducible: the same knowledge gives the same model,
// byte for byte, whatever the index's internal order.
func TestTrainingIsReproducible(t *testing.T) {
	m1 := load(t, newRetriever(t), testPairs, nil)
	rev := append([]knowledge.QAPair(nil), testPairs...)
	sort.Slice(rev, func(i, j int) bool { return rev[i].ID > rev[j].ID })
	m2 := load(t, newRetriever(t), rev, nil)
	b1, _ := knowledge.MarshalMatcher(m1)
	b2, _ := knowledge.MarshalMatcher(m2)
	if !bytes.Equal(b1, b2) {
		t.Fatal("two trainings on the same knowledge differ")
	}
	if m1.Stats.Queries == 0 || m1.Stats.Positives == 0 {
		t.Fatalf("training stats = %+v", m1.Stats)
	}
	if _, err := knowledge.UnmarshalMatcher([]byte(`{"version":"x"}`)); err == nil {
		t.Fatal("an incomplete stored model was accepted")
	}
}

func TestStaleModelAndRetrain(t *testing.T) {
	ctx := context.Background()
	r := newRetriever(t)
	m := load(t, r, testPairs, nil)
	more := append(append([]knowledge.QAPair(nil), testPairs...), knowledge.QAPair{ID: "parking-01", Question: "医院停车怎么收费？",
		Similar: []string{"停车费多少", "开车来停哪"}, Answer: "院内停车场按小时收费，详见停车页面。", ArticleTitle: "停车"})
	got := load(t, r, more, m)
	if got != m {
		t.Fatal("Load trained a new model although a compatible one was given")
	}
	if !r.Stale() {
		t.Fatal("a model trained on other knowledge is not reported stale")
	}
	res, _ := r.Search(ctx, "停车费多少")
	if res.Hits[0].QA.ID != "parking-01" {
		t.Fatalf("the new pair is not found with the old model: %s", res.Hits[0].QA.ID)
	}
	if _, err := r.Retrain(ctx); err != nil {
		t.Fatal(err)
	}
	if r.Stale() || r.Model().Version != r.Version() {
		t.Fatal("Retrain did not bring the model up to date")
	}
}

func TestEntriesAndAnswerText(t *testing.T) {
	es := knowledge.Entries(testPairs[:1])
	if len(es) != 5 || es[0].ID != "diarrhea-01#0" || es[3].ID != "diarrhea-01#3" || !es[4].Answer || es[4].ID != "diarrhea-01#a" {
		t.Fatalf("Entries = %+v", es)
	}
	if got := knowledge.AnswerText("请到{{location.检验科}}，或看{{links.report}}。"); got != "请到检验科，或看。" {
		t.Fatalf("AnswerText = %q", got)
	}
	if knowledge.Version(testPairs) == knowledge.Version(testPairs[1:]) {
		t.Fatal("Version ignores a removed pair")
	}
}

// TestMemVectorsMatchesBruteForce compares the index with sorting every
// score.
func TestMemVectorsMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const dim, n = 64, 300
	m := knowledge.NewMemVectors(dim)
	ids := make([]string, n)
	vecs := make([][]float32, n)
	sparse := make([]knowledge.SparseVec, n)
	for i := range vecs {
		ids[i] = string(rune('a'+i%26)) + string(rune('0'+i/26))
		vecs[i] = make([]float32, dim)
		for d := 0; d < 8; d++ {
			vecs[i][rng.IntN(dim)] = rng.Float32()
		}
		for d, x := range vecs[i] {
			if x != 0 {
				sparse[i].Idx = append(sparse[i].Idx, int32(d))
				sparse[i].Val = append(sparse[i].Val, x)
			}
		}
	}
	m.Reset(ids, sparse)
	q := knowledge.SparseVec{Idx: []int32{1, 5, 9, 33}, Val: []float32{0.5, 0.5, 0.5, 0.5}}
	got := m.Search(q, 10, nil)
	type sc struct {
		id string
		s  float32
	}
	var all []sc
	for i, v := range vecs {
		var s float32
		for j, d := range q.Idx {
			s += q.Val[j] * v[d]
		}
		if s > 0 {
			all = append(all, sc{ids[i], s})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].s != all[j].s {
			return all[i].s > all[j].s
		}
		return all[i].id < all[j].id
	})
	for i := range got {
		if got[i].ID != all[i].id {
			t.Fatalf("rank %d: %s, want %s", i, got[i].ID, all[i].id)
		}
	}
	skipped := m.Search(q, 10, func(id string) bool { return id == all[0].id })
	if skipped[0].ID == all[0].id {
		t.Fatal("skip was ignored")
	}
}

// FuzzAnalyze runs any text through the analysis every question takes.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"我拉肚子三天了，没有发烧", "ＣＴ和ＭＲＩ", "\xff\xfe", "", "😀", "不是没有好像可能", "挂号。。。？？？！！！"} {
		f.Add(s)
	}
	an, err := knowledge.DefaultAnalyzer()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := an.Analyze(s)
		if a.Empty() != (len(a.Chars) == 0) {
			t.Fatal("Empty disagrees with Chars")
		}
		_ = an.IndexTokens(s)
	})
}
