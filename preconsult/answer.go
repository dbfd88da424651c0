package preconsult

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/triage"
	"github.com/daoyi-health/daoyi/zh"
)

// Answer reads the patient's answer to the current question into facts.
// It reports false when the message does not answer it (the flow then asks
// again, or lets another skill take the message); otherwise the facts are
// kept, follow-ups queued, and after the first answer the rest of the
// interview planned.
func (iv *Interviewer) Answer(st *State, text string, now time.Time) bool {
	q, ok := iv.questions[st.Current]
	if !ok || strings.TrimSpace(text) == "" {
		return false
	}
	turn := st.Turn + 1
	if q.ID == BasicsID {
		if !iv.readSubject(st, text) {
			return false
		}
		st.Turn = turn
		return true
	}
	facts, then, ok := iv.read(st, q, text, turn, now)
	if !ok {
		return false
	}
	st.Turn = turn
	if q.ID == ChiefID {
		iv.readSubject(st, text)
	}
	st.merge(facts)
	if len(then) > 0 {
		st.Queue = append(slices.Clone(then), st.Queue...)
	}
	if !st.Planned && q.ID == ChiefID {
		iv.plan(st)
	}
	return true
}

// AnswerSaid takes an answer to the chief complaint that the lexicon
// cannot read but the caller knows describes a complaint (the router read
// it as one): it is kept as said, and the interview goes on with the
// generic questions. It reports false for any other question, a question
// the patient asks, or an empty answer.
func (iv *Interviewer) AnswerSaid(st *State, text string, now time.Time) bool {
	norm := trimParticles(zh.Normalize(strings.TrimSpace(text)))
	if st.Current != ChiefID || norm == "" || asks(norm) {
		return false
	}
	st.Turn++
	iv.readSubject(st, text)
	st.merge(append(iv.Extract(text, iv.questions[ChiefID].Fills, st.Turn, ChiefID, "", now),
		record.Fact{Kind: record.KindNote, Value: norm, Status: record.Present, Turn: st.Turn, Quote: text, Question: ChiefID}))
	if !st.Planned {
		iv.plan(st)
	}
	return true
}

// Skip gives up the current question (after repeated answers that did not
// fit); after the first question it still plans the rest.
func (iv *Interviewer) Skip(st *State) {
	if !st.Planned && st.Current == ChiefID {
		iv.plan(st)
	}
	st.Current = ""
}

// read returns the facts an answer gives, the follow-ups it opens, and
// whether it answers the question at all.
func (iv *Interviewer) read(st *State, q *corpus.PCQuestion, text string, turn int, now time.Time) ([]record.Fact, []string, bool) {
	norm := zh.Normalize(strings.TrimSpace(text))
	of := iv.ofFor(st, q)
	fills := q.Fills
	if q.Kind == corpus.PCMany {
		// A list of symptoms ticked in words may say more (发烧，37度8).
		fills = append(slices.Clone(fills), record.KindSymptom, record.KindTemperature)
	}
	said := iv.Extract(text, fills, turn, q.ID, of, now)
	stamp := func(fs []corpus.PCFact, quote string) []record.Fact {
		var out []record.Fact
		for _, f := range fs {
			rf := record.Fact{Kind: f.Kind, Name: f.Name, Status: record.Status(f.Status), Value: f.Value, Number: f.Number,
				Turn: turn, Quote: quote, Question: q.ID}
			switch f.Kind {
			case record.KindSite, record.KindCharacter, record.KindSeverity, record.KindFrequency,
				record.KindAggravating, record.KindRelieving, record.KindDuration, record.KindOnset, record.KindTemperature:
				rf.Of = of
			}
			if rf.Status == "" && (f.Kind == record.KindSymptom || f.Kind == record.KindCare) {
				rf.Status = record.Present
			}
			out = append(out, rf)
		}
		return out
	}
	switch q.Kind {
	case corpus.PCMany:
		var facts []record.Fact
		chosen := false
		for _, o := range q.Options {
			if o.None && (norm == zh.Normalize(o.Label) || isNo(norm)) {
				for _, s := range q.Symptoms {
					if st.has(s) {
						continue // 都没有 to a list never denies what was said before (the complaint)
					}
					facts = append(facts, record.Fact{Kind: record.KindSymptom, Name: s, Status: record.Absent, Turn: turn, Quote: text, Question: q.ID})
				}
				return append(facts, said...), o.Then, true
			}
		}
		for _, o := range q.Options {
			if !o.None && strings.Contains(norm, zh.Normalize(o.Label)) {
				facts = append(facts, stamp(o.Facts, text)...)
				chosen = true
			}
		}
		facts = append(facts, said...)
		if only(norm) {
			// 只有咳嗽: the others asked about are absent.
			for _, s := range q.Symptoms {
				if !slices.ContainsFunc(facts, func(f record.Fact) bool { return f.Kind == record.KindSymptom && f.Name == s }) {
					facts = append(facts, record.Fact{Kind: record.KindSymptom, Name: s, Status: record.Absent, Turn: turn, Quote: text, Question: q.ID})
				}
			}
		}
		return facts, nil, chosen || len(said) > 0
	case corpus.PCOne, corpus.PCYesNo:
		if o, ok := choose(q, norm); ok {
			facts := stamp(o.Facts, text)
			if q.Kind == corpus.PCYesNo && len(o.Facts) == 0 && len(said) > 0 {
				// 有，青霉素过敏起疹子: the details are already here.
				return said, nil, true
			}
			if norm == zh.Normalize(o.Label) {
				return facts, o.Then, true // the button: its facts, not a reading of its words
			}
			// Typed words around a label: what the option says wins over
			// what the words say about the same thing.
			said = slices.DeleteFunc(said, func(f record.Fact) bool {
				return slices.ContainsFunc(facts, func(o record.Fact) bool { return o.Kind == f.Kind && (o.Name == "" || o.Name == f.Name) })
			})
			return append(facts, said...), o.Then, true
		}
		if len(said) > 0 {
			return said, nil, true
		}
		// 喝了几天止咳糖浆: an answer in words no option or extractor
		// knows, to a question that asks for one thing, is kept as said.
		if k := valueKind(q.Fills); k != "" && !isNo(norm) && !isUnsure(norm) && !isYes(norm) && !asks(norm) &&
			utf8.RuneCountInString(norm) >= 4 {
			return []record.Fact{{Kind: k, Value: trimParticles(norm), Status: record.Present, Turn: turn, Quote: text, Question: q.ID}}, nil, true
		}
		if q.Kind == corpus.PCYesNo {
			switch {
			case isNo(norm):
				return []record.Fact{{Kind: q.About, Name: q.Name, Status: record.Absent, Turn: turn, Quote: text, Question: q.ID}}, nil, true
			case isUnsure(norm):
				return []record.Fact{{Kind: q.About, Name: q.Name, Status: record.Uncertain, Turn: turn, Quote: text, Question: q.ID}}, nil, true
			case isYes(norm): // no option opens details (choose would have taken it)
				return []record.Fact{{Kind: q.About, Name: q.Name, Status: record.Present, Turn: turn, Quote: text, Question: q.ID}}, nil, true
			}
		}
		return nil, nil, false
	}
	// Free text. The chief complaint must name one; in words the lexicon
	// lacks (大便解不下来), it is kept as said when triage reads a complaint
	// in it, so that nothing the patient said is lost.
	if q.ID == ChiefID && !slices.ContainsFunc(said, func(f record.Fact) bool {
		return (f.Kind == record.KindSymptom || f.Kind == record.KindCondition) && f.Status == record.Present
	}) {
		if !iv.complaintIn(norm) {
			return nil, nil, false
		}
		said = append(said, record.Fact{Kind: record.KindNote, Value: trimParticles(norm), Status: record.Present, Turn: turn, Quote: text, Question: q.ID})
	}
	if len(said) > 0 {
		return said, nil, true
	}
	if q.ID == ChiefID {
		return nil, nil, false // no complaint in it: ask again
	}
	if isNo(norm) || isUnsure(norm) {
		return nil, nil, true // nothing to add
	}
	// A question that asks for one thing in the patient's words (how much
	// they smoke, which operation, what else to tell the doctor) keeps the
	// answer as its value.
	if k := valueKind(q.Fills); k != "" {
		return []record.Fact{{Kind: k, Value: trimParticles(norm), Status: record.Present, Turn: turn, Quote: text, Question: q.ID}}, nil, true
	}
	return nil, nil, false
}

// valueKinds are kinds whose value is the patient's own words.
var valueKinds = []string{record.KindNote, record.KindCare, record.KindSmoking, record.KindDrinking, record.KindOperation,
	record.KindTrigger, record.KindCharacter, record.KindMenstrual}

// valueKind returns the kind a free question's answer becomes as it is:
// the question's only fill, or note, when it is one of valueKinds.
func valueKind(fills []string) string {
	if slices.Contains(fills, record.KindNote) {
		return record.KindNote
	}
	if len(fills) == 1 && slices.Contains(valueKinds, fills[0]) {
		return fills[0]
	}
	if len(fills) == 1 && (fills[0] == record.KindCare || fills[0] == record.KindMedicine) {
		return fills[0] // 喝了几天止咳糖浆: a medicine the lexicon lacks, kept as said
	}
	return ""
}

// choose finds the option an answer picks: its label, or a short reply
// holding a label ("是的，有过敏"), the longest label first so that 没有
// is not read as 有.
func choose(q *corpus.PCQuestion, norm string) (corpus.PCOption, bool) {
	for _, o := range q.Options {
		if norm == zh.Normalize(o.Label) {
			return o, true
		}
	}
	if utf8.RuneCountInString(norm) <= 20 {
		for _, o := range q.Options {
			for _, w := range o.Also {
				if strings.Contains(norm, zh.Normalize(w)) {
					return o, true
				}
			}
		}
	}
	if utf8.RuneCountInString(norm) > 10 {
		if o, ok := closest(q.Options, norm); ok && utf8.RuneCountInString(norm) <= 30 {
			return o, true
		}
		return corpus.PCOption{}, false
	}
	opts := slices.Clone(q.Options)
	slices.SortStableFunc(opts, func(a, b corpus.PCOption) int { return len(b.Label) - len(a.Label) })
	for _, o := range opts {
		if l := zh.Normalize(o.Label); l != "" && strings.Contains(norm, l) {
			return o, true
		}
	}
	if o, ok := closest(q.Options, norm); ok {
		return o, true
	}
	// A bare no picks the option that denies; a bare yes the one that
	// opens the details (or affirms).
	for _, o := range q.Options {
		denies := len(o.Facts) > 0 && o.Facts[0].Status == string(record.Absent) || o.None
		if isNo(norm) && denies {
			return o, true
		}
	}
	if isYes(norm) {
		for _, o := range q.Options {
			if len(o.Then) > 0 {
				return o, true
			}
		}
	}
	return corpus.PCOption{}, false
}

// closest picks the option a typed answer says in other words: the one
// whose label holds the answer (没抽过 in 从来没抽过), else the one sharing
// the most character pairs with it (精神还行，能玩能笑 and 精神好，能玩),
// when one shares clearly more than the others and says no where the
// answer does (没有推迟 never picks 有漏种或推迟).
func closest(opts []corpus.PCOption, norm string) (corpus.PCOption, bool) {
	if utf8.RuneCountInString(norm) >= 2 {
		for _, o := range opts {
			if strings.Contains(zh.Normalize(o.Label), norm) {
				return o, true
			}
		}
	}
	pairs, chars := bigrams(norm), hanChars(norm)
	best, second, at := 0, 0, -1
	for i, o := range opts {
		l := zh.Normalize(o.Label)
		if negationConflict(norm, l) || negationConflict(l, norm) {
			continue
		}
		n := 0
		for p := range bigrams(l) {
			if pairs[p] {
				n += 2
			}
		}
		for c := range hanChars(l) {
			if chars[c] {
				n++ // 黄痰 and 黄色或绿色的痰 share no pair, but 黄 and 痰
			}
		}
		switch {
		case n > best:
			best, second, at = n, best, i
		case n > second:
			second = n
		}
	}
	if at < 0 || best == 0 || best == second {
		return corpus.PCOption{}, false
	}
	return opts[at], true
}

// bigrams are a text's pairs of Han characters.
func bigrams(s string) map[string]bool {
	out := map[string]bool{}
	var prev rune
	for _, r := range s {
		if zh.IsHan(r) && prev != 0 {
			out[string(prev)+string(r)] = true
		}
		if zh.IsHan(r) {
			prev = r
		} else {
			prev = 0
		}
	}
	return out
}

// commonChars carry no meaning of an option's own.
const commonChars = "的了有是在一个也都很就还我他她它这那会能"

// hanChars are a text's Han characters but the common ones.
func hanChars(s string) map[rune]bool {
	out := map[rune]bool{}
	for _, r := range s {
		if zh.IsHan(r) && !strings.ContainsRune(commonChars+"没不无未", r) {
			out[r] = true
		}
	}
	return out
}

// negationConflict reports whether a says no to something b says without
// a no: a negation in a right before a character b holds (没有推迟 against
// 有漏种或推迟), while b has no negation of its own.
func negationConflict(a, b string) bool {
	if strings.ContainsAny(b, "没不无未") {
		return false
	}
	rs := []rune(a)
	for i, r := range rs {
		if !strings.ContainsRune("没不无未", r) {
			continue
		}
		for j := i + 1; j < len(rs) && j <= i+3; j++ {
			if strings.ContainsRune(b, rs[j]) && !strings.ContainsRune("没不无未", rs[j]) {
				return true
			}
		}
	}
	return false
}

// particles are the softeners a reply may carry (没有哦, 有的呀).
const particles = "啊呀哦噢喔呢吧的了嘛啦哈嗯额诶~～…。.!！,，"

func trimParticles(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), particles)
}

var noWords = []string{"没有", "没得", "没", "无", "不", "否", "都没有", "都没", "都不", "没有过", "从来没有", "从没有", "从没", "没什么",
	"没啥", "不是", "没用过", "没吃过", "没吃", "没用", "没看过", "没看", "不抽", "不喝", "没事", "也没有", "暂时没有", "一般没有",
	"好像没有", "应该没有", "没有了", "无过敏", "没过敏", "不过敏", "都正常", "正常", "没有别的", "没别的", "没有其他", "没其他", "没有不舒服"}

var yesWords = []string{"有", "是", "是的", "对", "对的", "嗯", "嗯嗯", "有过", "有的", "吃过", "用过", "有点", "有一点", "好像有", "抽", "喝"}

var unsureWords = []string{"不知道", "不清楚", "不确定", "说不清", "记不清", "忘了", "不记得", "不太清楚", "不太确定", "说不好"}

// topics are what a "no" may name: 没有过敏, 不抽烟, 没做过手术.
var topics = []string{"过敏", "抽烟", "吸烟", "喝酒", "饮酒", "手术", "吃药", "用药", "吃过药", "用过药", "看过", "去过医院",
	"检查", "病", "毛病", "慢性病", "其他的", "别的", "不舒服", "做过", "做过手术", "输过血", "怀孕", "诱因"}

// isNo reports whether a short reply only says no: 没有, 没有过敏, 不抽烟.
func isNo(s string) bool {
	if inWords(s, noWords) {
		return true
	}
	s = trimParticles(zh.Normalize(s))
	for _, p := range []string{"都", "也", "一般", "好像", "应该", "暂时", "基本"} {
		s = strings.TrimPrefix(s, p)
	}
	for _, w := range []string{"啥子", "什么", "啥", "任何"} {
		s = strings.Replace(s, w, "", 1) // 没得啥子诱因, 没有什么病
	}
	for _, n := range []string{"从来没有", "从来不", "从没有", "从没", "从不", "没有", "没得", "没", "无", "不", "否认"} {
		if rest, ok := strings.CutPrefix(s, n); ok {
			for _, r := range []string{rest, strings.TrimPrefix(rest, "有"), strings.TrimPrefix(rest, "过"), strings.TrimPrefix(rest, "有过")} {
				if r == "" || slices.Contains(topics, r) {
					return true
				}
			}
			return false
		}
	}
	return false
}

func isYes(s string) bool { return inWords(s, yesWords) }

func isUnsure(s string) bool { return inWords(s, unsureWords) }

func inWords(s string, words []string) bool {
	s = strings.TrimLeft(trimParticles(zh.Normalize(s)), "嗯额呃哦噢,， ")
	s = strings.TrimRight(s, particles)
	if slices.Contains(words, s) {
		return true
	}
	// 都没有, 也没得, 一般没有: the same answer softened.
	for _, p := range []string{"都", "也", "一般", "好像", "应该", "暂时", "基本"} {
		if rest, ok := strings.CutPrefix(s, p); ok && slices.Contains(words, rest) {
			return true
		}
	}
	return false
}

// only reports whether a reply limits itself (只有咳嗽, 就是咳嗽).
func only(s string) bool {
	return strings.HasPrefix(s, "只有") || strings.HasPrefix(s, "就") || strings.HasPrefix(s, "仅")
}

// readSubject reads who the patient is from the first answer: someone
// answering for a child or a parent (我家宝宝, 我妈), the age and sex when
// said. What the hospital passed is kept.
func (iv *Interviewer) readSubject(st *State, text string) (learned bool) {
	norm := zh.Normalize(text)
	before := *st
	defer func() {
		learned = st.Subject != before.Subject || st.Child != before.Child || selfSaid(norm)
	}()
	if rel, isChild := zh.FindRelation(norm); rel != "" || isChild {
		st.Subject.Proxy = true
		if st.Subject.Relation == "" {
			st.Subject.Relation = rel
		}
		if isChild {
			st.Child = true
		}
	}
	if !st.KnownAge && st.Current == BasicsID {
		// Who the patient is: any age said is theirs (8个月, 女，28, 70了).
		for _, d := range zh.FindDurations(norm) {
			switch {
			case d.Unit == zh.Month && d.Value < 36 && !d.Ago:
				st.Subject.Months, st.Subject.Age = int(d.Value), int(d.Value)/12
			case d.Unit == zh.Year && d.Value < 130 && !d.Ago:
				st.Subject.Age = int(d.Value)
			}
		}
		if st.Subject.Age == 0 && st.Subject.Months == 0 {
			if m := bareAge.FindStringSubmatch(norm); m != nil {
				if v, ok := zh.ParseNumber(m[1]); ok && v > 0 && v < 130 {
					st.Subject.Age = int(v)
				}
			}
		}
		if st.Subject.Months > 0 || st.Subject.Age > 0 && st.Subject.Age < 14 {
			st.Child = true
		}
	}
	if !st.KnownSex {
		for _, c := range strings.FieldsFunc(norm, func(r rune) bool { return strings.ContainsRune(clauseMarks+"，。、", r) }) {
			switch strings.TrimPrefix(strings.TrimPrefix(c, "性别"), "是") {
			case "男", "男的", "男性", "男孩", "男宝":
				st.Subject.Sex = "male"
			case "女", "女的", "女性", "女孩", "女宝":
				st.Subject.Sex = "female"
			}
		}
	}
	if iv.rec == nil {
		return false
	}
	f := iv.rec.Extract(norm, triage.Profile{})
	if !st.KnownAge && f.Age > 0 {
		if f.Age < 2 {
			st.Subject.Months = int(f.Age*12 + 0.5)
		} else {
			st.Subject.Age = int(f.Age)
		}
	}
	if f.Has(corpus.AttrChild) {
		st.Child = true
	}
	if !st.KnownSex {
		switch {
		case f.Has(corpus.AttrMale) && !f.Has(corpus.AttrFemale):
			st.Subject.Sex = "male"
		case f.Has(corpus.AttrFemale) && !f.Has(corpus.AttrMale):
			st.Subject.Sex = "female"
		}
	}
	if f.Has(corpus.AttrPregnant) && !st.Subject.Pregnant {
		st.Subject.Pregnant = true
		st.merge([]record.Fact{{Kind: record.KindObstetric, Name: pregnantName, Status: record.Present, Turn: st.Turn + 1, Quote: text, Question: st.Current}})
	}
	return false
}

// bareAge is an age said as a bare number in the basics answer (女，28;
// 70了).
var bareAge = regexp.MustCompile(`(?:^|[^\d.])(\d{1,3}|[一二三四五六七八九十]{1,3})(?:周岁|岁|了|多)?(?:$|[,，\s了])`)

// pregnantName names the pregnancy fact (the pregnancy question's).
const pregnantName = "怀孕"

// complainsIn reports whether triage reads anything of a complaint in
// words the lexicon lacks (a body part, a pair of characters that belongs
// to a department's words).
func (iv *Interviewer) complaintIn(norm string) bool {
	if iv.rec == nil || asks(norm) || isNo(norm) || isUnsure(norm) {
		return false
	}
	f := iv.rec.Extract(norm, triage.Profile{})
	for _, t := range f.Present {
		if !slices.Contains(corpus.Attributes, t) {
			return true
		}
	}
	return len(f.Partial) > 0
}

// asks reports whether the patient asks something rather than answers
// (挂号怎么挂？): a question mark, or a question word. zh.IsQuestion is
// wider (it reads 解不下来 as a question's 不), too wide for this.
func asks(norm string) bool {
	if strings.ContainsAny(norm, "?？") {
		return true
	}
	for _, w := range []string{"吗", "怎么办", "怎么", "为什么", "哪里", "哪儿", "能不能", "可不可以", "要不要", "是不是", "多少钱"} {
		if strings.Contains(norm, w) {
			return true
		}
	}
	return false
}

// has reports whether a symptom was said present.
func (st *State) has(name string) bool {
	return slices.ContainsFunc(st.Facts, func(f record.Fact) bool {
		return f.Kind == record.KindSymptom && f.Name == name && f.Status == record.Present
	})
}

// ofFor is the complaint a question's qualifiers belong to: its module's
// complaint when the patient has it, else the interview's focus.
func (iv *Interviewer) ofFor(st *State, q *corpus.PCQuestion) string {
	if m := iv.module[q.ID]; m != nil {
		for _, c := range m.Complaints {
			if st.has(c) {
				return c
			}
		}
	}
	return st.focus()
}

// selfSaid reports whether a reply says the patient is the writer (我本人,
// 是我自己): an answer to who the patient is, though nothing changes.
func selfSaid(s string) bool {
	return strings.Contains(s, "本人") || strings.Contains(s, "自己") || s == "是" || s == "是的" || s == "我"
}

// merge adds new facts; a fact that says again what an earlier one said
// (the same kind, name and the same thing it qualifies) replaces it: the
// later answer is the patient's correction.
func (st *State) merge(facts []record.Fact) {
	for _, f := range facts {
		i := slices.IndexFunc(st.Facts, func(g record.Fact) bool { return same(f, g) })
		if i >= 0 && f.Kind == record.KindSymptom && f.Status != record.Present && f.Question != correctionID &&
			st.Facts[i].Status == record.Present && st.Facts[i].Question == ChiefID {
			continue // a later question's 没有 never takes back the complaint; a correction may
		}
		if i >= 0 && f.Kind == record.KindSymptom && f.Status == st.Facts[i].Status && f.Question != correctionID {
			// Said again (ticked in a list): the first saying, the
			// complaint's, stands; what the new one adds (重度) is kept.
			if f.Value != "" && st.Facts[i].Value == "" {
				st.Facts[i].Value = f.Value
			}
			continue
		}
		if i >= 0 {
			if f.Question == correctionID {
				f.Question = st.Facts[i].Question // still the answer to that question, corrected
			}
			st.Facts[i] = f
		} else {
			st.Facts = append(st.Facts, f)
		}
	}
}

// same reports whether two facts are about the same thing, so that the
// later replaces the earlier.
func same(a, b record.Fact) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case record.KindSymptom, record.KindCondition, record.KindMedicine, record.KindAllergy, record.KindFamily:
		return a.Name == b.Name && (a.Name != "" || a.Status == b.Status || a.Status == record.Absent || b.Status == record.Absent)
	case record.KindNote, record.KindCare, record.KindOperation:
		return a.Question == b.Question && a.Value == b.Value
	case record.KindSite:
		return a.Of == b.Of && a.Name == b.Name
	}
	return a.Of == b.Of
}

// correctionID marks facts read from a correction at the summary.
const correctionID = "correction"

// correctKinds are read from a correction at the summary: anything the
// patient may set right.
var correctKinds = []string{record.KindSymptom, record.KindDuration, record.KindOnset, record.KindTemperature,
	record.KindSeverity, record.KindFrequency, record.KindSite, record.KindMedicine, record.KindAllergy,
	record.KindCondition}

// Correct reads a correction given at the summary ("发烧是4天不是3天",
// "其实不咳嗽", "对青霉素过敏") and merges it over what was said; it
// returns how many facts it read.
func (iv *Interviewer) Correct(st *State, text string, now time.Time) int {
	facts := iv.Extract(text, correctKinds, st.Turn+1, correctionID, st.Complaint, now)
	// "是4天不是3天": the negated value is the old one.
	facts = slices.DeleteFunc(facts, func(f record.Fact) bool {
		return (f.Kind == record.KindDuration || f.Kind == record.KindOnset || f.Kind == record.KindTemperature) && isNegatedAt(text, f.Quote)
	})
	if len(facts) == 0 {
		return 0
	}
	st.Turn++
	st.merge(facts)
	return len(facts)
}

// isNegatedAt reports whether the words quote follow 不是 in text.
func isNegatedAt(text, quote string) bool {
	norm := zh.Normalize(text)
	i := strings.Index(norm, quote)
	return i >= 0 && strings.HasSuffix(norm[:i], "不是")
}

// Progress returns how many questions were asked and about how many
// there will be in all.
func (iv *Interviewer) Progress(st *State) (asked, total int) {
	asked = len(st.Asked)
	total = asked
	for _, id := range st.Queue {
		if q, ok := iv.questions[id]; ok && !slices.Contains(st.Asked, id) && st.fits(q.When) {
			total++
		}
	}
	if !st.Planned {
		total += iv.q.ModuleQuestions + len(iv.q.Closing) - 2
	}
	return asked, min(total, iv.q.MaxQuestions)
}
