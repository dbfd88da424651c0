package preconsult

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/zh"
)

// reading is one answer being read: the normalised text, its clauses, the
// lexicon's words in it, and where the facts go.
type reading struct {
	text     string
	mentions []zh.Mention
	turn     int
	question string
	of       string // the complaint the answer is about
	now      time.Time
	facts    []record.Fact
}

func (r *reading) add(f record.Fact) {
	f.Turn, f.Question = r.turn, r.question
	r.facts = append(r.facts, f)
}

// clause returns the clause around byte offset i: between the clause
// punctuation before and after it.
func (r *reading) clause(i int) (start, end int) {
	start = strings.LastIndexAny(r.text[:i], clauseMarks) + 1
	end = strings.IndexAny(r.text[i:], clauseMarks)
	if end < 0 {
		end = len(r.text)
	} else {
		end += i
	}
	return start, end
}

const clauseMarks = ",.;!?:\n "

// clauses splits the text into its clauses, with their offsets.
func (r *reading) clauses() [][2]int {
	var out [][2]int
	start := 0
	for i := 0; i <= len(r.text); i++ {
		if i == len(r.text) || strings.IndexByte(clauseMarks, r.text[i]) >= 0 {
			if i > start {
				out = append(out, [2]int{start, i})
			}
			start = i + 1
		}
	}
	return out
}

// Extract reads an answer into facts of the given kinds. turn and question
// are recorded on every fact; of is the complaint the answer is about (the
// symptom a duration or a site belongs to when the answer names none).
func (iv *Interviewer) Extract(text string, kinds []string, turn int, question, of string, now time.Time) []record.Fact {
	r := &reading{text: zh.Normalize(text), turn: turn, question: question, of: of, now: now}
	r.mentions = iv.lex.FindAll(r.text)
	want := map[string]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	if want[record.KindSymptom] {
		iv.symptoms(r)
	}
	if want[record.KindDuration] || want[record.KindOnset] {
		iv.durations(r, want)
	}
	if want[record.KindTemperature] {
		for _, t := range zh.FindTemperatures(r.text) {
			v := fmt.Sprintf("%g℃", t.Celsius)
			r.add(record.Fact{Kind: record.KindTemperature, Value: v, Number: t.Celsius, Of: r.nearestSymptom(t.Start), Quote: t.Text})
		}
	}
	if want[record.KindSeverity] {
		for _, s := range zh.FindSeverity(r.text) {
			f := record.Fact{Kind: record.KindSeverity, Value: iv.draft["severity."+s.Level], Of: r.nearestSymptom(s.Start), Quote: s.Text}
			if s.Score >= 0 {
				f.Number, f.Value = s.Score, "" // a score said is written as the score
			}
			// 有点咳嗽 is no grading: only a score or strong words are.
			if f.Number > 0 || f.Value != "" && s.Level != zh.LevelMild {
				r.add(f)
			}
		}
	}
	if want[record.KindFrequency] {
		for _, fr := range zh.FindFrequency(r.text) {
			v := fr.Text
			if fr.Count == 0 && iv.draft["frequency."+fr.Pattern] != "" {
				v = iv.draft["frequency."+fr.Pattern] // 一阵一阵的 → 阵发性
			}
			r.add(record.Fact{Kind: record.KindFrequency, Value: v, Of: r.nearestSymptom(fr.Start), Quote: fr.Text})
		}
	}
	if want[record.KindSite] {
		iv.sites(r)
	}
	if want[record.KindMedicine] {
		iv.medicines(r)
	}
	if want[record.KindAllergy] {
		iv.allergies(r)
	}
	if want[record.KindCondition] {
		iv.conditions(r, record.KindCondition)
	}
	if want[record.KindFamily] {
		iv.family(r)
	}
	if want[record.KindLMP] {
		for _, tp := range zh.FindTimes(r.text, now) {
			f := record.Fact{Kind: record.KindLMP, Value: tp.Text, Quote: tp.Text}
			if !tp.Date.IsZero() {
				f.Date = tp.Date.Format(time.DateOnly)
			}
			r.add(f)
			break
		}
	}
	if want[record.KindGeneral] {
		iv.general(r)
	}
	for _, k := range []string{record.KindTrigger, record.KindAggravating, record.KindRelieving, record.KindCharacter,
		record.KindCare, record.KindOperation, record.KindSmoking, record.KindDrinking, record.KindMenstrual} {
		if want[k] {
			iv.cued(r, k)
		}
	}
	return r.attach(dedupe(r.facts, r.question == correctionID))
}

// qualifiers are the kinds that belong to a symptom (Of).
var qualifiers = map[string]bool{record.KindDuration: true, record.KindOnset: true, record.KindSite: true,
	record.KindCharacter: true, record.KindSeverity: true, record.KindFrequency: true, record.KindTemperature: true}

// attach gives what no clause tied to a symptom (眼睛红…，两天了) to the
// symptoms of the answer's first clause that names any present: the first
// of them for a quality, each of them for how long (尿频尿急，…，一天了).
func (r *reading) attach(fs []record.Fact) []record.Fact {
	var first []string
	for _, c := range r.clauses() {
		for _, m := range r.mentions {
			if m.Type == "symptom" && m.Start >= c[0] && m.End <= c[1] && zh.PolarityAt(r.text, m.Start) == zh.Present &&
				!slices.Contains(first, m.Term) {
				first = append(first, m.Term)
			}
		}
		if len(first) > 0 {
			break
		}
	}
	if len(first) == 0 {
		// A pain made of a part (胸口…疼) is no lexicon word: the first
		// symptom read stands in.
		for _, f := range fs {
			if f.Kind == record.KindSymptom && f.Status == record.Present {
				first = []string{f.Name}
				break
			}
		}
	}
	if len(first) == 0 {
		return fs
	}
	n := len(fs)
	for i := 0; i < n; i++ {
		f := fs[i]
		if !qualifiers[f.Kind] || f.Of != "" {
			continue
		}
		fs[i].Of = first[0]
		if f.Kind != record.KindDuration && f.Kind != record.KindOnset {
			continue
		}
		for _, p := range first[1:] {
			if !slices.ContainsFunc(fs, func(g record.Fact) bool { return g.Kind == f.Kind && g.Of == p }) {
				g := f
				g.Of = p
				fs = append(fs, g)
			}
		}
	}
	return fs
}

// rank orders the statuses of one symptom said twice in one answer: said
// at all, it is present (之前拉肚子…是不是还在拉肚子); denied beats
// wondered about.
var rank = map[record.Status]int{record.Present: 3, record.Absent: 2, record.Uncertain: 1}

// dedupe keeps one fact per symptom or condition of one answer, at its
// first place, with the strongest status said — or, in a correction, the
// last (拉肚子是点错了，其实没有拉肚子: absent).
func dedupe(fs []record.Fact, lastWins bool) []record.Fact {
	out := fs[:0]
	at := map[string]int{}
	for _, f := range fs {
		if f.Kind != record.KindSymptom && f.Kind != record.KindCondition {
			out = append(out, f)
			continue
		}
		k := f.Kind + "\x00" + f.Name
		if i, ok := at[k]; ok {
			if lastWins || rank[f.Status] > rank[out[i].Status] {
				out[i].Status = f.Status
			}
			continue
		}
		at[k] = len(out)
		out = append(out, f)
	}
	return out
}

// symptoms adds every symptom word with its polarity (没有发烧 → absent).
// A disease named where symptoms are asked for is the reason for the visit
// (高血压复查), kept as a condition.
func (iv *Interviewer) symptoms(r *reading) {
	for _, m := range r.mentions {
		switch m.Type {
		case "body":
			// 胸口针扎一样疼, 脖子酸疼: a part and a pain in one clause make
			// the part's pain, when the lexicon has it (胸痛, 颈痛).
			if term := iv.painOf(r, m); term != "" {
				r.add(record.Fact{Kind: record.KindSymptom, Name: term, Status: status(zh.PolarityAt(r.text, m.Start)), Quote: m.Surface})
			}
		case "symptom":
			r.add(record.Fact{Kind: record.KindSymptom, Name: m.Term, Status: status(zh.PolarityAt(r.text, m.Start)), Quote: m.Surface})
		case "disease":
			// Only the reason for the visit (高血压复查) or a recorded
			// consultation's: a disease named in another answer (感冒后开始
			// 咳) is no past illness of the patient's.
			if r.question != ChiefID && r.question != "" {
				continue
			}
			if zh.PolarityAt(r.text, m.Start) == zh.Present && !iv.inFamilyClause(r, m.Start) {
				r.add(record.Fact{Kind: record.KindCondition, Name: m.Term, Status: record.Present, Quote: m.Surface})
			}
		}
	}
}

// painOf returns the pain of a body part (胸部 and 疼 → 胸痛), when the
// lexicon has that term: the pain said in the part's clause, or in the
// clause right after it when that one names no part (大脚趾头又红又肿，
// 疼得要命), and no pain word of the lexicon already says it.
func (iv *Interviewer) painOf(r *reading, m zh.Mention) string {
	start, end := r.clause(m.Start)
	pained := func(s, e int) bool {
		if !strings.ContainsAny(r.text[s:e], "疼痛") {
			return false
		}
		for _, o := range r.mentions {
			if o.Start >= s && o.End <= e && (o.Type == "symptom" && strings.ContainsAny(o.Term, "疼痛") || o.Type == "body" && o.Start != m.Start) {
				return false // said by a pain word already, or the pain of another part
			}
		}
		return true
	}
	ok := pained(start, end)
	if !ok && end < len(r.text) && !strings.ContainsAny(r.text[start:end], "疼痛") {
		ns, ne := r.clause(end + 1)
		ok = pained(ns, ne)
	}
	if !ok {
		return ""
	}
	stem := strings.TrimSuffix(m.Term, "部")
	for _, cand := range []string{stem + "痛", stem + "部疼痛", stem + "疼"} {
		if typ, found := iv.lex.TypeOf(cand); found && typ == "symptom" {
			return cand
		}
	}
	return ""
}

func status(p zh.Polarity) record.Status {
	switch p {
	case zh.Absent:
		return record.Absent
	case zh.Uncertain:
		return record.Uncertain
	}
	return record.Present
}

// nearestSymptom returns the symptom word closest before byte offset i in
// its clause (else after it in the clause, else the complaint).
func (r *reading) nearestSymptom(i int) string {
	start, end := r.clause(i)
	best, after := "", ""
	for _, m := range r.mentions {
		// A disease holds its own durations (高血压五六年了): they are not
		// the complaint's.
		if m.Type != "symptom" && m.Type != "disease" {
			continue
		}
		if m.Start >= start && m.End <= i {
			best = m.Term
		} else if m.Start >= i && m.End <= end && after == "" {
			after = m.Term
		}
	}
	switch {
	case best != "":
		return best
	case after != "":
		return after
	}
	return r.of
}

// durations adds how long (咳嗽一周多 → duration) and since when (3天前,
// 前天晚上 → onset), each tied to the nearest symptom.
func (iv *Interviewer) durations(r *reading, want map[string]bool) {
	taken := []([2]int){}
	var freqs [][2]int
	for _, f := range zh.FindFrequency(r.text) {
		freqs = append(freqs, [2]int{f.Start, f.End})
	}
	for _, d := range zh.FindDurations(r.text) {
		// 一个小时咳六次 is how often, 宝宝7个月 how old: not how long.
		if overlaps(freqs, d.Start, d.End) || isAge(r.text, d.Start, d.End) {
			continue
		}
		of := r.nearestSymptom(d.Start)
		days := d.Days()
		if d.Vague && d.Value == 0 {
			days = 0 // 几天: how many is not known
		}
		// Listed together before it (咳嗽、流鼻涕两天), the symptoms share
		// it: the others of its clause get a fact of their own.
		if !d.Ago && want[record.KindDuration] {
			start, _ := r.clause(d.Start)
			for _, m := range r.mentions {
				if m.Type == "symptom" && m.Start >= start && m.End <= d.Start && m.Term != of &&
					zh.PolarityAt(r.text, m.Start) == zh.Present {
					r.add(record.Fact{Kind: record.KindDuration, Value: d.Text, Days: days, Of: m.Term, Quote: d.Text})
				}
			}
		}
		if d.Ago && want[record.KindOnset] {
			r.add(record.Fact{Kind: record.KindOnset, Value: d.Text, Days: days, Of: of, Quote: d.Text})
			taken = append(taken, [2]int{d.Start, d.End})
			continue
		}
		if !d.Ago && want[record.KindDuration] {
			if d.Vague {
				days = 0
			}
			r.add(record.Fact{Kind: record.KindDuration, Value: d.Text, Days: days, Of: of, Quote: d.Text})
			taken = append(taken, [2]int{d.Start, d.End})
		}
	}
	if !want[record.KindOnset] {
		return
	}
	for _, tp := range zh.FindTimes(r.text, r.now) {
		if overlaps(taken, tp.Start, tp.End) || tp.Date.IsZero() && tp.DaysAgo == 0 {
			continue // 晚上 alone is when in the day, not since when
		}
		f := record.Fact{Kind: record.KindOnset, Value: tp.Text, Days: tp.DaysAgo, Of: r.nearestSymptom(tp.Start), Quote: tp.Text}
		if !tp.Date.IsZero() {
			f.Date = tp.Date.Format(time.DateOnly)
		}
		r.add(f)
	}
}

// isAge reports whether a duration is someone's age: 7个月大, 宝宝3岁,
// 两个月的宝宝.
func isAge(text string, start, end int) bool {
	after := text[end:]
	before := text[max(0, start-12):start]
	for _, w := range []string{"大", "的宝", "的孩子", "的小孩", "的婴儿", "零", "宝宝", "宝贝", "婴儿", "孩子", "小孩",
		"男宝", "女宝", "男孩", "女孩", "新生儿", "患儿"} {
		if strings.HasPrefix(after, w) {
			return true
		}
	}
	for _, w := range []string{"宝宝", "宝贝", "孩子", "小孩", "儿子", "女儿", "患儿", "婴儿", "今年", "现在", "才", "岁"} {
		if strings.HasSuffix(before, w) {
			return true
		}
	}
	return false
}

func overlaps(spans [][2]int, start, end int) bool {
	for _, s := range spans {
		if start < s[1] && s[0] < end {
			return true
		}
	}
	return false
}

// sites adds body parts, with the side when said (左下腹).
func (iv *Interviewer) sites(r *reading) {
	sides := zh.FindSides(r.text)
	for _, m := range r.mentions {
		if m.Type != "body" || zh.PolarityAt(r.text, m.Start) == zh.Absent {
			continue
		}
		f := record.Fact{Kind: record.KindSite, Name: m.Term, Of: r.nearestSymptom(m.Start), Quote: m.Surface}
		// 肚脐周围, 眼睛周围: around a part is its own place (脐周, 眼周).
		if rest := r.text[m.End:]; strings.HasPrefix(rest, "周围") || strings.HasPrefix(rest, "四周") {
			f.Name = strings.TrimSuffix(m.Term, "部") + "周"
		}
		for _, s := range sides {
			if s.End <= m.End && s.End >= m.Start-9 || s.Start >= m.Start && s.Start < m.End {
				f.Value = iv.sideWord(s)
				if isPosition(s.Part) && strings.HasSuffix(m.Term, "部") {
					// 右下 and 腹部 are the 右下腹: one place.
					f.Name, f.Value = f.Value+strings.TrimSuffix(m.Term, "部"), ""
				}
				break
			}
		}
		r.add(f)
	}
	if !slices.ContainsFunc(r.facts, func(f record.Fact) bool { return f.Kind == record.KindSite }) {
		for _, s := range sides {
			if s.Side == "" && s.Part == "" {
				continue
			}
			// 右下 followed by 腹: the part of the body belongs to it.
			v := iv.sideWord(s)
			f := record.Fact{Kind: record.KindSite, Value: v, Of: r.nearestSymptom(s.Start), Quote: v}
			if c, n := utf8.DecodeRuneInString(r.text[s.End:]); n > 0 && strings.ContainsRune(bodyChars, c) && !strings.ContainsRune(v, c) {
				if isPosition(s.Part) {
					f.Name, f.Value = string([]rune(s.Text)[:1])+s.Part+string(c), "" // 右下腹: one place
					if s.Side == "" {
						f.Name = s.Part + string(c) // 上腹
					}
				} else {
					f.Value += string(c)
				}
				f.Quote = r.text[s.Start : s.End+n]
			}
			r.add(f)
		}
	}
}

// sideWord writes a side as a record does: 左侧, 右侧, 双侧, or the side
// with the position (左下, 右上) when one was said.
func (iv *Interviewer) sideWord(s zh.Side) string {
	side := iv.draft["side."+s.Side]
	switch {
	case s.Part == "":
		return side
	case side == "":
		return s.Part
	}
	return strings.TrimSuffix(side, iv.draft["side.suffix"]) + s.Part
}

// isPosition reports whether a side's part is a position within a part of
// the body (上, 左下, 中间), not the part itself.
func isPosition(p string) bool {
	if p == "" {
		return false
	}
	for _, r := range p {
		if !strings.ContainsRune("上下中前后内外间边侧", r) {
			return false
		}
	}
	return true
}

// bodyChars may follow a side word as the part it names (右下腹, 左膝).
const bodyChars = "腹胸背腰头眼耳手脚腿臂膝肩颈肋足髋踝腕肘"

// medicines adds the drugs named, with the dose said in their clause;
// 没吃药 → no medicine.
func (iv *Interviewer) medicines(r *reading) {
	doses := zh.FindDoses(r.text)
	found := false
	for _, m := range r.mentions {
		if m.Type != "drug" {
			continue
		}
		found = true
		start, end := r.clause(m.Start)
		f := record.Fact{Kind: record.KindMedicine, Name: m.Term, Status: status(zh.PolarityAt(r.text, m.Start)), Quote: r.text[start:end]}
		for _, d := range doses {
			if d.Start >= start && d.End <= end+40 && d.Start >= m.Start {
				f.Value = d.Text
				break
			}
		}
		r.add(f)
	}
	if !found && isNo(r.text) {
		r.add(record.Fact{Kind: record.KindMedicine, Status: record.Absent, Quote: r.text})
	}
}

// allergies adds each allergen (a drug, or a food of the corpus's list)
// with the reaction said in its clause.
func (iv *Interviewer) allergies(r *reading) {
	type hit struct {
		name       string
		start, end int
	}
	var hits []hit
	for _, m := range r.mentions {
		if m.Type == "drug" {
			hits = append(hits, hit{m.Term, m.Start, m.End})
		}
	}
	for _, a := range iv.allergens {
		for i := 0; ; {
			j := strings.Index(r.text[i:], a)
			if j < 0 {
				break
			}
			s := i + j
			if !slices.ContainsFunc(hits, func(h hit) bool { return s >= h.start && s < h.end }) {
				hits = append(hits, hit{a, s, s + len(a)})
			}
			i = s + len(a)
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return a.start - b.start })
	for _, h := range hits {
		start, end := r.clause(h.start)
		// The reaction may follow in the next clause: 对青霉素过敏，起疹子.
		if next := end + 1; next < len(r.text) {
			_, e2 := r.clause(next)
			end = e2
		}
		var reactions []string
		for _, m := range r.mentions {
			if m.Type == "symptom" && m.Start >= start && m.End <= end && !slices.Contains(reactions, m.Term) {
				reactions = append(reactions, m.Term)
			}
		}
		st := record.Present
		if zh.PolarityAt(r.text, h.start) == zh.Absent {
			st = record.Absent
		}
		r.add(record.Fact{Kind: record.KindAllergy, Name: h.name, Status: st, Value: strings.Join(reactions, "、"),
			Quote: r.text[start:min(end, len(r.text))]})
	}
	if len(hits) == 0 {
		switch {
		case isNo(r.text):
			r.add(record.Fact{Kind: record.KindAllergy, Status: record.Absent, Quote: r.text})
		case isUnsure(r.text):
			r.add(record.Fact{Kind: record.KindAllergy, Status: record.Uncertain, Quote: r.text})
		}
	}
}

// conditions adds the diseases named (past history), with their
// polarity; 都没有 denies them all.
func (iv *Interviewer) conditions(r *reading, kind string) {
	found := false
	for _, m := range r.mentions {
		if m.Type != "disease" || iv.inFamilyClause(r, m.Start) {
			continue
		}
		found = true
		start, end := r.clause(m.Start)
		r.add(record.Fact{Kind: kind, Name: m.Term, Status: status(zh.PolarityAt(r.text, m.Start)), Quote: r.text[start:end]})
	}
	if !found && isNo(r.text) {
		r.add(record.Fact{Kind: kind, Status: record.Absent, Quote: r.text})
	}
}

// relativeIn returns the family member named in [start, end) as a record
// names them (corpus/preconsult.yaml relatives), or "".
func (iv *Interviewer) relativeIn(text string, start, end int) string {
	c := text[start:end]
	for _, rel := range iv.q.Relatives {
		if strings.Contains(c, rel.Word) {
			return rel.As
		}
	}
	return ""
}

func (iv *Interviewer) inFamilyClause(r *reading, i int) bool {
	start, end := r.clause(i)
	return iv.relativeIn(r.text, start, end) != ""
}

// family adds the diseases of family members: 我爸有高血压 → 父亲: 高血压.
// A disease with no relative named in its clause is the family's too when
// the question asked about the family.
func (iv *Interviewer) family(r *reading) {
	found := false
	for _, m := range r.mentions {
		if m.Type != "disease" && m.Type != "symptom" {
			continue
		}
		start, end := r.clause(m.Start)
		who := iv.relativeIn(r.text, start, end)
		found = true
		r.add(record.Fact{Kind: record.KindFamily, Name: m.Term, Value: who, Status: status(zh.PolarityAt(r.text, m.Start)),
			Quote: r.text[start:end]})
	}
	if !found {
		switch {
		case isNo(r.text):
			r.add(record.Fact{Kind: record.KindFamily, Status: record.Absent, Quote: r.text})
		case isUnsure(r.text):
			r.add(record.Fact{Kind: record.KindFamily, Status: record.Uncertain, Quote: r.text})
		}
	}
}

// cues mark the clauses that tell a kind of fact. A clause with a cue
// becomes the fact's value, in the patient's words, without the cue's
// filler.
var cues = map[string][]string{
	record.KindTrigger:     {"受凉", "着凉", "淋雨", "吹空调", "吹了风", "吃坏", "吃了不干净", "不干净的", "生冷", "辛辣", "喝酒后", "劳累", "累着", "熬夜", "生气", "摔", "撞", "扭伤", "扭了", "闪了", "搬重", "提重", "外伤", "接触", "运动后", "感冒后"},
	record.KindAggravating: {"加重", "更厉害", "更疼", "更痛", "更严重", "加剧", "厉害些", "难受些", "更难受"},
	record.KindRelieving:   {"减轻", "缓解", "好一些", "好些", "好点", "好一点", "好转", "舒服些", "舒服点", "能退", "退了"},
	record.KindCharacter:   {"胀", "刺痛", "绞痛", "隐痛", "钝痛", "酸", "烧灼", "火辣", "闷", "压榨", "跳痛", "撕裂", "针扎", "刀割", "抽痛", "干咳", "有痰", "黄痰", "白痰", "清鼻涕", "黄鼻涕", "水样", "稀", "糊状", "带血"},
	record.KindCare:        {"医院", "诊所", "门诊", "急诊", "看过", "看了", "检查", "化验", "拍片", "拍了", "开了", "输液", "打针", "挂水", "医生说", "大夫说", "查了", "做了"},
	record.KindOperation:   {"手术", "开刀", "切除", "剖宫产", "剖腹产", "骨折", "外伤", "输血", "缝针", "支架", "搭桥"},
	record.KindSmoking:     {"烟"},
	record.KindDrinking:    {"酒"},
	record.KindMenstrual:   {"规律", "不规律", "不准", "推迟", "提前", "痛经", "量多", "量少", "停经", "绝经", "周期", "没来", "没有来", "不来"},
}

// maxCareRunes bounds a clause kept as the care so far.
const maxCareRunes = 16

// cued adds a fact of kind for each clause holding one of its cues; an
// answer that only says no records the kind as absent.
func (iv *Interviewer) cued(r *reading, kind string) {
	found := false
	for _, c := range r.clauses() {
		clause := r.text[c[0]:c[1]]
		i := matchCue(clause, cues[kind])
		if i < 0 || zh.IsQuestion(clause) || c[1] < len(r.text) && r.text[c[1]] == '?' {
			continue // the patient's own question is not a fact
		}
		found = true
		st := record.Present
		if p := zh.PolarityAt(r.text, c[0]+i); p == zh.Absent {
			st = record.Absent
		}
		// 不抽烟 / 没做过手术: the clause denies the kind itself.
		if kind == record.KindSmoking || kind == record.KindDrinking || kind == record.KindOperation || kind == record.KindCare {
			if noClause(clause) {
				st = record.Absent
			}
		}
		f := record.Fact{Kind: kind, Status: st, Quote: clause}
		if kind == record.KindCare && st == record.Present && utf8.RuneCountInString(clause) > maxCareRunes {
			continue // a story, not a line of the record; the medicines are read apart
		}
		if st == record.Present {
			f.Value = clause
			if kind == record.KindSmoking || kind == record.KindDrinking {
				f.Value = amounts(r, c, cues[kind])
			}
		}
		if kind == record.KindCharacter || kind == record.KindAggravating || kind == record.KindRelieving {
			f.Of = r.nearestSymptom(c[0])
			f.Status = ""
		}
		if kind == record.KindTrigger && st == record.Absent {
			f.Value = ""
		}
		r.add(f)
	}
	if found {
		return
	}
	switch {
	case isNo(r.text):
		switch {
		case kind == record.KindAggravating || kind == record.KindRelieving || kind == record.KindCharacter || kind == record.KindMenstrual:
			// "没有" to "what makes it worse" tells nothing to record.
		case iv.followUps[r.question]:
			// 没有 to "how much do you smoke?" after 抽: nothing more to
			// say, not a denial of what was just said.
		default:
			r.add(record.Fact{Kind: kind, Status: record.Absent, Quote: r.text})
		}
	}
}

func matchCue(s string, cues []string) int {
	best := -1
	for _, c := range cues {
		if i := strings.Index(s, c); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

// noClause reports whether a clause denies (不抽烟, 没做过手术, 从不喝酒).
func noClause(c string) bool {
	for _, n := range []string{"不", "没", "无", "从未", "否认", "戒了"} {
		if strings.Contains(c, n) {
			return n != "戒了"
		}
	}
	return false
}

// amounts is how much and how long, for smoking and drinking: the answer's
// other clauses and what its cue clause says besides the cue (抽烟，一天半包，
// 二十年了 → 一天半包，二十年了).
func amounts(r *reading, at [2]int, cue []string) string {
	var parts []string
	for _, c := range r.clauses() {
		clause := r.text[c[0]:c[1]]
		if c == at {
			for _, w := range []string{"抽烟", "吸烟", "喝酒", "饮酒", "烟", "酒", "抽", "喝", "吸", "平时", "有", "会", "的"} {
				clause = strings.ReplaceAll(clause, w, "")
			}
		} else if matchCue(clause, cue) >= 0 {
			continue
		}
		if clause = strings.TrimSpace(clause); clause != "" && !isNo(clause) {
			parts = append(parts, clause)
		}
	}
	return strings.Join(parts, "，")
}

// generalLevels grade an aspect; the first list that matches wins, so 不好
// is poor before 好 is good.
var generalLevels = []struct {
	level string
	words []string
}{
	{"poor", []string{"不太好", "不怎么好", "不好", "不佳", "不行", "很差", "差", "不想吃", "不爱吃", "吃不下", "减少", "少了", "蔫"}},
	{"normal", []string{"正常", "跟平时一样", "和平时一样", "跟平常一样"}},
	{"fair", []string{"一般", "还行", "还可以", "凑合", "马马虎虎", "尚可"}},
	{"good", []string{"挺好", "很好", "不错", "可以", "还好", "好"}},
}

// general adds the general condition said: 精神还可以 → 精神 可, 胃口不好 →
// 食欲 差. Only an aspect with a grade after it in its clause counts (大便
// 稀 is a stool's character, not the general condition).
func (iv *Interviewer) general(r *reading) {
	seen := map[string]bool{}
	for _, c := range r.clauses() {
		clause := r.text[c[0]:c[1]]
		for _, a := range iv.q.General {
			i := matchCue(clause, a.Words)
			if i < 0 || seen[a.Name] {
				continue
			}
			rest := clause[i:]
			if n := len([]rune(rest)); n > 10 {
				rest = string([]rune(rest)[:10])
			}
			for _, l := range generalLevels {
				if matchCue(rest, l.words) >= 0 {
					seen[a.Name] = true
					r.add(record.Fact{Kind: record.KindGeneral, Name: a.Name, Value: iv.draft["general."+l.level], Quote: clause})
					break
				}
			}
		}
	}
}
