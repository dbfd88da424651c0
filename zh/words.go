package zh

import (
	"sort"
	"strings"
)

// stopWords are function words and politeness formulas that carry no topic:
// they are dropped from index terms and from word overlap.
var stopWords = toSet(strings.Fields(`
的 了 吗 呢 啊 吧 呀 哦 哈 嘛 呗 么 哇 啦 喔 噢 嗯 额 呃
我 你 您 他 她 它 我们 你们 他们 咱 咱们 自己 人家 俺
是 在 有 和 与 及 或 或者 跟 同 把 被 给 让 对 向 从 到 于 以 就 都 也 还 又 再 才 很 太 挺 比较 非常 特别
这 那 这个 那个 这些 那些 这样 那样 这么 那么 此 其 该
一下 一些 一点 有点 有些 一个 个 些 点 下 上 里 中 内 等 等等
请问 请 问 想问 想 麻烦 谢谢 你好 您好 医生 大夫 护士 老师 亲 各位 打扰 一下子
能 会 可 要 得 着 过 地 之 所 而 则 呢 嘛
`))

func toSet(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// IsStopWord reports whether w carries no topic of its own.
func IsStopWord(w string) bool { return stopWords[w] }

// questionCues map a question type to the phrases that signal it. A
// message may have several types (能不能 … 多少钱).
var questionCues = map[string][]string{
	"where":    {"在哪", "哪里", "哪儿", "哪边", "几楼", "几层", "位置", "怎么走", "在什么地方", "地址", "哪个楼", "哪栋"},
	"when":     {"什么时候", "几点", "何时", "哪天", "几号", "时间", "多会儿", "啥时候", "多久能", "多久出", "多长时间出", "几天出", "上班", "开门"},
	"duration": {"多久", "多长时间", "几天", "多少天", "几个小时", "多长"},
	"how":      {"怎么", "如何", "怎样", "咋", "流程", "步骤", "办理", "方法", "方式", "途径", "手续", "操作"},
	"cost":     {"多少钱", "费用", "价格", "收费", "贵不贵", "花多少", "自费", "报销比例", "能报多少"},
	"can":      {"能不能", "可不可以", "可以吗", "能否", "是否可以", "行不行", "可以不", "能吗", "行吗", "允许", "让不让"},
	"need":     {"要不要", "需不需要", "需要", "用不用", "必须", "得不得", "一定要", "是否要"},
	"why":      {"为什么", "为啥", "什么原因", "怎么回事", "原因", "咋回事", "怎么会"},
	"what":     {"是什么", "什么是", "啥是", "是啥", "什么意思", "指什么", "哪些", "有什么", "有哪些", "包括"},
	"whatif":   {"怎么办", "咋办", "如何处理", "怎么处理", "该怎么", "应该怎么", "要紧吗", "严重吗", "有事吗"},
	"which":    {"哪个科", "什么科", "挂哪", "哪个医生", "看哪", "哪一科"},
	"effect":   {"有什么影响", "副作用", "危害", "有害", "伤身", "会不会", "有没有影响", "好处", "作用"},
	// What a medical question is about: patients ask the same disease
	// many things, and two questions about one disease with different
	// concerns are different questions.
	"symptom":   {"症状", "表现", "征兆", "前兆", "什么感觉", "有哪些反应"},
	"cause":     {"原因", "引起", "导致", "为什么会", "怎么得的", "诱因", "是怎么回事"},
	"treat":     {"治疗", "怎么治", "如何治", "治好", "治愈", "根治", "能治", "治得好", "痊愈", "好得了"},
	"diet":      {"吃什么", "能吃", "可以吃", "饮食", "忌口", "食物", "不能吃", "喝什么", "能喝", "可以喝"},
	"medicine":  {"吃什么药", "用什么药", "哪种药", "药物", "用药", "服药", "吃药"},
	"transmit":  {"传染", "传播", "会传给", "接触"},
	"heredity":  {"遗传"},
	"prevent":   {"预防", "避免", "防止"},
	"diagnose":  {"是不是得了", "是不是", "怎么确诊", "诊断", "怎么判断", "是否患"},
	"check":     {"检查", "化验", "查什么", "需要查", "筛查"},
	"pregnancy": {"怀孕", "备孕", "孕妇", "生孩子", "哺乳", "喂奶"},
	"serious":   {"严重吗", "要紧吗", "危险吗", "会死", "寿命", "能活", "恶化"},
}

// QuestionTypes returns the question types signalled in normalised text,
// sorted by name.
func QuestionTypes(text string) []string {
	var out []string
	for _, typ := range questionTypeOrder {
		for _, cue := range questionCues[typ] {
			if strings.Contains(text, cue) {
				out = append(out, typ)
				break
			}
		}
	}
	return out
}

var questionTypeOrder = func() []string {
	var ts []string
	for t := range questionCues {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}()

// questionMarkers signal that a clause asks something.
var questionMarkers = []string{"吗", "嘛", "呢", "?", "怎么", "咋", "什么", "啥", "哪", "几", "多少", "多久", "多长",
	"能不能", "可不可以", "是不是", "要不要", "会不会", "有没有", "行不行", "用不用", "是否", "能否", "如何", "为何", "为什么", "可以不", "行不"}

// IsQuestion reports whether a clause asks something.
func IsQuestion(clause string) bool {
	for _, m := range questionMarkers {
		if strings.Contains(clause, m) {
			return true
		}
	}
	return false
}

// QuestionClause returns the clause of normalised text that carries the
// question: the last clause that asks something, else the last clause.
// Patients tell a story first and ask last ("我爸上周…，现在还能报销吗").
// ok is false when the text is a single clause (the whole text is the
// question).
func QuestionClause(text string) (clause string, ok bool) {
	clauses := strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",.?!;:~ \n", r) })
	if len(clauses) <= 1 {
		return "", false
	}
	for i := len(clauses) - 1; i >= 0; i-- {
		if IsQuestion(clauses[i]) {
			return clauses[i], true
		}
	}
	return clauses[len(clauses)-1], true
}
