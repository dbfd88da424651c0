// Package safety is daoyi's red-flag check: a deterministic look, on every
// message and before anything else, for presentations that need emergency
// care now (chest pain with sweating, stroke signs, a baby under three
// months with fever, suicidal intent …). The rules are data
// (corpus/redflags.yaml); this package compiles them and reads the context
// of every matched phrase — negation, the past, hypotheticals and topics —
// so that "十年前吐过血" or "心梗有哪些症状" do not raise an alarm while
// "我爸胸口疼出冷汗是心梗吗" does.
package safety

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/zh"
)

// Alarm is one red flag found in a message.
type Alarm struct {
	ID       string // the flag's id, e.g. "chest_pain_sweating"
	Name     string // Chinese name for staff, e.g. 胸痛伴大汗
	Category string // guidance category, e.g. "cardiac"
}

// Detector finds red-flag presentations in a message. Immutable, safe for
// concurrent use.
type Detector struct {
	phrases  []*phrase
	trigger  []int // phrases the flags match on (any, all); the rest are read only after one of these matched
	flags    []*flag
	mask     []int
	ctx      contextPhrases
	guidance map[string][]string
	version  string
	pool     sync.Pool // of *scan
}

type contextPhrases struct {
	neutral, history, anaphoric, evaluated, historyAfter, recent, worse, hypothetical, infoAfter, generic, child, ageBefore, ageLink, ageAfter, notLength []int
}

type flag struct {
	id, name, category string
	level              int
	any                []int
	all                [][]int
	near               int
	timeless           bool
	mask               []int
	unless             []int
}

// historyDays is how far back a point in time must lie to make a mention
// history: 28 days. Three days ago is the present illness; last month is
// not.
const historyDays = 28

// New compiles a rule set. It fails on a phrase that does not compile,
// naming the flag and the phrase.
func New(set *corpus.RedFlagSet) (*Detector, error) {
	if set == nil {
		return nil, fmt.Errorf("safety: no rule set")
	}
	if err := corpus.ValidateRedFlags(set); err != nil {
		return nil, fmt.Errorf("safety: %w", err)
	}
	c := &compiler{index: map[string]int{}}
	d := &Detector{guidance: map[string][]string{}, version: set.Version}
	var errs []string
	list := func(where string, ps []string, trigger bool) []int {
		out := make([]int, 0, len(ps))
		for _, p := range ps {
			i, err := c.add(p)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", where, err))
				continue
			}
			if trigger && !c.trigger[i] {
				c.trigger[i] = true
				d.trigger = append(d.trigger, i)
			}
			out = append(out, i)
		}
		return out
	}
	x := set.Context
	d.ctx = contextPhrases{
		neutral:      list("context.neutral", x.Neutral, false),
		history:      list("context.history", x.History, false),
		anaphoric:    list("context.anaphoric", x.Anaphoric, false),
		evaluated:    list("context.evaluated", x.Evaluated, false),
		historyAfter: list("context.history_after", x.HistoryAfter, false),
		recent:       list("context.recent", x.Recent, false),
		worse:        list("context.worse", x.Worse, false),
		hypothetical: list("context.hypothetical", x.Hypothetical, false),
		infoAfter:    list("context.info_after", x.InfoAfter, false),
		generic:      list("context.generic", x.Generic, false),
		child:        list("context.child", x.Child, false),
		ageBefore:    list("context.age_before", x.AgeBefore, false),
		ageLink:      list("context.age_link", x.AgeLink, false),
		ageAfter:     list("context.age_after", x.AgeAfter, false),
		notLength:    list("context.not_length", x.NotLength, false),
	}
	d.mask = list("mask", set.Mask, false)
	for _, f := range set.Flags {
		where := "flag " + f.ID
		fl := &flag{id: f.ID, name: f.Name, category: f.Category, level: f.Level, near: f.Near, timeless: f.Timeless}
		fl.any = list(where+" any", f.Any, true)
		for _, g := range f.All {
			fl.all = append(fl.all, list(where+" all", g, true))
		}
		fl.mask = list(where+" mask", f.Mask, false)
		fl.unless = list(where+" unless", f.Unless, false)
		d.flags = append(d.flags, fl)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("safety: %d bad phrases: %s", len(errs), strings.Join(errs, "; "))
	}
	d.phrases = c.phrases
	for k, cat := range set.Categories {
		d.guidance[k] = append([]string(nil), cat.Guidance...)
	}
	if d.version == "" {
		b, _ := json.Marshal(set)
		sum := sha256.Sum256(b)
		d.version = hex.EncodeToString(sum[:])[:16]
	}
	return d, nil
}

// Default compiles the embedded rules (corpus/redflags.yaml).
func Default() (*Detector, error) {
	set, err := corpus.RedFlags()
	if err != nil {
		return nil, err
	}
	return New(set)
}

// Version identifies the rules: the digest of the rule file, for the
// safety-event log.
func (d *Detector) Version() string { return d.version }

// Guidance returns the guidance variants of a category (nil for an unknown
// one), with the hospital placeholders ({{emergency.location}} …) unfilled.
func (d *Detector) Guidance(category string) []string {
	g := d.guidance[category]
	if g == nil {
		return nil
	}
	return append([]string(nil), g...)
}

// IDs lists the flag ids in file order.
func (d *Detector) IDs() []string {
	out := make([]string, len(d.flags))
	for i, f := range d.flags {
		out[i] = f.id
	}
	return out
}

// Check returns the red flags the message presents, most severe first
// (then in file order), or nil.
func (d *Detector) Check(text string) []Alarm {
	n := zh.Normalize(text)
	if n == "" {
		return nil
	}
	hit := make([]bool, len(d.flags))
	found := false
	for _, part := range chunks(n) {
		if d.check(part, hit) {
			found = true
		}
	}
	if !found {
		return nil
	}
	var hits []*flag
	for i, f := range d.flags {
		if hit[i] {
			hits = append(hits, f)
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].level < hits[j].level })
	out := make([]Alarm, len(hits))
	for i, f := range hits {
		out[i] = Alarm{ID: f.id, Name: f.name, Category: f.category}
	}
	return out
}

// check marks in hit the flags that one normalised piece of text fires,
// and reports whether any did.
func (d *Detector) check(n string, hit []bool) bool {
	s := d.newScan(n)
	defer d.release(s)
	found := false
	for _, i := range d.trigger {
		if len(s.findN(i)) > 0 {
			found = true
		}
	}
	if !found {
		return false
	}
	s.prepare()
	fired := false
	for i, f := range d.flags {
		if !hit[i] && s.fires(f) {
			hit[i], fired = true, true
		}
	}
	return fired
}

// chunkRunes bounds the text read at once. Every rule looks at most a
// sentence or a few dozen characters around a phrase, so a long message
// is read in pieces of whole sentences, which keeps the work linear in
// its length.
const chunkRunes = 400

// chunks splits n into pieces of at most about chunkRunes characters,
// at sentence ends where it can; a sentence longer than that is cut with
// an overlap, so that no phrase is lost at a cut.
func chunks(n string) []string {
	if utf8.RuneCountInString(n) <= chunkRunes {
		return []string{n}
	}
	var out []string
	for len(n) > 0 {
		// Find the byte offset of chunkRunes characters.
		limit, k := len(n), 0
		for i := range n {
			if k == chunkRunes {
				limit = i
				break
			}
			k++
		}
		if limit == len(n) {
			out = append(out, n)
			break
		}
		cut := strings.LastIndexAny(n[:limit], ".!?\n")
		if cut > len(n[:limit])/2 {
			out = append(out, n[:cut+1])
			n = n[cut+1:]
			continue
		}
		// No sentence end in the second half: cut hard, keep an overlap.
		out = append(out, n[:limit])
		back, k := limit, 0
		for back > 0 && k < chunkOverlap {
			_, w := utf8.DecodeLastRuneInString(n[:back])
			back -= w
			k++
		}
		n = n[back:]
	}
	return out
}

// chunkOverlap is how much of a hard-cut piece is read again with the
// next one: more than any phrase and its nearby context.
const chunkOverlap = 60

// ---- one message ----

type span struct{ start, end int }

// scan holds what is known about one normalised message.
type scan struct {
	d     *Detector
	n     string // the normalised message
	m     string // n with neutral words and negation-bearing matches blanked, spaces as commas
	runes runeSet
	onN   cache // occurrences in n: trigger phrases, masks, age words
	onM   cache // occurrences in m: context cues
	durs  []zh.Duration
	isLen map[int]bool // isLength per duration start
}

// cache holds the occurrences of each phrase looked for so far.
type cache struct {
	occ     [][]span
	done    []bool
	touched []int
}

func (c *cache) reset() {
	for _, i := range c.touched {
		c.occ[i], c.done[i] = nil, false
	}
	c.touched = c.touched[:0]
}

func (d *Detector) newScan(n string) *scan {
	s, _ := d.pool.Get().(*scan)
	if s == nil {
		k := len(d.phrases)
		s = &scan{d: d,
			onN: cache{occ: make([][]span, k), done: make([]bool, k)},
			onM: cache{occ: make([][]span, k), done: make([]bool, k)},
		}
	}
	s.n = n
	s.runes.fill(n)
	return s
}

func (d *Detector) release(s *scan) {
	s.onN.reset()
	s.onM.reset()
	s.runes = runeSet{}
	s.n, s.m, s.durs = "", "", nil
	for k := range s.isLen {
		delete(s.isLen, k)
	}
	d.pool.Put(s)
}

func (s *scan) lookup(c *cache, i int, text string) []span {
	if c.done[i] {
		return c.occ[i]
	}
	c.done[i] = true
	c.touched = append(c.touched, i)
	c.occ[i] = s.d.phrases[i].find(s, text)
	return c.occ[i]
}

// findN returns the occurrences of phrase i in n.
func (s *scan) findN(i int) []span { return s.lookup(&s.onN, i, s.n) }

// find returns the occurrences of context phrase i in m.
func (s *scan) find(i int) []span { return s.lookup(&s.onM, i, s.m) }

// prepare builds the masked text m once a trigger phrase matched: neutral
// words (不小心, 开会) and matched phrases that carry a negation of their
// own (叫不醒, 没有呼吸) are blanked, so they neither negate nor hide what
// follows them, and spaces become commas (a space separates clauses in
// chat). Context phrases are then matched on m.
func (s *scan) prepare() {
	b := []byte(s.n)
	blank := func(sp span) {
		for k := sp.start; k < sp.end; k++ {
			b[k] = '_'
		}
	}
	for _, i := range s.d.ctx.neutral {
		for _, sp := range s.findN(i) {
			blank(sp)
		}
	}
	for _, f := range s.d.flags {
		each := func(i int) {
			if !s.d.phrases[i].negish {
				return
			}
			for _, sp := range s.findN(i) {
				if strings.ContainsAny(s.n[sp.start:sp.end], negationChars) && !s.masked(f, sp) {
					blank(sp)
				}
			}
		}
		for _, i := range f.any {
			each(i)
		}
		for _, g := range f.all {
			for _, i := range g {
				each(i)
			}
		}
	}
	for k := range b {
		if b[k] == ' ' {
			b[k] = ','
		}
	}
	s.m = string(b)
	s.durs = zh.FindDurations(s.n)
}

// negationChars are the characters a negation or hypothetical cue starts
// with; a matched phrase holding one is blanked in m.
const negationChars = "不没无未非否别会"

// masked reports whether sp overlaps a mask phrase of the set or of f.
// Masks are matched on n.
func (s *scan) masked(f *flag, sp span) bool {
	for _, list := range [][]int{s.d.mask, f.mask} {
		for _, i := range list {
			for _, o := range s.findN(i) {
				if o.start < sp.end && sp.start < o.end {
					return true
				}
			}
		}
	}
	return false
}

// fires evaluates one flag.
func (s *scan) fires(f *flag) bool {
	hit := false
	for _, i := range f.any {
		for _, sp := range s.findN(i) {
			if s.presents(f, sp) {
				hit = true
				break
			}
		}
		if hit {
			break
		}
	}
	if !hit && len(f.all) > 0 {
		hit = s.allGroups(f)
	}
	if !hit {
		return false
	}
	for _, i := range f.unless {
		for _, sp := range s.find(i) {
			if !s.deniedNear(sp) {
				return false
			}
		}
	}
	return true
}

// deniedNear reports whether an unless phrase is denied: any negation in
// its clause before it (没吃过猪血也没吃铁剂 denies both, although the
// two negations would cancel out for zh.PolarityAt). Erring this way keeps
// the alarm.
func (s *scan) deniedNear(sp span) bool {
	return strings.ContainsAny(s.m[clauseStart(s.m, sp.start):sp.start], "不没无未否")
}

type groupOcc struct {
	span
	group int
}

// allGroups reports whether every group of f has a presented phrase, all
// within f.near characters when near is set.
func (s *scan) allGroups(f *flag) bool {
	var occ []groupOcc
	for g, list := range f.all {
		n := len(occ)
		for _, i := range list {
			for _, sp := range s.findN(i) {
				if s.presents(f, sp) {
					occ = append(occ, groupOcc{sp, g})
				}
			}
		}
		if len(occ) == n {
			return false
		}
	}
	if f.near <= 0 {
		return true
	}
	sort.Slice(occ, func(i, j int) bool { return occ[i].start < occ[j].start })
	seen := make([]bool, len(f.all))
	for i := range occ {
		for k := range seen {
			seen[k] = false
		}
		left, end := len(f.all), 0
		for j := i; j < len(occ); j++ {
			if occ[j].end > end {
				end = occ[j].end
			}
			if utf8.RuneCountInString(s.n[occ[i].start:occ[j].start]) > f.near {
				break
			}
			if !seen[occ[j].group] {
				seen[occ[j].group] = true
				left--
			}
			if left == 0 {
				if utf8.RuneCountInString(s.n[occ[i].start:end]) <= f.near {
					return true
				}
				break
			}
		}
	}
	return false
}

// presents reports whether the phrase at sp describes someone now.
func (s *scan) presents(f *flag, sp span) bool {
	if s.masked(f, sp) {
		return false
	}
	if zh.PolarityAt(s.m, sp.start) == zh.Absent {
		return false
	}
	clause := clauseStart(s.m, sp.start)
	c := &s.d.ctx
	for _, i := range c.hypothetical {
		for _, o := range s.find(i) {
			if o.start >= clause && o.end <= sp.start {
				return false
			}
		}
	}
	for _, i := range c.infoAfter {
		for _, o := range s.find(i) {
			if o.start == sp.end {
				return false
			}
		}
	}
	if len(c.generic) > 0 {
		end := clauseEnd(s.m, sp.end)
		for _, i := range c.generic {
			for _, o := range s.find(i) {
				if o.start >= clause && o.end <= end {
					return false
				}
			}
		}
	}
	if f.timeless {
		return true
	}
	if s.past(sp, clause) && !s.worseAfter(sp) {
		return false
	}
	for _, i := range c.evaluated {
		for _, o := range s.find(i) {
			if o.start >= sp.end {
				return false
			}
		}
	}
	return true
}

// past reports whether the sentence puts sp in the past: a history word or
// a point at least historyDays ago is the last time word before it; its
// clause gives it a length of historyDays or more; or 史 follows it.
func (s *scan) past(sp span, clause int) bool {
	c := &s.d.ctx
	for _, i := range c.historyAfter {
		for _, o := range s.find(i) {
			if o.start == sp.end {
				return true
			}
		}
	}
	sentence := sentenceStart(s.n, sp.start)
	lastPast, lastRecent := -1, -1
	mark := func(end int, past bool) {
		if past && end > lastPast {
			lastPast = end
		}
		if !past && end > lastRecent {
			lastRecent = end
		}
	}
	for _, d := range s.durs {
		if d.Start < sentence || d.End > sp.start {
			continue
		}
		switch {
		case d.Ago:
			mark(d.End, d.Days() >= historyDays)
		case d.Start >= clause && d.Days() >= historyDays && s.isLength(d):
			mark(d.End, true) // 这半年经常胸痛, 两个月来一直便血
		}
	}
	// Time words inside a matched phrase count too: 四肢经常抽动.
	for _, i := range c.history {
		for _, o := range s.find(i) {
			if o.start >= sentence && o.end <= sp.end && !s.inAgo(o) {
				mark(o.end, true)
			}
		}
	}
	for _, i := range c.anaphoric {
		for _, o := range s.find(i) {
			if o.start >= sentence && o.end <= sp.start {
				mark(o.end, s.pastBefore(o.start))
			}
		}
	}
	for _, i := range c.recent {
		for _, o := range s.find(i) {
			if o.start >= sentence && o.end <= sp.end {
				mark(o.end, false)
			}
		}
	}
	if lastPast >= 0 && lastPast > lastRecent {
		return true
	}
	// 便血两个月了, 中风三年了: a long length right after the phrase.
	for _, d := range s.durs {
		if d.Ago || d.Start < sp.end || d.Days() < historyDays || !s.isLength(d) {
			continue
		}
		gap := s.n[sp.end:d.Start]
		if utf8.RuneCountInString(gap) <= 4 && !strings.ContainsAny(gap, ",.;!?:") {
			return true
		}
	}
	return false
}

// isLength reports whether d says how long something has lasted (便血两个月,
// 这半年) rather than an age, a stage of pregnancy or a time after an event.
func (s *scan) isLength(d zh.Duration) bool {
	if v, ok := s.isLen[d.Start]; ok {
		return v
	}
	v := s.isLength1(d)
	if s.isLen == nil {
		s.isLen = map[int]bool{}
	}
	s.isLen[d.Start] = v
	return v
}

func (s *scan) isLength1(d zh.Duration) bool {
	if d.Ago || s.isAge(d.Start, d.End) {
		return false
	}
	rest := s.n[d.End:]
	if strings.HasPrefix(rest, "后") || strings.HasPrefix(rest, "以后") || strings.HasPrefix(rest, "之后") {
		return false
	}
	for _, i := range s.d.ctx.notLength {
		for _, o := range s.findN(i) {
			if o.end == d.Start {
				return false
			}
		}
	}
	return true
}

// inAgo reports whether o overlaps a point in time (十年以前), which is
// judged by its distance instead.
func (s *scan) inAgo(o span) bool {
	for _, d := range s.durs {
		if d.Ago && o.start < d.End && d.Start < o.end {
			return true
		}
	}
	return false
}

// pastBefore reports whether the nearest time word before pos in the whole
// message is in the past (or there is none): what 当时 refers to.
func (s *scan) pastBefore(pos int) bool {
	c := &s.d.ctx
	last, past := -1, true
	see := func(end int, p bool) {
		if end <= pos && end > last {
			last, past = end, p
		}
	}
	for _, d := range s.durs {
		if d.Ago {
			see(d.End, d.Days() >= historyDays)
		}
	}
	for _, i := range c.history {
		for _, o := range s.find(i) {
			see(o.end, true)
		}
	}
	for _, i := range c.recent {
		for _, o := range s.find(i) {
			see(o.end, false)
		}
	}
	return past
}

// worseAfter reports whether a worsening word follows sp in its sentence:
// 半年来反复胸痛, 今天突然加重.
func (s *scan) worseAfter(sp span) bool {
	end := sentenceEnd(s.n, sp.end)
	for _, i := range s.d.ctx.worse {
		for _, o := range s.find(i) {
			if o.start >= sp.end && o.end <= end {
				return true
			}
		}
	}
	return false
}

func clauseStart(m string, pos int) int {
	if i := strings.LastIndexAny(m[:pos], ",.;!?:\n"); i >= 0 {
		return i + 1
	}
	return 0
}

func clauseEnd(m string, pos int) int {
	if i := strings.IndexAny(m[pos:], ",.;!?:\n"); i >= 0 {
		return pos + i
	}
	return len(m)
}

func sentenceStart(n string, pos int) int {
	if i := strings.LastIndexAny(n[:pos], ".!?\n"); i >= 0 {
		return i + 1
	}
	return 0
}

func sentenceEnd(n string, pos int) int {
	if i := strings.IndexAny(n[pos:], ".!?\n"); i >= 0 {
		return pos + i
	}
	return len(n)
}

// ---- phrases ----

type kind int

const (
	literal kind = iota
	pattern
	ageBelow
	tempAtLeast
)

type phrase struct {
	src    string
	kind   kind
	lit    string
	re     *regexp.Regexp
	need   []rune         // literal: all of these must occur
	sets   [][]rune       // pattern, age, temperature: one of each set must occur
	first  []rune         // pattern: the characters a match can start with (nil: any)
	anchor *regexp.Regexp // pattern anchored at its start, tried only where a first character stands
	limit  float64        // ageBelow: days; tempAtLeast: °C
	negish bool           // may match text holding a negation character
}

type compiler struct {
	phrases []*phrase
	index   map[string]int
	trigger map[int]bool
}

func (c *compiler) add(src string) (int, error) {
	if i, ok := c.index[src]; ok {
		return i, nil
	}
	if c.trigger == nil {
		c.trigger = map[int]bool{}
	}
	p, err := compilePhrase(src)
	if err != nil {
		return 0, err
	}
	c.phrases = append(c.phrases, p)
	c.index[src] = len(c.phrases) - 1
	return len(c.phrases) - 1, nil
}

func compilePhrase(src string) (*phrase, error) {
	p := &phrase{src: src}
	switch {
	case strings.HasPrefix(src, corpus.PhraseRegexp):
		expr := expandGaps(src[len(corpus.PhraseRegexp):])
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("phrase %q: %v", src, err)
		}
		if re.MatchString("") {
			return nil, fmt.Errorf("phrase %q matches the empty string", src)
		}
		p.kind, p.re = pattern, re
		p.sets = requiredSets(expr)
		if first := firstRunes(expr); first != nil {
			p.first = first
			p.anchor = regexp.MustCompile(`^(?:` + expr + `)`)
		}
		p.negish = strings.ContainsAny(expr, negationChars)
	case strings.HasPrefix(src, corpus.PhraseAgeBelow):
		v := src[len(corpus.PhraseAgeBelow):]
		num, _ := zh.ParseNumber(v[:len(v)-1])
		p.kind, p.limit = ageBelow, num*unitDays[v[len(v)-1]]
		p.sets = [][]rune{[]rune("月天周星礼日时龄"), []rune(numerals)}
	case strings.HasPrefix(src, corpus.PhraseTempAtLeast):
		num, _ := zh.ParseNumber(src[len(corpus.PhraseTempAtLeast):])
		p.kind, p.limit = tempAtLeast, num
		p.sets = [][]rune{[]rune("度°℃温烧热量测"), []rune("34三四")} // 34–43 °C
	default:
		p.lit = zh.Normalize(src)
		if p.lit == "" {
			return nil, fmt.Errorf("phrase %q is empty once normalised", src)
		}
		p.kind = literal
		for _, r := range p.lit {
			p.need = append(p.need, r)
		}
		p.negish = strings.ContainsAny(p.lit, negationChars)
	}
	return p, nil
}

// numerals are the characters a number starts with.
const numerals = "0123456789零〇一二两三四五六七八九十百半几"

var unitDays = map[byte]float64{'d': 1, 'w': 7, 'm': 30}

// gapClass is what "~" stands for in a pattern: characters that are
// neither punctuation nor a negation; 特别 (very) holds 别 but negates
// nothing, so it is let through whole.
const gapClass = `(?:特别|[^不没无未非否别,.;!?:\n])`

// expandGaps replaces "~" (up to 4 characters) and "~N" (up to N) with
// gapClass repeats.
func expandGaps(expr string) string {
	if !strings.Contains(expr, "~") {
		return expr
	}
	var b strings.Builder
	inClass := false // a "~" inside [...] is the character itself
	for i := 0; i < len(expr); i++ {
		switch {
		case expr[i] == '\\' && i+1 < len(expr):
			b.WriteString(expr[i : i+2])
			i++
			continue
		case expr[i] == '[':
			inClass = true
		case expr[i] == ']':
			inClass = false
		}
		if expr[i] != '~' || inClass {
			b.WriteByte(expr[i])
			continue
		}
		j := i + 1
		for j < len(expr) && expr[j] >= '0' && expr[j] <= '9' {
			j++
		}
		n := "4"
		if j > i+1 {
			n = expr[i+1 : j]
		}
		fmt.Fprintf(&b, "%s{0,%s}", gapClass, n)
		i = j - 1
	}
	return b.String()
}

func (p *phrase) find(s *scan, text string) []span {
	switch p.kind {
	case literal:
		if !s.runes.hasAll(p.need) {
			return nil
		}
		var out []span
		for off := 0; ; {
			i := strings.Index(text[off:], p.lit)
			if i < 0 {
				return out
			}
			out = append(out, span{off + i, off + i + len(p.lit)})
			off += i + len(p.lit)
		}
	case pattern:
		if !s.runes.hasEach(p.sets) {
			return nil
		}
		var out []span
		if p.anchor != nil {
			// Leftmost-first, non-overlapping, like FindAllStringIndex, but
			// tried only where a match can start.
			for i := 0; i < len(text); {
				r, w := utf8.DecodeRuneInString(text[i:])
				if !containsRune(p.first, r) {
					i += w
					continue
				}
				if m := p.anchor.FindStringIndex(text[i:]); m != nil && m[1] > 0 {
					out = append(out, span{i, i + m[1]})
					i += m[1]
					continue
				}
				i += w
			}
			return out
		}
		for _, m := range p.re.FindAllStringIndex(text, -1) {
			out = append(out, span{m[0], m[1]})
		}
		return out
	case ageBelow:
		if !s.runes.hasEach(p.sets) {
			return nil
		}
		return s.ages(p.limit)
	case tempAtLeast:
		if !s.runes.hasEach(p.sets) {
			return nil
		}
		return s.temperatures(p.limit)
	}
	return nil
}
