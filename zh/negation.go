package zh

import (
	"strings"
	"unicode/utf8"
)

// Polarity says whether a mention is asserted, denied or uncertain.
type Polarity int

// Polarities.
const (
	Present Polarity = iota
	Absent
	Uncertain
)

func (p Polarity) String() string {
	switch p {
	case Absent:
		return "absent"
	case Uncertain:
		return "uncertain"
	}
	return "present"
}

// negationCues deny what follows them within the clause.
var negationCues = []string{"否认", "并无", "从未", "从没", "没有", "没", "无", "不", "未", "非"}

// uncertainCues make what follows uncertain within the clause.
var uncertainCues = []string{"是不是", "会不会", "有没有", "是否", "不确定", "不清楚", "不知道", "说不清", "好像", "似乎", "可能", "也许", "疑似", "怀疑"}

// notNegations are words that start with a negation cue but describe a
// complaint or an inability: 不舒服, 睡不着 (via its 不), 没劲, 无力.
var notNegations = []string{
	"不舒服", "不适", "不好", "不能", "不了", "不行", "不停", "不止", "不退", "不住", "不断",
	"不清", "不下", "不着", "不上", "不出", "不动", "不稳", "不畅", "不规律", "不规则",
	"不正常", "不对劲", "不对", "不够", "不足", "不良", "不全", "不齐", "不匀", "不太",
	"不少", "不大", "不小", "不久", "不然", "不管", "不过", "不但", "不仅",
	"没劲", "没力气", "没精神", "没胃口", "没食欲", "没法", "没办法", "没多久",
	"无力", "无法", "无意识", "无聊", "无精打采",
	"未知", "未成年", "非常", "不明", "不知", "不确定", "不清楚",
	// 无明显诱因出现发热 denies a cause, not the fever.
	"无明显诱因", "无诱因", "没有诱因", "没什么诱因", "无明显原因", "没有原因", "没什么原因",
}

// scopeBreakers end a negation scope: clause punctuation and contrast words.
var scopeBreakers = []string{",", ".", ";", "!", "?", ":", "\n", "但", "可是", "不过", "却", "而是", "只是", "就是", "然后", "后来", "现在", "目前", "还有", "又"}

// maxScopeRunes bounds how far a cue reaches; maxListRunes how far back a
// list it governs may begin.
const (
	maxScopeRunes = 12
	maxListRunes  = 64
	maxItemRunes  = 8 // a list item longer than this ends the list
)

// isList reports whether text, up to the word read, is the end of a list
// whose items follow its first 、: every item after it short.
func isList(text string) bool {
	i := strings.Index(text, "、")
	if i < 0 {
		return false
	}
	for _, item := range strings.Split(text[i+len("、"):], "、") {
		if utf8.RuneCountInString(item) > maxItemRunes {
			return false
		}
	}
	return true
}

// PolarityAt returns the polarity of the word starting at byte offset pos in
// normalised text: Absent when a negation cue governs it ("没有发烧",
// "否认高血压、糖尿病"), Uncertain under 好像/可能, Present otherwise.
// A negated negation ("不是没有") is Present.
func PolarityAt(text string, pos int) Polarity {
	if pos < 0 || pos > len(text) {
		return Present
	}
	// Only the current clause, and at most maxScopeRunes before the word:
	// a window of that many runes (and a breaker) is all that is read, so
	// a long message costs no more per word than a short one.
	start := pos - maxListRunes*utf8.UTFMax
	if start <= 0 {
		start = 0
	} else {
		for start < pos && !utf8.RuneStart(text[start]) {
			start++
		}
	}
	clause := text[start:pos]
	cut := 0
	for _, b := range scopeBreakers {
		if i := strings.LastIndex(clause, b); i >= 0 && i+len(b) > cut {
			cut = i + len(b)
		}
	}
	cut += start
	clause = text[cut:pos]
	// A cue governs a list to its end (无发热、咳痰、流涕、喘息、胸痛): only the
	// list's first item must be within reach of it.
	head := clause
	if isList(clause) {
		head = clause[:strings.Index(clause, "、")]
	}
	for utf8.RuneCountInString(head) > maxScopeRunes {
		_, w := utf8.DecodeRuneInString(clause)
		clause = clause[w:]
		head = head[w:]
		cut += w // text[cut:] and clause start at the same place
	}
	// Cues right after one another negate each other (不是没有); a cue after
	// other words starts afresh, each governing its own word (不痛不痒).
	negs, lastEnd := 0, -1
	uncertain := false
	for i := 0; i < len(clause); {
		rest := clause[i:]
		if w := matchAny(rest, uncertainCues); w > 0 {
			uncertain = true
			i += w
			continue
		}
		if w := matchAny(text[cut+i:], notNegations); w > 0 {
			i += w
			continue
		}
		if w := matchAny(rest, negationCues); w > 0 {
			// 睡不着, 喘不上: a 不 between two verbs is a complement, not a negation.
			if strings.HasPrefix(rest, "不") && i > 0 && isComplementVerb(clause[:i]) {
				i += w
				continue
			}
			if i == lastEnd || (lastEnd >= 0 && strings.HasPrefix(clause[lastEnd:i], "是")) {
				negs++
			} else {
				negs = 1
			}
			i += w
			lastEnd = i
			continue
		}
		_, w := utf8.DecodeRuneInString(rest)
		i += w
	}
	switch {
	case negs%2 == 1:
		return Absent
	case uncertain:
		return Uncertain
	}
	return Present
}

// complementVerbs take 不 as a potential complement (吃不下, 睡不着).
const complementVerbs = "睡吃喝喘看听站止说拉尿排咽咬抬走坐躺转弯握记想忍受憋呼吸"

func isComplementVerb(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(before)
	return strings.ContainsRune(complementVerbs, r)
}

// matchAny returns the byte length of the first word in ws that s starts
// with, or 0.
func matchAny(s string, ws []string) int {
	for _, w := range ws {
		if strings.HasPrefix(s, w) {
			return len(w)
		}
	}
	return 0
}
