package zh

// Extractors for a pre-consultation interview: pain and symptom severity,
// how often something happens, which side of the body, medicine doses,
// when something started, and who the writer speaks for. They are pure
// functions over normalised text (see Normalize) and return byte offsets
// into the text they are given.
//
// Ranges ("三四次", "七八分", "1-2片") keep both ends: the Min field has the
// lower figure, and the main figure (Count, Score, Amount) the upper, so
// that a threshold ("at least 3 stools a day", "pain 7 or more") errs
// towards attention rather than away from it.

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ---------------------------------------------------------------------------
// Shared helpers

// clWord is one entry of a phrase table: the phrase and its value.
type clWord[V any] struct {
	w string
	v V
}

// clTable finds the longest phrase at a position: a trie over runes, kept
// as one map of edges so that a position that starts no phrase costs one
// lookup.
type clTable[V any] struct {
	next map[clEdge]int32
	val  []V
	has  []bool
}

type clEdge struct {
	node int32
	r    rune
}

func newClTable[V any](words []clWord[V]) *clTable[V] {
	t := &clTable[V]{next: make(map[clEdge]int32), val: make([]V, 1), has: make([]bool, 1)}
	for _, w := range words {
		node := int32(0)
		for _, r := range w.w {
			child, ok := t.next[clEdge{node, r}]
			if !ok {
				child = int32(len(t.val))
				t.val = append(t.val, *new(V))
				t.has = append(t.has, false)
				t.next[clEdge{node, r}] = child
			}
			node = child
		}
		t.val[node], t.has[node] = w.v, true // a later entry overrides

	}
	return t
}

// at returns the longest phrase starting at text[i:].
func (t *clTable[V]) at(text string, i int) (clWord[V], bool) {
	node, best, end := int32(0), int32(-1), -1
	for j := i; j < len(text); {
		r, size := utf8.DecodeRuneInString(text[j:])
		child, ok := t.next[clEdge{node, r}]
		if !ok {
			break
		}
		node = child
		j += size
		if t.has[node] {
			best, end = node, j
		}
	}
	if best < 0 {
		return clWord[V]{}, false
	}
	return clWord[V]{text[i:end], t.val[best]}, true
}

// clSpan is a byte range already taken by a match.
type clSpan struct{ s, e int }

func clTaken(spans []clSpan, s, e int) bool {
	for _, sp := range spans {
		if s < sp.e && sp.s < e {
			return true
		}
	}
	return false
}

// clClauses splits text at clause punctuation (a full stop between digits
// is a decimal point and does not split). No extractor's pattern spans
// one, so patterns run clause by clause, and only on clauses holding one
// of the characters a pattern needs: a 200-character message costs a few
// short searches instead of many searches of the whole text.
func clClauses(text string) []clSpan {
	var out []clSpan
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		split := c == ',' || c == ';' || c == '!' || c == '?' || c == '\n'
		if c == '.' && !(i > 0 && clIsDigit(rune(text[i-1])) && i+1 < len(text) && clIsDigit(rune(text[i+1]))) {
			split = true
		}
		if split {
			if i > start {
				out = append(out, clSpan{start, i})
			}
			start = i + 1
		}
	}
	if start < len(text) {
		out = append(out, clSpan{start, len(text)})
	}
	return out
}

// clFindAll is re.FindAllStringSubmatchIndex(text, -1) run clause by
// clause over the clauses that contain one of anchors.
func clFindAll(re *regexp.Regexp, text string, clauses []clSpan, anchors string) [][]int {
	var out [][]int
	for _, c := range clauses {
		part := text[c.s:c.e]
		if !strings.ContainsAny(part, anchors) {
			continue
		}
		for _, m := range re.FindAllStringSubmatchIndex(part, -1) {
			for k := range m {
				if m[k] >= 0 {
					m[k] += c.s
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// clNumRunes are the characters a number can end with.
const clNumRunes = "0123456789零〇一二两俩三四五六七八九十百千几半来多"

// clFindAllNum is clFindAll over the clauses where one of anchors follows a
// number (三次, 5ml, 7分): the unit of a count, a dose or a score.
func clFindAllNum(re *regexp.Regexp, text string, clauses []clSpan, anchors string) [][]int {
	var keep []clSpan
	for _, c := range clauses {
		part := text[c.s:c.e]
		for i, r := range part {
			if !strings.ContainsRune(anchors, r) {
				continue
			}
			prev := strings.TrimRight(part[:i], " ")
			if p, _ := utf8.DecodeLastRuneInString(prev); strings.ContainsRune(clNumRunes, p) {
				keep = append(keep, c)
				break
			}
		}
	}
	return clFindAll(re, text, keep, anchors)
}

// clRuneBefore returns the rune that ends text[:i].
func clRuneBefore(text string, i int) rune {
	if i <= 0 {
		return utf8.RuneError
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return r
}

// clRuneAt returns the rune that starts text[i:].
func clRuneAt(text string, i int) rune {
	if i >= len(text) {
		return utf8.RuneError
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return r
}

// clHasPrefix reports whether s starts with one of ws.
func clHasPrefix(s string, ws ...string) bool {
	for _, w := range ws {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// clHasSuffix reports whether s ends with one of ws.
func clHasSuffix(s string, ws ...string) bool {
	for _, w := range ws {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}

// clClauseBefore returns at most n runes before byte offset i, stopping at
// clause punctuation.
func clClauseBefore(text string, i, n int) string {
	j := i
	for k := 0; j > 0 && k < n; k++ {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		if strings.ContainsRune(",.;!?:\n", r) {
			break
		}
		j -= size
	}
	return text[j:i]
}

func clIsDigit(r rune) bool { return r >= '0' && r <= '9' }

func clIsLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// cnNumberRunes are the characters of a Chinese numeral.
const cnNumberRunes = "零〇一二两俩三四五六七八九十百千万几"

func clIsCnNumber(r rune) bool { return strings.ContainsRune(cnNumberRunes, r) }

// numRange is the pattern of a number or a range of numbers: 3, 2.5, 3-4,
// 3~4, 3到4, 三, 十五, 三四, 七八, 十几, 好几, 两到三, 半.
const numRange = `[0-9]+(?:\.[0-9]+)?(?:\s*(?:-|~|到|至)\s*[0-9]+(?:\.[0-9]+)?)?` +
	`|[一二两三四五六七八九十]+(?:到|至)[一二两三四五六七八九十]+` +
	`|[零〇一二两俩三四五六七八九十百几]+(?:点[零一二三四五六七八九]+|来)?|好几|好多|很多|半`

var arabicRangeRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*(?:-|~|到|至)\s*([0-9]+(?:\.[0-9]+)?)$`)

// clParseRange reads a number or a range of numbers written as numRange
// matches. Ranges return lo < hi; 几 and 好几 (an unknown few) count as 3,
// as Duration.Days does, and 十几 as 11 to 19, with vague set.
func clParseRange(s string) (lo, hi float64, vague, ok bool) {
	if s == "" {
		return 0, 0, false, false
	}
	if m := arabicRangeRe.FindStringSubmatch(s); m != nil {
		a, _ := strconv.ParseFloat(m[1], 64)
		b, _ := strconv.ParseFloat(m[2], 64)
		if a > b {
			a, b = b, a
		}
		return a, b, false, true
	}
	for _, sep := range []string{"到", "至"} {
		if a, b, found := strings.Cut(s, sep); found {
			x, ok1 := ParseNumber(a)
			y, ok2 := ParseNumber(b)
			if !ok1 || !ok2 {
				return 0, 0, false, false
			}
			if x > y {
				x, y = y, x
			}
			return x, y, false, true
		}
	}
	switch s {
	case "几", "好几", "数", "好多", "很多":
		return 3, 3, true, true
	}
	if x, ok := strings.CutSuffix(s, "来"); ok { // 十来次: about ten
		v, ok := ParseNumber(x)
		if !ok || strings.ContainsRune(x, '几') {
			return 0, 0, false, false
		}
		return v, v, true, true
	}
	if strings.HasSuffix(s, "几") { // 十几, 二十几
		base, ok := ParseNumber(strings.TrimSuffix(s, "几"))
		if !ok || base < 10 {
			return 0, 0, false, false
		}
		return base + 1, base + 9, true, true
	}
	if strings.ContainsRune(s, '几') {
		return 0, 0, false, false
	}
	rs := []rune(s)
	// Two adjacent digits are a range: 三四, 七八, 一两, 十七八, 三四十.
	for i := 0; i+1 < len(rs); i++ {
		a, okA := digitValue[rs[i]]
		b, okB := digitValue[rs[i+1]]
		if !okA || !okB || a == 0 || b != a+1 {
			continue
		}
		prefix, suffix := string(rs[:i]), string(rs[i+2:])
		switch {
		case prefix == "" && suffix == "":
			return float64(a), float64(b), false, true
		case prefix == "" && len([]rune(suffix)) == 1:
			u, ok := unitValue[rs[i+2]]
			if !ok {
				return 0, 0, false, false
			}
			return float64(a * u), float64(b * u), false, true
		case suffix == "":
			p, ok := ParseNumber(prefix)
			if !ok || !strings.HasSuffix(prefix, "十") {
				return 0, 0, false, false
			}
			return p + float64(a), p + float64(b), false, true
		}
		return 0, 0, false, false
	}
	v, ok := ParseNumber(s)
	if !ok {
		return 0, 0, false, false
	}
	return v, v, false, true
}

// ---------------------------------------------------------------------------
// Severity

// Severity is how bad a symptom is, as a score or in words.
type Severity struct {
	Text  string
	Score float64 // 0–10 (the upper figure of a range); -1 when only words
	Min   float64 // the lower figure of a range (七八分: 7); Score otherwise, -1 for words
	Level string  // "mild", "moderate", "severe", or "" (a score of 0)
	Start int
	End   int
}

// Severity levels.
const (
	LevelMild     = "mild"
	LevelModerate = "moderate"
	LevelSevere   = "severe"
)

// scoreLevel maps a 0–10 score to a level: 1–3 mild, 4–6 moderate,
// 7–10 severe (the usual numeric rating scale bands).
func scoreLevel(v float64) string {
	switch {
	case v <= 0:
		return ""
	case v < 4:
		return LevelMild
	case v < 7:
		return LevelModerate
	}
	return LevelSevere
}

// sevNone marks phrases that are read and consumed but say nothing about
// severity (不疼, 一点都不疼), so their parts are not read as words.
const sevNone = "-"

var (
	// A scale named before the score: 满分10分, 十分的话, 1到10分, 百分制.
	sevScaleRe = regexp.MustCompile(`(?:满分|总分|总共|最高)\s*(10|十|100|一百|5|五)\s*分(?:的话|制|里面|里)?` +
		`|(10|十|100|一百|5|五)\s*分(?:的话|制|满分|为满分|里面|里|中)` +
		`|(?:[01]|零|一)\s*(?:-|~|到|至)\s*(10|十)\s*(?:分)?(?:的话|制|里面|里|中|之间)?`)
	sevScoreRe = regexp.MustCompile(`(` + numRange + `)\s*分`)
	// 6/10, 8/10.
	sevSlashRe = regexp.MustCompile(`([0-9](?:\.[0-9])?|10)\s*/\s*10`)
	// A score after 评分 without 分: 疼痛评分7, 评分是6.
	sevBareRe = regexp.MustCompile(`评分\s*(?:是|为|有|大概|约)?\s*([0-9](?:\.[0-9])?|10)`)
)

// sevWords maps phrases to a level. It is built from intensifiers and
// complaint words (很疼, 比较难受, 不太疼), plus words that stand alone.
var sevWords = func() *clTable[string] {
	complaints := []string{"疼", "痛", "难受", "不舒服", "胀", "痒", "酸", "晕", "闷", "憋", "麻", "恶心", "厉害", "严重", "重", "烫", "咳"}
	severeInt := []string{"很", "非常", "特别", "十分", "太", "好", "超", "超级", "巨", "相当", "极", "极其", "格外", "真", "贼"}
	moderateInt := []string{"比较", "挺", "蛮", "还挺", "较", "还蛮", "有些", "明显"}
	mildInt := []string{"有点", "有点儿", "有一点", "有一点点", "稍微", "稍稍", "稍", "微微", "略", "略微", "轻微", "一点点", "隐隐"}
	// Negated intensifiers soften: 不是很疼, 不太疼, 没那么难受.
	softNeg := []string{"不太", "不大", "不怎么", "没那么", "没有那么", "不算太", "不算", "不是太", "没多"}
	var ws []clWord[string]
	add := func(level string, words ...string) {
		for _, w := range words {
			ws = append(ws, clWord[string]{w, level})
		}
	}
	for _, c := range complaints {
		for _, i := range severeInt {
			add(LevelSevere, i+c)
			add(LevelMild, "不是"+i+c, "没有"+i+c, "没"+i+c, "不算"+i+c, "也不是"+i+c)
		}
		for _, i := range moderateInt {
			add(LevelModerate, i+c)
			add(LevelMild, "不是"+i+c, "不算"+i+c)
		}
		for _, i := range mildInt {
			add(LevelMild, i+c)
		}
		for _, n := range softNeg {
			add(LevelMild, n+c)
		}
		add(sevNone, "不"+c, "没"+c, "没有"+c, "一点都不"+c, "一点也不"+c, "一点儿都不"+c)
		for _, r := range []string{"受不了", "睡不着", "厉害", "要命", "要死", "不行", "直哭", "打滚", "直冒汗", "满头大汗", "直不起腰", "哭", "不能动", "动不了", "走不了路", "睡不了", "吃不下", "喘不上气", "醒"} {
			if r != c {
				add(LevelSevere, c+"得"+r, c+"的"+r) // 疼得受不了 (的 is a common typo)
			}
		}
		add(LevelSevere, c+"死了", c+"死", c+"得很", c+"醒", c+"得要命")
	}
	add(LevelMild, "轻微", "轻度", "隐隐", "隐痛", "有点", "有一点", "一点点", "能忍", "忍得住", "可以忍受", "能忍受",
		"忍得了", "不严重", "不太严重", "不是很严重", "微痛", "不太舒服", "还可以忍")
	add(LevelModerate, "中等", "中度", "较重", "比较重", "有些严重")
	add(LevelSevere, "剧烈", "剧痛", "重度", "严重", "受不了", "难以忍受", "忍不了", "忍不住", "无法忍受", "不能忍受", "忍受不了",
		"要命", "要死", "撕心裂肺", "刀割", "刀绞", "针扎", "打滚", "痛不欲生", "生不如死", "十分难受", "特别严重", "非常严重", "很严重")
	add(sevNone, "一点都不", "一点也不", "一点儿", "有点事", "有点儿事", "一点半", "有点想", "有点担心", "有点怕", "有点急", "有点慌",
		"严重吗", "严不严重", "严重不", "是不是很严重", "会不会很严重", "会不会严重", "很严重吗", "严重么", "要紧吗")
	// Words that start like a complaint but are not one: 很重要, 太麻烦.
	for _, i := range append(append(append([]string{""}, severeInt...), moderateInt...), mildInt...) {
		add(sevNone, i+"重要", i+"麻烦", i+"重视", i+"酸奶", i+"闷热", i+"麻将")
	}
	return newClTable(ws)
}()

// sevScoreVerbs are words before a score that make 十分 a score of ten:
// 打十分, 有十分, 疼到十分.
var sevScoreVerbs = []string{"打", "给", "评", "有", "到", "是", "算", "能"}

// FindSeverity returns severities in normalised text, in order: numeric
// scores (7分, 疼痛有八分, 十分的话有6分, 6/10, 打8分, 七八分) and words
// (轻微, 有点, 隐隐 → mild; 比较疼, 挺疼, 中等 → moderate; 很疼, 剧烈,
// 疼得受不了, 疼得睡不着, 难以忍受, 要命 → severe). 3分钟 and 三分之一 are not
// scores, and 十分 is a score only after 打/给/有… and before a pause
// (打十分); elsewhere 十分 means "very" (十分难受 → severe). A scale named
// first (满分100分, 百分制) rescales the scores after it to 0–10.
func FindSeverity(text string) []Severity {
	clauses := clClauses(text)
	var out []Severity
	var taken []clSpan
	type scale struct {
		end int
		max float64
	}
	var scales []scale
	for _, m := range clFindAllNum(sevScaleRe, text, clauses, "分0") {
		max := 10.0
		for g := 1; g <= 3; g++ {
			if m[2*g] >= 0 {
				max, _ = ParseNumber(text[m[2*g]:m[2*g+1]])
			}
		}
		// 七到十分 is not a scale but 一到十分 is: the regexp only
		// admits 0 or 1 before the 10.
		scales = append(scales, scale{m[1], max})
		taken = append(taken, clSpan{m[0], m[1]})
	}
	maxAt := func(i int) float64 {
		max := 10.0
		for _, s := range scales {
			if s.end <= i {
				max = s.max
			}
		}
		return max
	}
	addScore := func(s, e int, lo, hi float64) {
		max := maxAt(s)
		lo, hi = lo*10/max, hi*10/max
		if hi > 10 || lo < 0 {
			return
		}
		out = append(out, Severity{Text: text[s:e], Score: hi, Min: lo, Level: scoreLevel(hi), Start: s, End: e})
		taken = append(taken, clSpan{s, e})
	}
	for _, m := range clFindAllNum(sevScoreRe, text, clauses, "分") {
		s, e := m[2], m[1]
		num := text[m[2]:m[3]]
		if clTaken(taken, m[0], m[1]) {
			continue
		}
		after := text[e:]
		if clHasPrefix(after, "钟", "之", "钱", "贝", "米", "厘", "量", "泌", "开", "居", "析", "别", "娩", "手", "数", "期", "类", "级", "子", "辨", "散", "布", "秒", "半钟", "饱", "熟", "裤", "之一") {
			continue // 3分钟, 三分之一, 5分贝, 分泌, 分开 …
		}
		prev := clRuneBefore(text, s)
		if clIsDigit(prev) || prev == '.' || prev == '第' || prev == '百' || prev == '/' || prev == '点' || prev == ':' {
			continue // 8点10分 is a clock time
		}
		if num == "十" {
			// 十分 is "very" unless a verb sets it up as a score and
			// nothing follows that it could qualify (打十分, 有十分了).
			before := strings.TrimRight(text[:s], " ")
			r := clRuneAt(after, 0)
			if !clHasSuffix(before, sevScoreVerbs...) ||
				(IsHan(r) && !clHasPrefix(after, "了", "吧", "啊", "呢", "左右", "的样子", "那种")) {
				continue
			}
		}
		if strings.ContainsAny(num, "几半") {
			continue // 几分 (somewhat), 半分 are not scores
		}
		lo, hi, _, ok := clParseRange(num)
		if !ok {
			continue
		}
		addScore(s, e, lo, hi)
	}
	for _, m := range clFindAll(sevSlashRe, text, clauses, "/") {
		if clTaken(taken, m[0], m[1]) {
			continue
		}
		prev := clRuneBefore(text, m[0])
		next := clRuneAt(text, m[1])
		if clIsDigit(prev) || prev == '/' || prev == '.' || prev == '-' || clIsDigit(next) || strings.ContainsRune("号日月/.-", next) {
			continue // 2026/6/10, 6/10号: dates
		}
		v, _ := strconv.ParseFloat(text[m[2]:m[3]], 64)
		out = append(out, Severity{Text: text[m[0]:m[1]], Score: v, Min: v, Level: scoreLevel(v), Start: m[0], End: m[1]})
		taken = append(taken, clSpan{m[0], m[1]})
	}
	for _, m := range clFindAll(sevBareRe, text, clauses, "评") {
		if clTaken(taken, m[2], m[3]) || clIsDigit(clRuneAt(text, m[3])) || clRuneAt(text, m[3]) == '分' {
			continue
		}
		v, _ := strconv.ParseFloat(text[m[2]:m[3]], 64)
		addScore(m[2], m[3], v, v)
	}
	for i := 0; i < len(text); {
		w, ok := sevWords.at(text, i)
		if !ok || clTaken(taken, i, i+len(w.w)) {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			continue
		}
		if w.v != sevNone {
			out = append(out, Severity{Text: w.w, Score: -1, Min: -1, Level: w.v, Start: i, End: i + len(w.w)})
		}
		i += len(w.w)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// ---------------------------------------------------------------------------
// Frequency

// Frequency is how often something happens: a count in a period, or a
// pattern in words.
type Frequency struct {
	Text string
	// Count is how many times in Every Per units (the upper figure of a
	// range: 三四次 → 4); 0 for a pattern in words.
	Count float64
	Min   float64 // the lower figure of a range (三四次 → 3); Count otherwise
	Vague bool    // 好几次, 十几次: an unknown number (几 counts as 3)
	// Per is the period: "minute", "hour", "day", "night" (一晚上, 夜里),
	// "week", "month", "year", or "" when none is said (拉了五六次).
	Per string
	// Every is how many Per units the count is over: 2 for 每隔两小时吐一次
	// and 两三天一次 (the shorter figure of a range, so the rate errs high);
	// 1 for other counts, 0 for a pattern in words.
	Every float64
	// Pattern is "persistent", "intermittent", "occasional", "frequent",
	// "recurrent", or "" for a count.
	Pattern string
	Start   int
	End     int
}

// Frequency patterns.
const (
	PatternPersistent   = "persistent"
	PatternIntermittent = "intermittent"
	PatternOccasional   = "occasional"
	PatternFrequent     = "frequent"
	PatternRecurrent    = "recurrent"
)

const freqUnit = `分钟|个小时|小时|个钟头|钟头|天|日|白天|晚上|晚|夜里|夜间|夜|宿|个星期|星期|个礼拜|礼拜|周|个月|月|年`

var (
	// A period then a count: 一天拉三四次, 每天2次, 每隔两小时吐一次,
	// 一晚上醒好几次, 两三天一次, 三天拉了五次.
	freqPeriodRe = regexp.MustCompile(`(每隔|隔|每)?\s*(` + numRange + `)?\s*(` + freqUnit + `)(?:左右)?(?:都|就|会|要|得|能)?` +
		`([^0-9,.;!?:\s零〇一二两俩三四五六七八九十几好前后以之每隔]{0,4}?)` +
		`(` + numRange + `)\s*(次|回|遍|趟|阵|下)`)
	// A count then a period: 2次/天, 3次每日.
	freqSlashRe = regexp.MustCompile(`(` + numRange + `)\s*(次|回)\s*(?:/|每|一)\s*(` + freqUnit + `)`)
	// A count alone: 拉了五六次, 吐了好几次.
	freqCountRe = regexp.MustCompile(`(` + numRange + `)\s*(次|回|遍|趟)`)
)

var freqPer = map[string]string{
	"分钟": "minute", "小时": "hour", "个小时": "hour", "钟头": "hour", "个钟头": "hour",
	"天": "day", "日": "day", "白天": "day",
	"晚上": "night", "晚": "night", "夜里": "night", "夜间": "night", "夜": "night", "宿": "night",
	"周": "week", "星期": "week", "个星期": "week", "礼拜": "week", "个礼拜": "week",
	"月": "month", "个月": "month", "年": "year",
}

// freqWords maps pattern words to a pattern ("-" consumes a phrase without
// a result).
var freqWords = newClTable([]clWord[string]{
	{"持续", PatternPersistent}, {"持续性", PatternPersistent}, {"一直", PatternPersistent}, {"不停", PatternPersistent},
	{"不停地", PatternPersistent}, {"不断", PatternPersistent}, {"一整天", PatternPersistent}, {"整天", PatternPersistent},
	{"没停过", PatternPersistent}, {"没断过", PatternPersistent}, {"一刻不停", PatternPersistent}, {"没好过", PatternPersistent},
	{"一阵一阵", PatternIntermittent}, {"一阵阵", PatternIntermittent}, {"一阵一阵的", PatternIntermittent}, {"阵发", PatternIntermittent},
	{"阵发性", PatternIntermittent}, {"阵阵", PatternIntermittent}, {"时有时无", PatternIntermittent}, {"断断续续", PatternIntermittent},
	{"间断", PatternIntermittent}, {"间断性", PatternIntermittent}, {"间歇", PatternIntermittent}, {"间歇性", PatternIntermittent},
	{"一会儿好一会儿", PatternIntermittent}, {"一会好一会", PatternIntermittent}, {"时不时", PatternIntermittent},
	{"不是一直", PatternIntermittent}, {"没有一直", PatternIntermittent}, {"不是持续", PatternIntermittent}, {"不持续", PatternIntermittent},
	{"偶尔", PatternOccasional}, {"偶然", PatternOccasional}, {"有时", PatternOccasional}, {"有时候", PatternOccasional},
	{"偶发", PatternOccasional}, {"不经常", PatternOccasional}, {"不是经常", PatternOccasional},
	{"不常", PatternOccasional}, {"不是很频繁", PatternOccasional}, {"不频繁", PatternOccasional}, {"不太经常", PatternOccasional},
	{"经常", PatternFrequent}, {"常常", PatternFrequent}, {"老是", PatternFrequent}, {"总是", PatternFrequent},
	{"频繁", PatternFrequent}, {"天天", PatternFrequent}, {"每天都", PatternFrequent}, {"每晚都", PatternFrequent},
	{"动不动", PatternFrequent}, {"隔三差五", PatternFrequent}, {"三天两头", PatternFrequent}, {"总", PatternFrequent},
	{"时常", PatternFrequent}, {"夜夜", PatternFrequent}, {"老", PatternFrequent},
	{"反复", PatternRecurrent}, {"反反复复", PatternRecurrent}, {"复发", PatternRecurrent}, {"又犯了", PatternRecurrent},
	{"又开始", PatternRecurrent}, {"老毛病", PatternRecurrent}, {"时好时坏", PatternRecurrent}, {"好了又", PatternRecurrent},
	{"一次又一次", PatternRecurrent}, {"好好坏坏", PatternRecurrent}, {"又犯", PatternRecurrent}, {"又复发", PatternRecurrent},
	// Not patterns: 总共, 总算, 老人, 老公, 老家 …
	{"总共", "-"}, {"总算", "-"}, {"总之", "-"}, {"总院", "-"}, {"总的", "-"}, {"总体", "-"},
	{"老人", "-"}, {"老公", "-"}, {"老婆", "-"}, {"老伴", "-"}, {"老头", "-"}, {"老太", "-"}, {"老家", "-"}, {"老师", "-"}, {"老妈", "-"}, {"老爸", "-"}, {"老年", "-"},
	{"老毛", "-"}, {"老大", "-"}, {"老二", "-"}, {"老三", "-"}, {"老花", "-"}, {"老了", "-"}, {"老化", "-"}, {"老板", "-"},
	{"一直到", "-"}, {"没有反复", "-"}, {"没反复", "-"}, {"不反复", "-"}, {"有时间", "-"},
})

// FindFrequency returns how often things happen in normalised text, in
// order: a count in a period (一天拉三四次, 每天2次, 一周两三次,
// 每隔两小时吐一次, 一晚上醒好几次, 2次/天), a count alone of two or more
// (拉了五六次), and pattern words (持续, 一直, 一阵一阵的, 阵发性 …
// 偶尔, 经常, 反复, 时好时坏). 时好时坏 (better and worse by turns) counts as
// recurrent; 不是一直 as intermittent, 不经常 as occasional.
func FindFrequency(text string) []Frequency {
	clauses := clClauses(text)
	var out []Frequency
	var taken []clSpan
	add := func(f Frequency) {
		out = append(out, f)
		taken = append(taken, clSpan{f.Start, f.End})
	}
	for _, m := range clFindAllNum(freqPeriodRe, text, clauses, "次回遍趟阵下") {
		sub := func(g int) string {
			if m[2*g] < 0 {
				return ""
			}
			return text[m[2*g]:m[2*g+1]]
		}
		prefix, every, unit, count := sub(1), sub(2), sub(3), sub(5)
		if prefix == "" && every == "" {
			continue
		}
		if prefix == "" && strings.HasSuffix(text[:m[0]], "第") {
			continue
		}
		// 每隔 needs no number (每隔一天 has one; 隔天 has none).
		e := 1.0
		if every != "" {
			lo, _, _, ok := clParseRange(every)
			if !ok || lo <= 0 {
				continue
			}
			e = lo
		}
		lo, hi, vague, ok := clParseRange(count)
		if !ok || hi <= 0 {
			continue
		}
		add(Frequency{Text: text[m[0]:m[1]], Count: hi, Min: lo, Vague: vague, Per: freqPer[unit], Every: e, Start: m[0], End: m[1]})
	}
	for _, m := range clFindAllNum(freqSlashRe, text, clauses, "次回") {
		if clTaken(taken, m[0], m[1]) {
			continue
		}
		lo, hi, vague, ok := clParseRange(text[m[2]:m[3]])
		if !ok || hi <= 0 {
			continue
		}
		add(Frequency{Text: text[m[0]:m[1]], Count: hi, Min: lo, Vague: vague, Per: freqPer[text[m[6]:m[7]]], Every: 1, Start: m[0], End: m[1]})
	}
	for _, m := range clFindAllNum(freqCountRe, text, clauses, "次回遍趟") {
		if clTaken(taken, m[0], m[1]) {
			continue
		}
		prev := clRuneBefore(text, m[0])
		if clIsDigit(prev) || prev == '.' || strings.ContainsRune("第每这那上下前后几哪", prev) {
			continue
		}
		after := text[m[1]:]
		if clHasPrefix(after, "性", "数", "日", "月", "年", "元") {
			continue // 一次性, 次数, 次日
		}
		lo, hi, vague, ok := clParseRange(text[m[2]:m[3]])
		if !ok || hi < 2 && !vague {
			continue // 一次 alone is everywhere (一次一片, 做过一次胃镜)
		}
		add(Frequency{Text: text[m[0]:m[1]], Count: hi, Min: lo, Vague: vague, Every: 1, Start: m[0], End: m[1]})
	}
	for i := 0; i < len(text); {
		w, ok := freqWords.at(text, i)
		if !ok || clTaken(taken, i, i+len(w.w)) || w.v == PatternFrequent && (w.w == "老" || w.w == "总") && !freqAdverbBefore(text, i+len(w.w)) {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			continue
		}
		if w.v != "-" {
			add(Frequency{Text: w.w, Pattern: w.v, Start: i, End: i + len(w.w)})
		}
		i += len(w.w)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// freqAdverbBefore reports whether 老 or 总 ending at i is the adverb
// "always" (老咳嗽, 总想吐): followed by a verb or a complaint, not a noun.
func freqAdverbBefore(text string, i int) bool {
	return clHasPrefix(text[i:], "是", "想", "咳", "疼", "痛", "头", "拉", "吐", "犯", "觉得", "感觉", "失眠", "睡不", "醒", "出", "发", "流", "打", "肚", "胃", "心", "胸", "便", "尿", "起", "喘", "晕", "不", "有", "会", "要", "这样", "那样")
}

// ---------------------------------------------------------------------------
// Side

// Side is a side or position of the body: 左边, 右侧, 左下腹, 两侧, 双膝.
type Side struct {
	Text string
	Side string // "left", "right", "both", or "" for a position alone (上腹, 肚子中间)
	Part string // the position words as said: 上, 下, 中间, 前, 后, 内, 外, or combined (左下 → 下, 中上腹 → 中上)
	// Start and End are byte offsets of Text.
	Start int
	End   int
}

// Sides.
const (
	SideLeft  = "left"
	SideRight = "right"
	SideBoth  = "both"
)

// sideBodyWords are body parts that follow 双 or 两 (双膝, 两腿) or 左右
// (左右眼).
var sideBodyWords = []string{
	"膝盖", "膝", "腿", "脚", "足", "手", "眼睛", "眼", "目", "耳朵", "耳", "肩膀", "肩", "臂", "胳膊", "肘", "腕", "踝", "髋",
	"上肢", "下肢", "小腿", "大腿", "肺", "肾", "乳房", "乳", "胸", "腰", "肋", "胁", "腮", "颊", "脸", "太阳穴", "腋", "腹股沟",
	"颌", "侧", "边", "眼皮", "脚踝", "手指", "脚趾", "拇指", "膝关节", "关节",
}

// sideDrugPrefixes start drug names, not sides: 左氧氟沙星, 右美沙芬.
var sideDrugPrefixes = []string{"左氧", "左甲", "左西", "左旋", "左卡", "左乙", "左炔", "左舒", "左布", "左羟", "右美", "右旋", "右佐", "右酮", "右兰", "右雷", "左派", "右派"}

// sidePosNotAfter lists, for each position word, what may not follow it
// for it to be a position: 右边上班, 左边后来, 左下午.
var sidePosNotAfter = map[rune]string{
	'上': "班学次周个午来去网课面子药火", '下': "次周个午来去班班载子药", '前': "天几两段阵些年",
	'后': "来面天几悔", '中': "午药医间心", '内': "容科", '外': "科面出卖",
}

var sideMidRe = regexp.MustCompile(`(正)?(中上|中下|上|下)腹|(?:肚子|肚脐|腹部|胸口|胸部|胸|后背|背部|背|腰部|腰|额头|头顶|头|心口)(正中间|正中|中间)`)

// FindSides returns sides and positions of the body in normalised text, in
// order: 左边, 右侧, 左下腹 (left, 下), 右上腹 (right, 上), 左后背, 两侧, 双侧,
// 两边, 双膝, 左右两侧 (both), and positions alone: 上腹 (上), 中上腹,
// 肚子中间 (中间). 左右 after a number (三天左右, 38度左右) means "about"
// and is skipped; drug names (左氧氟沙星, 右美沙芬) and directions (往左,
// 向右) are too.
func FindSides(text string) []Side {
	var out []Side
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		rest := text[i:]
		var sd Side
		ok := false
		switch {
		case strings.HasPrefix(rest, "左右"):
			sd, ok = sideBothLR(text, i)
			if !ok {
				i += len("左右")
				continue
			}
		case r == '左' || r == '右':
			sd, ok = sideLR(text, i, r)
		case r == '双' || r == '两':
			sd, ok = sidePair(text, i)
		}
		if !ok {
			i += size
			continue
		}
		out = append(out, sd)
		i = sd.End
	}
	for _, m := range clFindAll(sideMidRe, text, clClauses(text), "腹中") {
		var sd Side
		if m[4] >= 0 { // 上腹, 中上腹
			s := m[0]
			if clTakenSide(out, s, m[1]) || strings.ContainsRune("左右小", clRuneBefore(text, s)) {
				continue
			}
			sd = Side{Text: text[s:m[1]], Part: text[m[4]:m[5]], Start: s, End: m[1]}
		} else { // 肚子中间
			s, e := m[6], m[7]
			if clTakenSide(out, s, e) {
				continue
			}
			sd = Side{Text: text[s:e], Part: "中间", Start: s, End: e}
		}
		out = append(out, sd)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func clTakenSide(ss []Side, s, e int) bool {
	for _, x := range ss {
		if s < x.End && x.Start < e {
			return true
		}
	}
	return false
}

// sideBothLR reads 左右 at i: both sides in 左右两侧, 左右都疼, 左右眼;
// "about" in 三天左右 (false).
func sideBothLR(text string, i int) (Side, bool) {
	prev := clRuneBefore(text, i)
	if clIsDigit(prev) || clIsCnNumber(prev) || strings.ContainsRune("天岁度次分个斤点年月周时号克升片粒米", prev) {
		return Side{}, false
	}
	e := i + len("左右")
	after := text[e:]
	for _, w := range []string{"两侧", "两边", "双侧", "两", "都", "各", "交替", "轮流", "对称", "侧", "边"} {
		if strings.HasPrefix(after, w) {
			if w != "都" && w != "各" && w != "交替" && w != "轮流" && w != "对称" {
				e += len(w)
			}
			return Side{Text: text[i:e], Side: SideBoth, Start: i, End: e}, true
		}
	}
	if clHasPrefix(after, sideBodyWords...) {
		return Side{Text: text[i:e], Side: SideBoth, Start: i, End: e}, true
	}
	return Side{}, false
}

// sideLR reads 左 or 右 at i with what follows: 左边, 右侧, 左下腹, 左下方.
func sideLR(text string, i int, r rune) (Side, bool) {
	rest := text[i:]
	if clHasPrefix(rest, sideDrugPrefixes...) {
		return Side{}, false
	}
	if strings.ContainsRune("往向朝", clRuneBefore(text, i)) && !clHasPrefix(rest[len("左"):], "侧卧", "侧躺") {
		return Side{}, false
	}
	side := SideLeft
	if r == '右' {
		side = SideRight
	}
	e := i + len("左")
	for _, w := range []string{"半边", "边", "侧", "面", "手边"} {
		if strings.HasPrefix(text[e:], w) {
			e += len(w)
			break
		}
	}
	var part []rune
	for len(part) < 2 {
		p, size := utf8.DecodeRuneInString(text[e:])
		not, isPos := sidePosNotAfter[p]
		if !isPos {
			break
		}
		if p == '中' && strings.HasPrefix(text[e:], "中间") {
			part = append(part, '中', '间')
			e += len("中间")
			break
		}
		if strings.ContainsRune(not, clRuneAt(text, e+size)) {
			break
		}
		part = append(part, p)
		e += size
	}
	if len(part) > 0 {
		for _, w := range []string{"方", "面", "边", "侧", "部"} {
			if strings.HasPrefix(text[e:], w) {
				e += len(w)
				break
			}
		}
	}
	return Side{Text: text[i:e], Side: side, Part: string(part), Start: i, End: e}, true
}

// sidePair reads 双 or 两 at i: 两侧, 双侧, 两边, 双膝, 两条腿, 双下肢.
func sidePair(text string, i int) (Side, bool) {
	e := i + len("双")
	rest := text[e:]
	if clHasPrefix(rest, "侧", "边") {
		if clRuneBefore(text, i) == '一' || clIsDigit(clRuneBefore(text, i)) {
			return Side{}, false
		}
		e += len("侧")
		return Side{Text: text[i:e], Side: SideBoth, Start: i, End: e}, true
	}
	// 两只眼睛, 两条腿, 两个膝盖.
	if strings.HasPrefix(text[i:], "两") {
		for _, cl := range []string{"只", "条", "个", "侧的", "边的"} {
			if strings.HasPrefix(rest, cl) {
				rest = rest[len(cl):]
				break
			}
		}
	}
	part := ""
	if clHasPrefix(rest, "上肢", "下肢") {
		part = rest[:len("上")]
	}
	for _, w := range sideBodyWords {
		if w == "侧" || w == "边" {
			continue
		}
		if strings.HasPrefix(rest, w) {
			e = len(text) - len(rest) + len(w)
			return Side{Text: text[i:e], Side: SideBoth, Part: part, Start: i, End: e}, true
		}
	}
	return Side{}, false
}

// ---------------------------------------------------------------------------
// Doses

// Dose is an amount of a medicine: 一次一片, 每次5毫升, 0.25g, 半片.
type Dose struct {
	Text string // the amount, with 一次/每次 when said before it
	// Amount is the quantity (the upper figure of a range: 1-2片 → 2).
	Amount float64
	Min    float64 // the lower figure of a range; Amount otherwise
	// Unit is one of 片, 粒 (also 颗), 袋 (also 包), 支, 滴, 丸, 贴, 喷, 勺,
	// 单位 (also iu, u), and the metric units written as symbols whether
	// said in Chinese or not: ml (毫升, cc), mg (毫克), g (克), μg (微克, ug,
	// mcg), so that amounts compare.
	Unit string
	// Times is how many times a day, when said in the same sentence
	// (一天三次, 每日2次, 早晚各, bid, 每8小时); 0 when not said.
	Times float64
	Start int
	End   int
}

const doseUnit = `毫升|毫克|微克|克|片|粒|颗|袋|包|支|滴|丸|贴|喷|揿|勺|单位|ml|mg|mcg|μg|ug|g|cc|iu|u`

var (
	doseRe = regexp.MustCompile(`(?:(每次|一次|每回|一回|每顿|一顿|每剂|单次)\s*(?:吃|服|服用|用|喝|喂|口服|给|含|滴|喷|打|注射)?\s*)?` +
		`([0-9]+/[0-9]+|[0-9]+(?:\.[0-9]+)?(?:\s*(?:-|~|到)\s*[0-9]+(?:\.[0-9]+)?)?|[一二两三四五六七八九十百]+(?:到[一二两三四五六七八九十]+)?(?:点[零一二三四五六七八九]+)?|半)` +
		`\s*(` + doseUnit + `)(半)?`)
	doseTimesRe = regexp.MustCompile(`(?:每天|每日|一天|一日|1天|1日|天天|每24小时|24小时)\s*(?:最多|不超过|最多不超过|可以|可|最多可以)?\s*(?:吃|服|用|喝|喂|口服|给|服用|用药|滴|喷|打)?\s*(` + numRange + `)\s*(?:次|回|顿)` +
		`|(` + numRange + `)\s*(?:次|回)\s*/\s*(?:天|日)` +
		`|(早中晚)|(早晚)|\b(qd|bid|tid|qid|qn|qod)\b` +
		`|每(?:隔)?\s*([0-9]+|[一二两三四五六七八九十]+)\s*(?:个)?小时`)
)

var doseUnitNames = map[string]string{
	"毫升": "ml", "ml": "ml", "cc": "ml", "毫克": "mg", "mg": "mg", "克": "g", "g": "g",
	"微克": "μg", "mcg": "μg", "μg": "μg", "ug": "μg",
	"片": "片", "粒": "粒", "颗": "粒", "袋": "袋", "包": "袋", "支": "支", "滴": "滴", "丸": "丸", "贴": "贴",
	"喷": "喷", "揿": "喷", "勺": "勺", "单位": "单位", "iu": "单位", "u": "单位",
}

// doseNotAfter are words after an amount that make it food, drink,
// tobacco, a body fluid or something else: 120毫升奶, 一包烟, 支气管, 片子.
var doseNotAfter = []string{"奶", "水", "尿", "血", "汤", "粥", "酒", "烟", "米", "饭", "面", "零食", "饮料", "果汁", "啤酒", "牛奶", "母乳", "奶粉",
	"气", "架", "子", "刻", "区", "段", "一片", "片", "红", "疹", "斑", "皮", "眼泪", "汗", "的疹", "的红", "的包"}

// doseNotBefore are words just before an amount that do the same: 尿量500ml,
// 出血50ml, 抽了一包, 喝了200毫升水 is caught by doseNotAfter.
var doseNotBefore = []string{"尿", "尿量", "出血", "失血", "流血", "吐血", "抽", "抽了", "奶", "奶量", "喝奶", "吃奶", "体重", "起了", "长了", "出了", "红了", "大", "小", "这", "那", "哪"}

// doseDrugEnds are the characters drug and dosage-form names end with:
// 布洛芬, 阿莫西林, 头孢克肟, 奥美拉唑, 感冒胶囊, 救心丸, 止痛药.
const doseDrugEnds = "芬林素星韦平尔定酮唑松胺酸钠钾片囊丸散液膏剂药灵宁汀嗪洛尼诺坦普醇锌钙浆露霉辛肟隆泼龙雷嗪胍"

// doseCues are words before an amount in its clause that make a count
// (一片, 两粒) a medicine: 吃了半片, 喂了一袋.
var doseCues = []string{"吃", "服", "喝", "喂", "吞", "含", "嚼", "贴", "滴", "喷", "塞", "药", "剂", "胶囊", "颗粒", "冲剂", "口服", "用了", "用量", "剂量"}

// doseParticles may follow a counted medicine amount (吃了两片就好了,
// 一片半, 两粒吧) where a noun would show it counts something else.
var doseParticles = []string{"了", "吧", "啊", "呢", "吗", "就", "后", "以后", "之后", "左右", "的量", "都", "也", "还", "没", "不", "下去", "多", "试试", "能", "可以", "行", "够", "吃", "喝", "服", "一次", "每次", "一天", "每天", "早", "晚", "睡前", "饭", "的话", "看", "先", "再", "又", "会", "有", "是"}

// countDoseOK reports whether a counted amount at text[s:e] without 一次
// or 每次 is a medicine: a drug name or a taking verb in the clause before,
// and after it a drug name, a particle or a pause, not some other noun
// (一片卫生巾, 两颗磁铁, 一颗葡萄干).
func countDoseOK(text string, s, e int) bool {
	before := clClauseBefore(text, s, 12)
	// An amount alone (the answer to 吃多少) or after 各 (早晚各一片) is
	// taken too.
	cue := strings.ContainsRune(doseDrugEnds, clRuneBefore(text, s)) || strings.TrimSpace(before) == "" || strings.HasSuffix(before, "各")
	for _, c := range doseCues {
		if !cue && strings.Contains(before, c) {
			cue = true
		}
	}
	r := clRuneAt(text, e)
	if !IsHan(r) {
		return cue
	}
	if clHasPrefix(text[e:], doseParticles...) {
		return cue
	}
	// A noun follows: it must name a drug (一片布洛芬, 两粒感冒胶囊).
	j := e
	for n := 0; j < len(text) && n < 10; n++ {
		r, size := utf8.DecodeRuneInString(text[j:])
		if !IsHan(r) || r == '的' || r == '了' || r == '和' || r == '跟' || r == '或' {
			break
		}
		j += size
	}
	word := text[e:j]
	for _, r := range word {
		if r == '药' {
			return true
		}
	}
	last, _ := utf8.DecodeLastRuneInString(word)
	return strings.ContainsRune(doseDrugEnds, last)
}

// FindDoses returns medicine amounts in normalised text, in order:
// 一次一片, 每次5毫升, 0.25g, 一片半, 1/2片, 1-2粒, 布洛芬混悬液5ml. Times is
// filled from a frequency in the same sentence (一天三次，一次两粒 → 2 粒,
// 3 times a day), the nearest one when there are several.
func FindDoses(text string) []Dose {
	clauses := clClauses(text)
	var out []Dose
	for _, m := range clFindAllNum(doseRe, text, clauses, "毫微克片粒颗袋包支滴丸贴喷揿勺单mgcuμi") {
		num, unit := text[m[4]:m[5]], text[m[6]:m[7]]
		s, e := m[0], m[1]
		ascii := unit[0] < utf8.RuneSelf
		if ascii && clIsLetter(clRuneAt(text, m[7])) || ascii && unit != "u" && clIsLetter(clRuneBefore(text, m[6])) {
			continue // 4g网络 is fine, but 5gb or 3kg are not
		}
		if unit == "u" && clIsLetter(clRuneBefore(text, m[6])) {
			continue
		}
		if m[2] < 0 { // no 每次
			prev := clRuneBefore(text, s)
			if clIsDigit(prev) || prev == '.' || prev == '/' || prev == '千' || prev == '第' || prev == '几' {
				continue
			}
			if clHasSuffix(clClauseBefore(text, s, 3), doseNotBefore...) {
				continue
			}
		}
		if m[8] < 0 && clHasPrefix(text[e:], doseNotAfter...) || strings.HasSuffix(text[:s], text[s:e]) {
			continue // 一片一片的疹子
		}
		if (unit == "支" || unit == "包") && m[2] < 0 && clHasSuffix(text[:s], "一天", "每天", "一日", "每日", "天天") {
			continue // 一天20支, 每天一包: cigarettes
		}
		if m[2] < 0 && !ascii && !strings.Contains("毫升毫克微克克", unit) && !countDoseOK(text, s, e) {
			continue // 湿透一片卫生巾, 吞了两颗磁铁, 三支病变
		}
		if unit == "片" && (strings.HasPrefix(text[e:], "刻") || strings.HasPrefix(text[e:], "子")) {
			continue
		}
		var lo, hi float64
		if a, b, ok := strings.Cut(num, "/"); ok {
			x, _ := strconv.ParseFloat(a, 64)
			y, _ := strconv.ParseFloat(b, 64)
			if y == 0 {
				continue
			}
			lo, hi = x/y, x/y
		} else {
			var ok bool
			lo, hi, _, ok = clParseRange(num)
			if !ok {
				continue
			}
		}
		if m[8] >= 0 { // 一片半
			lo += 0.5
			hi += 0.5
		}
		if hi <= 0 {
			continue
		}
		out = append(out, Dose{Text: text[s:e], Amount: hi, Min: lo, Unit: doseUnitNames[unit], Start: s, End: e})
	}
	if len(out) == 0 {
		return nil
	}
	type times struct {
		s, e int
		n    float64
	}
	var ts []times
	for _, m := range clFindAll(doseTimesRe, text, clauses, "次回顿晚早qbt时") {
		var n float64
		switch {
		case m[2] >= 0 || m[4] >= 0:
			g := 2
			if m[2] < 0 {
				g = 4
			}
			_, hi, _, ok := clParseRange(text[m[g]:m[g+1]])
			if !ok {
				continue
			}
			n = hi
		case m[6] >= 0:
			n = 3
		case m[8] >= 0:
			n = 2
		case m[10] >= 0:
			n = map[string]float64{"qd": 1, "bid": 2, "tid": 3, "qid": 4, "qn": 1, "qod": 0.5}[text[m[10]:m[11]]]
		case m[12] >= 0:
			h, ok := ParseNumber(text[m[12]:m[13]])
			if !ok || h <= 0 || h > 24 {
				continue
			}
			n = 24 / h
		}
		ts = append(ts, times{m[0], m[1], n})
	}
	// Each frequency goes with the nearest dose in its sentence (一天三次，
	// 一次两粒; 一次一片，一天三次).
	for _, t := range ts {
		best, bestDist := -1, 0
		for i, d := range out {
			if t.s < d.End && d.Start < t.e {
				continue
			}
			lo, hi := t.e, d.Start
			if t.s >= d.End {
				lo, hi = d.End, t.s
			}
			if strings.ContainsAny(text[lo:hi], ".;!?\n") {
				continue // another sentence
			}
			if dist := hi - lo; best < 0 || dist < bestDist {
				best, bestDist = i, dist
			}
		}
		if best >= 0 && out[best].Times == 0 {
			out[best].Times = t.n
		}
	}
	// 每天吃一片, 每晚一粒: once a day.
	for i := range out {
		d := &out[i]
		if d.Times != 0 {
			continue
		}
		before := strings.TrimRight(clClauseBefore(text, d.Start, 6), " ")
		for _, v := range []string{"吃", "服", "服用", "口服", "用", "喝", "喂", "含", "滴", "喷", "打", "给"} {
			if strings.HasSuffix(before, v) {
				before = strings.TrimSuffix(before, v)
				break
			}
		}
		if clHasSuffix(before, "每天", "每日", "天天", "每晚", "每早", "每天早上", "每天晚上", "每天早晨", "每晚睡前", "睡前", "一天一次", "一天1次", "一日一次") {
			d.Times = 1
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Times

// TimePoint is a point in time found in text: a day, a part of a day, a
// clock time, or a period ago.
type TimePoint struct {
	Text string
	// Date is the resolved day (midnight in now's location), or the
	// resolved moment when Clock is set; zero when it cannot be resolved
	// (a part of day alone, 上周, 上个月, 去年, 前几天).
	Date time.Time
	// DaysAgo is how many calendar days before now Date is; for the
	// unresolvable periods 上周, 上个月, 去年 and 前几天 it is the approximate
	// distance (7, 30, 365, 3), and 0 for a part of day alone.
	DaysAgo float64
	Part    string // 早上, 上午, 中午, 下午, 晚上, 夜里, 凌晨 when said
	Clock   bool   // a clock time was said (上午十点, 昨晚8点半)
	Start   int
	End     int
}

// Parts of the day.
const (
	PartEarlyMorning = "凌晨"
	PartMorning      = "早上"
	PartForenoon     = "上午"
	PartNoon         = "中午"
	PartAfternoon    = "下午"
	PartEvening      = "晚上"
	PartNight        = "夜里"
)

var timeParts = newClTable([]clWord[string]{
	{"早上", PartMorning}, {"早晨", PartMorning}, {"清晨", PartMorning}, {"一早", PartMorning}, {"大早上", PartMorning},
	{"一大早", PartMorning}, {"上午", PartForenoon}, {"中午", PartNoon}, {"晌午", PartNoon}, {"下午", PartAfternoon},
	{"傍晚", PartEvening}, {"晚上", PartEvening}, {"晚间", PartEvening}, {"夜里", PartNight}, {"夜间", PartNight}, {"半夜", PartNight},
	{"深夜", PartNight}, {"夜晚", PartNight}, {"后半夜", PartNight}, {"凌晨", PartEarlyMorning},
})

// timeDayWords are days named relative to today, with the part of the day
// some of them carry.
var timeDayWords = newClTable([]clWord[[2]string]{
	{"大前天", [2]string{"3", ""}}, {"前天", [2]string{"2", ""}}, {"前晚", [2]string{"2", PartEvening}}, {"昨天", [2]string{"1", ""}},
	{"昨日", [2]string{"1", ""}}, {"昨晚", [2]string{"1", PartEvening}}, {"昨夜", [2]string{"1", PartNight}}, {"昨早", [2]string{"1", PartMorning}},
	{"今天", [2]string{"0", ""}}, {"今日", [2]string{"0", ""}}, {"今早", [2]string{"0", PartMorning}}, {"今晨", [2]string{"0", PartMorning}},
	{"今晚", [2]string{"0", PartEvening}}, {"今儿", [2]string{"0", ""}}, {"昨儿", [2]string{"1", ""}}, {"前儿", [2]string{"2", ""}},
	{"今儿个", [2]string{"0", ""}}, {"昨儿个", [2]string{"1", ""}}, {"前儿个", [2]string{"2", ""}},
})

// timeCoarse are periods that name no single day.
var timeCoarse = newClTable([]clWord[float64]{
	{"上上周", 14}, {"上周", 7}, {"上星期", 7}, {"上个星期", 7}, {"上礼拜", 7}, {"上个礼拜", 7},
	{"上上个月", 60}, {"上个月", 30}, {"前个月", 30}, {"上月", 30}, {"去年", 365}, {"前年", 730}, {"前几天", 3}, {"前些天", 3}, {"前两天", 2},
})

const cnDay = `[0-9]{1,2}|[一二三四五六七八九十]{1,3}`

var (
	timeISORe  = regexp.MustCompile(`([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})`)
	timeYMDRe  = regexp.MustCompile(`(?:([0-9]{4}|[0-9]{2}|[〇零一二三四五六七八九]{2,4})年|(去年|今年|前年))?(?:的)?([0-9]{1,2}|十[一二]?|[一二三四五六七八九])月份?(?:的)?(` + cnDay + `)(号|日)?`)
	timeRelMRe = regexp.MustCompile(`(上上个月|上上月|上个月|前个月|上月|这个月|这月|本月)(?:的|是|是在|在)?(` + cnDay + `)(号|日)`)
	timeWeekRe = regexp.MustCompile(`(上上|上|这|本|下)?(?:个)?(周|星期|礼拜)([一二三四五六日天1-7])`)
	timeDayRe  = regexp.MustCompile(`(` + cnDay + `)(号)`)
	timeClock  = regexp.MustCompile(`^([0-9]{1,2}|[一二三四五六七八九十]{1,3}|两)\s*(?:点钟|点|:)(半|一刻|三刻|[0-9]{1,2}|[一二三四五六七八九十]{1,3})?(?:分)?(多|左右)?`)
)

// FindTimes returns the points in time in normalised text, resolved
// against now, in order: 今天早上, 昨天晚上, 前天晚上, 大前天, 上周三,
// 上个月20号, 10月15号, 11月3日, 2026年10月1日, 2026-10-01, 3天前, 半个月前,
// 上午十点, 昨晚8点半. A month and day without a year that would fall after
// now means last year; a day of the month alone (20号) after today means
// last month; a clock time without a day later than now means yesterday.
// This also serves the last menstrual period (末次月经是10月15号).
func FindTimes(text string, now time.Time) []TimePoint {
	clauses := clClauses(text)
	loc := now.Location()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	var out []TimePoint
	taken := func(s, e int) bool {
		for _, t := range out {
			if s < t.End && t.Start < e {
				return true
			}
		}
		return false
	}
	// date makes a day, reporting false for 2月30日.
	date := func(y int, m time.Month, d int) (time.Time, bool) {
		t := time.Date(y, m, d, 0, 0, 0, 0, loc)
		return t, t.Year() == y && t.Month() == m && t.Day() == d && d > 0
	}
	add := func(s, e int, day time.Time, part string) {
		tp := TimePoint{Text: text[s:e], Date: day, Part: part, Start: s, End: e}
		tp = extendTime(text, tp, now)
		out = append(out, tp)
	}
	for _, m := range clFindAll(timeISORe, text, clauses, "-/.") {
		y, _ := strconv.Atoi(text[m[2]:m[3]])
		mo, _ := strconv.Atoi(text[m[4]:m[5]])
		d, _ := strconv.Atoi(text[m[6]:m[7]])
		if t, ok := date(y, time.Month(mo), d); ok && !clIsDigit(clRuneAt(text, m[1])) && !clIsDigit(clRuneBefore(text, m[0])) {
			add(m[0], m[1], t, "")
		}
	}
	for _, m := range clFindAllNum(timeYMDRe, text, clauses, "月") {
		if taken(m[0], m[1]) {
			continue
		}
		s := m[0]
		if m[2] < 0 && m[4] < 0 && (clIsDigit(clRuneBefore(text, s)) || clRuneBefore(text, s) == '.') {
			continue
		}
		mo, ok1 := ParseNumber(text[m[6]:m[7]])
		d, ok2 := ParseNumber(text[m[8]:m[9]])
		if !ok1 || !ok2 || mo < 1 || mo > 12 {
			continue
		}
		if m[10] < 0 { // 10月15 without 号: not 3月5天, 10月15个
			r := clRuneAt(text, m[1])
			if clIsDigit(r) || clIsCnNumber(r) || strings.ContainsRune("天个次岁年周小分斤度%多", r) {
				continue
			}
		}
		y := now.Year()
		explicitYear := false
		switch {
		case m[2] >= 0:
			ys := text[m[2]:m[3]]
			v, ok := ParseNumber(ys)
			if !ok { // 二〇二六
				var b strings.Builder
				for _, r := range ys {
					b.WriteByte(byte('0' + digitValue[r]))
				}
				v, ok = ParseNumber(b.String())
			}
			if !ok {
				continue
			}
			y = int(v)
			if y < 100 {
				y += 2000
			}
			explicitYear = true
		case m[4] >= 0:
			y += map[string]int{"去年": -1, "今年": 0, "前年": -2}[text[m[4]:m[5]]]
			explicitYear = true
		}
		t, ok := date(y, time.Month(mo), int(d))
		if !ok {
			continue
		}
		if !explicitYear && t.After(today) {
			if t, ok = date(y-1, time.Month(mo), int(d)); !ok {
				continue
			}
		}
		add(s, m[1], t, "")
	}
	for _, m := range clFindAllNum(timeRelMRe, text, clauses, "号日") {
		if taken(m[0], m[1]) {
			continue
		}
		d, ok := ParseNumber(text[m[4]:m[5]])
		if !ok {
			continue
		}
		back := 0
		switch text[m[2]:m[3]] {
		case "上个月", "上月", "前个月":
			back = 1
		case "上上个月", "上上月":
			back = 2
		}
		first := time.Date(now.Year(), now.Month()-time.Month(back), 1, 0, 0, 0, 0, loc)
		t, ok := date(first.Year(), first.Month(), int(d))
		if !ok {
			continue
		}
		add(m[0], m[1], t, "")
	}
	for _, m := range clFindAll(timeWeekRe, text, clauses, "周期拜") {
		if taken(m[0], m[1]) {
			continue
		}
		wd := text[m[6]:m[7]]
		after := text[m[1]:]
		if wd == "一" && clHasPrefix(after, "直", "下", "次", "样", "般", "共", "点", "些", "周", "天", "个", "阵") {
			continue // 上周一直咳嗽: last week, not Monday
		}
		if m[2] < 0 && strings.ContainsRune("一二两三四五六七八九十几每", clRuneBefore(text, m[0])) {
			continue // 一周三次, 每周日
		}
		n := strings.Index("一二三四五六日天", wd) / len("一")
		if wd == "天" {
			n = 6
		}
		if clIsDigit(clRuneAt(wd, 0)) {
			n = int(wd[0]-'0') - 1
		}
		offset := (int(now.Weekday()) + 6) % 7 // days since Monday
		monday := today.AddDate(0, 0, -offset)
		var t time.Time
		prefix := ""
		if m[2] >= 0 {
			prefix = text[m[2]:m[3]]
		}
		switch {
		case m[2] < 0:
			t = today.AddDate(0, 0, -((offset - n + 7) % 7)) // the last one
		case prefix == "上上":
			t = monday.AddDate(0, 0, n-14)
		case prefix == "上":
			t = monday.AddDate(0, 0, n-7)
		case prefix == "下":
			t = monday.AddDate(0, 0, n+7)
		default:
			t = monday.AddDate(0, 0, n)
		}
		add(m[0], m[1], t, "")
	}
	for i := 0; i < len(text); {
		if w, ok := timeDayWords.at(text, i); ok && !taken(i, i+len(w.w)) {
			n, _ := strconv.Atoi(w.v[0])
			add(i, i+len(w.w), today.AddDate(0, 0, -n), w.v[1])
			i += len(w.w)
			continue
		}
		if w, ok := timeCoarse.at(text, i); ok && !taken(i, i+len(w.w)) {
			out = append(out, TimePoint{Text: w.w, DaysAgo: w.v, Start: i, End: i + len(w.w)})
			i += len(w.w)
			continue
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	for _, m := range clFindAllNum(timeDayRe, text, clauses, "号") {
		if taken(m[0], m[1]) {
			continue
		}
		prev := clRuneBefore(text, m[0])
		if clIsDigit(prev) || clIsCnNumber(prev) || strings.ContainsRune("月第几挂排编型.", prev) ||
			clHasPrefix(text[m[1]:], "楼", "床", "线", "房", "门", "窗", "口", "诊", "码", "病", "机", "位", "车", "药", "馆", "院", "科", "区", "台", "厅", "屋") {
			continue
		}
		d, ok := ParseNumber(text[m[2]:m[3]])
		if !ok {
			continue
		}
		t, ok := date(now.Year(), now.Month(), int(d))
		if !ok || t.After(today) {
			first := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, loc)
			if t, ok = date(first.Year(), first.Month(), int(d)); !ok {
				continue
			}
		}
		add(m[0], m[1], t, "")
	}
	for _, d := range agoDurations(text, clauses) {
		if !d.Ago || !clHasSuffix(d.Text, "前") || taken(d.Start, d.End) {
			continue
		}
		tp := TimePoint{Text: d.Text, DaysAgo: d.Days(), Start: d.Start, End: d.End}
		if !d.Vague {
			switch {
			case d.Unit == Minute || d.Unit == Hour:
				tp.Date = now.Add(-time.Duration(d.Days() * 24 * float64(time.Hour)))
				tp.Clock = true
			case (d.Unit == Month || d.Unit == Year) && d.Value == math.Trunc(d.Value):
				n := int(d.Value)
				if d.Unit == Year {
					tp.Date = today.AddDate(-n, 0, 0)
				} else {
					tp.Date = today.AddDate(0, -n, 0)
				}
			default:
				tp.Date = today.AddDate(0, 0, -int(math.Round(d.Days())))
			}
			tp.DaysAgo = clDaysBetween(tp.Date, now)
		}
		out = append(out, extendTime(text, tp, now))
	}
	// Parts of the day and clock times on their own.
	for i := 0; i < len(text); {
		if e := clTakenEnd(out, i); e > i {
			i = e
			continue
		}
		if w, ok := timeParts.at(text, i); ok && !taken(i, i+len(w.w)) {
			if clHasSuffix(text[:i], "一", "每", "整", "一到", "每到", "每天的", "天天") {
				i += len(w.w) // 一晚上, 每天晚上, 一到晚上: habits, not a time
				continue
			}
			tp := extendTime(text, TimePoint{Start: i, End: i}, now)
			if !tp.Clock {
				tp = TimePoint{Text: w.w, Part: w.v, Start: i, End: i + len(w.w)}
			}
			out = append(out, tp)
			i = tp.End
			continue
		}
		if r := clRuneAt(text, i); (clIsDigit(r) || clIsCnNumber(r)) && !clIsDigit(clRuneBefore(text, i)) && !clIsCnNumber(clRuneBefore(text, i)) && clRuneBefore(text, i) != '.' &&
			strings.ContainsAny(text[i:min(len(text), i+12)], "点:") {
			if tp := extendTime(text, TimePoint{Start: i, End: i}, now); tp.Clock && bareClockOK(text, i, tp.End) {
				out = append(out, tp)
				i = tp.End
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// agoDurations returns FindDurations over the clauses that hold 前.
func agoDurations(text string, clauses []clSpan) []Duration {
	var out []Duration
	for _, c := range clauses {
		part := text[c.s:c.e]
		if !strings.Contains(part, "前") {
			continue
		}
		for _, d := range FindDurations(part) {
			d.Start += c.s
			d.End += c.s
			out = append(out, d)
		}
	}
	return out
}

// bareClockOK reports whether a clock time with neither day nor part
// (10点, 8:30) is a time and not a score, a dose or a decimal (3.5).
func bareClockOK(text string, s, e int) bool {
	t := text[s:e]
	if clIsCnNumber(clRuneAt(text, s)) { // 十点半, 两点多, 三点钟; not 一点 (a little)
		return clHasSuffix(t, "点钟", "点半", "点多", "刻", "分") || strings.HasPrefix(text[e:], "左右") && !strings.HasPrefix(t, "一点")
	}
	return strings.Contains(t, "点") || strings.Contains(t, ":")
}

// clTakenEnd returns the end of the time point covering byte offset i, or i.
func clTakenEnd(ts []TimePoint, i int) int {
	for _, t := range ts {
		if t.Start <= i && i < t.End {
			return t.End
		}
	}
	return i
}

// extendTime extends tp over a part of the day and a clock time written
// right after it (昨天|晚上|10点半), resolving the clock time against the
// day (or, with no day, the latest such time not after now).
func extendTime(text string, tp TimePoint, now time.Time) TimePoint {
	e := tp.End
	if strings.HasPrefix(text[e:], "的") && tp.Text != "" {
		if _, ok := timeParts.at(text, e+len("的")); ok {
			e += len("的")
		}
	}
	if e < len(text) {
		if w, ok := timeParts.at(text, e); ok {
			tp.Part = w.v
			e += len(w.w)
		}
	}
	var m []int
	if !tp.Clock && strings.ContainsAny(text[e:min(len(text), e+15)], "点:") {
		m = timeClock.FindStringSubmatchIndex(text[e:])
	}
	if m != nil {
		hs := text[e+m[2] : e+m[3]]
		h, ok := ParseNumber(hs)
		minute := 0.0
		if ok && m[4] >= 0 {
			switch ms := text[e+m[4] : e+m[5]]; ms {
			case "半":
				minute = 30
			case "一刻":
				minute = 15
			case "三刻":
				minute = 45
			default:
				minute, ok = ParseNumber(ms)
			}
		}
		clockText := text[e+m[0] : e+m[1]]
		colon := strings.Contains(clockText, ":")
		if colon && m[4] < 0 {
			ok = false // 10: is not a time
		}
		next := clRuneAt(text, e+m[1])
		if ok && h >= 0 && h <= 24 && minute >= 0 && minute < 60 && h == math.Trunc(h) &&
			!strings.HasPrefix(text[e+m[1]:], "点") && !strings.ContainsRune("天次个分岁度片粒几", next) &&
			!(hs == "一" && m[4] < 0 && (!tp.hasContext() || strings.ContainsRune("都也儿没不", next))) {
			hour := int(h)
			switch tp.Part {
			case PartAfternoon, PartEvening:
				if hour < 12 {
					hour += 12
				}
			case PartNoon:
				if hour < 11 {
					hour += 12
				}
			}
			if tp.Part == "" && tp.Text == "" && hour == 24 {
				hour = 0
			}
			day := tp.Date
			if tp.Date.IsZero() {
				day = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
			}
			at := time.Date(day.Year(), day.Month(), day.Day(), hour, int(minute), 0, 0, day.Location())
			if tp.Date.IsZero() && at.After(now) {
				at = at.AddDate(0, 0, -1)
			}
			tp.Date = at
			tp.Clock = true
			e += m[1]
		}
	}
	tp.End = e
	tp.Text = text[tp.Start:e]
	if !tp.Date.IsZero() {
		tp.DaysAgo = clDaysBetween(tp.Date, now)
	}
	return tp
}

// hasContext reports whether a day or a part of the day comes before a
// clock time, so that 一点 is one o'clock rather than "a little".
func (tp TimePoint) hasContext() bool { return tp.Part != "" || !tp.Date.IsZero() }

// clDaysBetween returns the calendar days from t's day to now's day.
func clDaysBetween(t, now time.Time) float64 {
	a := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return math.Round(b.Sub(a).Hours() / 24)
}

// ---------------------------------------------------------------------------
// Who answers

// Relations of the patient to the writer, as data labels.
const (
	RelationChild       = "子女"
	RelationMother      = "母亲"
	RelationFather      = "父亲"
	RelationHusband     = "丈夫"
	RelationSpouse      = "配偶"
	RelationGrandparent = "祖辈"
	RelationGrandchild  = "孙辈"
	RelationSibling     = "兄弟姐妹"
	RelationOther       = "其他"
)

var relationWords = newClTable([]clWord[string]{
	{"我儿子", RelationChild}, {"儿子", RelationChild}, {"我女儿", RelationChild}, {"女儿", RelationChild}, {"孩子", RelationChild},
	{"宝宝", RelationChild}, {"小孩", RelationChild}, {"我家宝", RelationChild}, {"闺女", RelationChild}, {"我家娃", RelationChild},
	{"娃娃", RelationChild}, {"小朋友", RelationChild}, {"宝妈", RelationChild}, {"宝爸", RelationChild}, {"我家小朋友", RelationChild},
	{"小宝", RelationChild}, {"二宝", RelationChild}, {"婴儿", RelationChild}, {"新生儿", RelationChild},
	{"我娃", RelationChild}, {"娃", RelationChild}, {"俺家孩子", RelationChild},
	{"我妈", RelationMother}, {"我妈妈", RelationMother}, {"我母亲", RelationMother}, {"母亲", RelationMother}, {"老妈", RelationMother},
	{"俺妈", RelationMother}, {"我老妈", RelationMother}, {"我娘", RelationMother},
	{"我爸", RelationFather}, {"我爸爸", RelationFather}, {"我父亲", RelationFather}, {"父亲", RelationFather}, {"老爸", RelationFather},
	{"俺爸", RelationFather}, {"我老爸", RelationFather}, {"老父亲", RelationFather}, {"老母亲", RelationMother},
	{"我老公", RelationHusband}, {"老公", RelationHusband}, {"丈夫", RelationHusband}, {"我先生", RelationHusband},
	{"我老婆", RelationSpouse}, {"老婆", RelationSpouse}, {"老伴", RelationSpouse}, {"我老伴", RelationSpouse},
	{"孩子他爸", RelationHusband}, {"孩子爸爸", RelationHusband}, {"孩子爸", RelationHusband}, {"娃他爸", RelationHusband},
	{"孩子他妈", RelationSpouse}, {"孩子妈", RelationSpouse}, {"孩子妈妈", RelationSpouse}, {"娃他妈", RelationSpouse},
	{"我是孩子妈妈", RelationChild}, {"我是孩子妈", RelationChild}, {"我是孩子他妈", RelationChild}, {"我是孩子的妈妈", RelationChild},
	{"我是孩子爸爸", RelationChild}, {"我是孩子爸", RelationChild}, {"我是孩子他爸", RelationChild}, {"我是孩子的爸爸", RelationChild},
	{"我是孩子家长", RelationChild}, {"我是家长", RelationChild}, {"孩子家长", RelationChild}, {"妻子", RelationSpouse}, {"爱人", RelationSpouse}, {"我媳妇", RelationSpouse},
	{"我对象", RelationSpouse}, {"我太太", RelationSpouse},
	{"我爷爷", RelationGrandparent}, {"爷爷", RelationGrandparent}, {"奶奶", RelationGrandparent}, {"外公", RelationGrandparent},
	{"外婆", RelationGrandparent}, {"姥姥", RelationGrandparent}, {"姥爷", RelationGrandparent}, {"我奶奶", RelationGrandparent},
	{"我外婆", RelationGrandparent}, {"我外公", RelationGrandparent}, {"我姥姥", RelationGrandparent}, {"我姥爷", RelationGrandparent},
	{"我孙子", RelationGrandchild}, {"我孙女", RelationGrandchild}, {"孙子", RelationGrandchild}, {"孙女", RelationGrandchild},
	{"外孙", RelationGrandchild}, {"外孙女", RelationGrandchild},
	{"我哥", RelationSibling}, {"我姐", RelationSibling}, {"我弟", RelationSibling}, {"我妹", RelationSibling},
	{"我朋友", RelationOther}, {"我同事", RelationOther}, {"我同学", RelationOther}, {"我邻居", RelationOther}, {"我室友", RelationOther},
	{"我亲戚", RelationOther}, {"帮朋友", RelationOther}, {"替朋友", RelationOther},
	// Not relations: 我的妈呀 is an exclamation; 妈妈 alone is often a
	// child's mother writing about herself.
	{"我的妈", "-"}, {"我的天", "-"}, {"娃哈哈", "-"}, {"老公公", "-"}, {"孩子气", "-"},
})

// relationNotBefore are words before a child word that make the child
// someone the writer wants or carries, not the patient: 想要孩子,
// 肚子里的宝宝, 生小孩.
var relationNotBefore = []string{"要", "生", "怀", "怀了", "想要", "备孕", "打掉", "流掉", "没有", "没", "肚子里的", "肚里的", "胎", "怀的", "生了"}

// relationAgent are words after a relative that make the relative an
// agent acting for the writer, who is the patient: 我妈让我来问, 我老公陪我.
var relationAgent = []string{"说我", "让我", "叫我", "陪我", "带我", "觉得我", "担心我", "催我", "非要我", "逼我", "帮我挂", "给我挂", "喊我"}

var relationAgeRe = regexp.MustCompile(`^[^,.;!?]{0,6}?([0-9]{1,3}|[一二两三四五六七八九十]{1,3})(?:周)?岁`)

// FindRelation reports whether the writer speaks for someone else, and
// who: 我儿子, 孩子, 宝宝, 闺女 → "子女" (child true); 我妈, 我母亲, 老妈 →
// "母亲"; 我爸, 父亲 → "父亲"; 我老公, 丈夫 → "丈夫"; 我老婆, 妻子, 爱人 →
// "配偶"; 我爷爷, 奶奶, 外公, 姥姥 → "祖辈"; also 孙辈 (child true), 兄弟姐妹
// and 其他 (我朋友). The first relative that is not merely an agent (我妈让我
// 来问) or a wish (想要孩子) decides; a child with a stated adult age (我儿子
// 25岁) is not a child. "我" alone gives "", false.
//
// It is meant for an opening message: a family-history answer (我爸有高血压)
// also names relatives without speaking for them.
func FindRelation(text string) (relation string, child bool) {
	for i := 0; i < len(text); {
		w, ok := relationWords.at(text, i)
		if !ok {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			continue
		}
		e := i + len(w.w)
		i = e
		if w.v == "-" {
			continue
		}
		if clHasPrefix(text[e:], relationAgent...) {
			continue
		}
		if !strings.HasPrefix(w.w, "我") && clHasSuffix(strings.TrimSuffix(text[:e-len(w.w)], "的"), "我是", "我是他", "我是她", "我是患者", "我是病人") {
			continue // 我是奶奶: the writer, not the patient
		}
		if w.v == RelationChild || w.v == RelationGrandchild {
			if clHasSuffix(text[:e-len(w.w)], relationNotBefore...) {
				continue
			}
			if m := relationAgeRe.FindStringSubmatch(text[e:]); m != nil {
				if age, ok := ParseNumber(m[1]); ok && age >= 18 && !strings.Contains(m[0], "周") {
					return w.v, false
				}
			}
			return w.v, true
		}
		return w.v, false
	}
	return "", false
}
