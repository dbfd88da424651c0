package safety

import (
	"regexp"
	"regexp/syntax"
	"strings"

	"github.com/daoyi-health/daoyi/zh"
)

// ---- ages and temperatures ----

// ageRe finds an age as parents write it: 2个月, 两个半月, 五十多天, 40天,
// 三周, 2月龄.
var ageRe = regexp.MustCompile(`([0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百]+|半)(个)?(多|来|几)?(半)?(个)?(月龄|天龄|个月|月|天|周|星期|礼拜|日|小时)(半)?(多)?`)

var ageUnitDays = map[string]float64{
	"月龄": 30, "个月": 30, "月": 30, "天龄": 1, "天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7, "小时": 1.0 / 24,
}

// ages returns the stated ages of a baby below limit days.
func (s *scan) ages(limit float64) []span {
	var out []span
	for _, m := range ageRe.FindAllStringSubmatchIndex(s.n, -1) {
		sub := func(k int) string {
			if m[2*k] < 0 {
				return ""
			}
			return s.n[m[2*k]:m[2*k+1]]
		}
		v, ok := zh.ParseNumber(sub(1))
		if !ok {
			continue
		}
		if sub(4) != "" || sub(7) != "" {
			v += 0.5
		}
		unit := ageUnitDays[sub(6)]
		if sub(6) == "月" && sub(2) == "" && sub(5) == "" && !strings.HasSuffix(s.n[m[0]:m[1]], "大") {
			// 3月 alone is March unless a baby word sits right next to it.
			if !s.babyAround(m[0], m[1], true) {
				continue
			}
		}
		days := v * unit
		if sub(3) != "" || sub(8) != "" { // 两个多月: up to the next whole unit
			days += unit
			if unit == 1 {
				days += 9 // 五十多天: up to 59
			}
			days -= 0.001
		}
		if days >= limit || !s.isAge(m[0], m[1]) {
			continue
		}
		out = append(out, span{m[0], m[1]})
	}
	return out
}

// isAge reports whether the time expression at [start, end) states
// someone's age (出生40天, 宝宝才两个月, 70天的宝宝) rather than how long
// something has lasted (发烧两个月).
func (s *scan) isAge(start, end int) bool {
	if strings.HasPrefix(s.n[end:], "前") || strings.HasPrefix(s.n[end:], "以前") || strings.HasPrefix(s.n[end:], "之前") {
		return false
	}
	return s.babyAround(start, end, false)
}

// babyAround looks for age words around [start, end): a word that makes
// it an age before it (出生), after it (大, 的宝宝), or a child word before
// it, possibly through a link (宝宝才, 孩子刚满). With a child word only,
// "了" after a short time (孩子两天了) reads as a length, not an age.
func (s *scan) babyAround(start, end int, strict bool) bool {
	c := &s.d.ctx
	endsAt := func(list []int, pos int) (int, bool) {
		for _, i := range list {
			for _, o := range s.findN(i) {
				if o.end == pos {
					return o.start, true
				}
			}
		}
		return 0, false
	}
	startsAt := func(list []int, pos int) bool {
		for _, i := range list {
			for _, o := range s.findN(i) {
				if o.start == pos {
					return true
				}
			}
		}
		return false
	}
	if _, ok := endsAt(c.ageBefore, start); ok {
		return true
	}
	if startsAt(c.ageAfter, end) {
		return true
	}
	if strict {
		return false
	}
	at := start
	if st, ok := endsAt(c.ageLink, start); ok {
		at = st
	}
	if _, ok := endsAt(c.child, at); !ok {
		return false
	}
	if strings.HasPrefix(s.n[end:], "了") || strings.HasPrefix(s.n[end:], "啦") {
		m := ageRe.FindStringSubmatch(s.n[start:end])
		if m != nil && (m[6] == "天" || m[6] == "日" || m[6] == "小时") {
			v, _ := zh.ParseNumber(m[1])
			return v >= 14
		}
	}
	return true
}

// tempBareRe finds a temperature written without a unit after a word that
// announces one: 体温38.3, 烧到39.
var tempBareRe = regexp.MustCompile(`(?:体温|量了|测了|烧到|烧了|发烧|发热|高烧|低烧|一量|一测)(?:是|有|达到|到了|到|都|一下|下)?\s?([34][0-9](?:\.[0-9])?)`)

// temperatures returns body temperatures of at least limit °C.
func (s *scan) temperatures(limit float64) []span {
	var out []span
	for _, t := range zh.FindTemperatures(s.n) {
		if t.Celsius >= limit {
			out = append(out, span{t.Start, t.End})
		}
	}
	for _, m := range tempBareRe.FindAllStringSubmatchIndex(s.n, -1) {
		rest := s.n[m[3]:]
		if strings.HasPrefix(rest, "度") || strings.HasPrefix(rest, "°") || strings.HasPrefix(rest, "℃") {
			continue // FindTemperatures has it
		}
		if len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9' {
			continue
		}
		v, ok := zh.ParseNumber(s.n[m[2]:m[3]])
		if ok && v >= limit && v <= 43 {
			out = append(out, span{m[2], m[3]})
		}
	}
	return out
}

// ---- which characters a message holds ----

const (
	hanLo = 0x4E00
	hanHi = 0x9FFF
)

// runeSet records which characters a message holds, so that a phrase
// whose characters are absent is never searched for: most phrases are
// ruled out by one or two bit tests.
type runeSet struct {
	han   [(hanHi - hanLo + 64) / 64]uint64
	ascii [2]uint64
}

func (r *runeSet) fill(s string) {
	for _, c := range s {
		switch {
		case c < 128:
			r.ascii[c>>6] |= 1 << (c & 63)
		case c >= hanLo && c <= hanHi:
			k := c - hanLo
			r.han[k>>6] |= 1 << (k & 63)
		}
	}
}

// has reports whether c occurs; characters outside the tracked ranges are
// assumed present.
func (r *runeSet) has(c rune) bool {
	switch {
	case c < 128:
		return r.ascii[c>>6]&(1<<(c&63)) != 0
	case c >= hanLo && c <= hanHi:
		k := c - hanLo
		return r.han[k>>6]&(1<<(k&63)) != 0
	}
	return true
}

func (r *runeSet) hasAll(cs []rune) bool {
	for _, c := range cs {
		if !r.has(c) {
			return false
		}
	}
	return true
}

// hasEach reports whether every set has a character that occurs.
func (r *runeSet) hasEach(sets [][]rune) bool {
	for _, set := range sets {
		if !r.hasAny(set) {
			return false
		}
	}
	return true
}

func (r *runeSet) hasAny(cs []rune) bool {
	for _, c := range cs {
		if r.has(c) {
			return true
		}
	}
	return false
}

// requiredSets returns sets of characters such that every match of expr
// holds at least one character of each set (nil: no such set is known, the
// expression is always run). A message lacking every character of one set
// cannot match.
func requiredSets(expr string) [][]rune {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	sets := required(re.Simplify())
	// Keep the most selective few: each costs a few bit tests per message.
	sortSets(sets)
	if len(sets) > 3 {
		sets = sets[:3]
	}
	return sets
}

// maxClass is the largest character class taken as a requirement.
const maxClass = 24

// common holds characters so frequent in patients' messages that a set
// holding one of them filters little.
const common = "的一是不了人我在有他这中大来上个到说们为子和你地出道也时年得就那要下以生会自着去之过家对可她里后小么心多天而能好都然没日于起还发成事只作当想看无开手十用方又如前所本见头面同三已老从动两长样现分但身些点月明其种全工己话儿者向正名定女问力给等几很最间什打便因重被走电四次再真听气少关并内加却先五太水眼体别处总才常感更放做或受今光边吃许觉直特让认算怎半近快条带该完医院病疼痛孩宝妈爸"

// score ranks a set: fewer characters filter more, common ones less.
func score(set []rune) int {
	n := len(set)
	for _, c := range set {
		if strings.ContainsRune(common, c) {
			n += 8
		}
	}
	return n
}

func sortSets(sets [][]rune) {
	for i := 1; i < len(sets); i++ {
		for j := i; j > 0 && score(sets[j]) < score(sets[j-1]); j-- {
			sets[j], sets[j-1] = sets[j-1], sets[j]
		}
	}
}

// required returns sets of characters of which every match of re holds
// at least one each.
func required(re *syntax.Regexp) [][]rune {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		var out [][]rune
		for _, c := range re.Rune {
			out = append(out, []rune{c})
		}
		return out
	case syntax.OpCharClass:
		var out []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi-lo+1 > maxClass || len(out)+int(hi-lo+1) > maxClass {
				return nil
			}
			for c := lo; c <= hi; c++ {
				out = append(out, c)
			}
		}
		return [][]rune{out}
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		var out [][]rune
		for _, sub := range re.Sub {
			out = append(out, required(sub)...)
		}
		return out
	case syntax.OpAlternate:
		// Every branch must contribute: take each branch's most selective
		// set and join them.
		var out []rune
		for _, sub := range re.Sub {
			r := required(sub)
			if len(r) == 0 {
				return nil
			}
			sortSets(r)
			out = append(out, r[0]...)
		}
		return [][]rune{dedupe(out)}
	}
	return nil
}

func dedupe(rs []rune) []rune {
	seen := map[rune]bool{}
	out := rs[:0]
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// maxFirst is the most characters a pattern may start with for matching to
// be tried only where one of them stands.
const maxFirst = 64

// firstRunes returns the characters every match of expr starts with, or
// nil when there are too many to list or a match may be empty.
func firstRunes(expr string) []rune {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	set, nullable, ok := first(re.Simplify())
	if !ok || nullable || len(set) == 0 || len(set) > maxFirst {
		return nil
	}
	return dedupe(set)
}

// first returns the characters a match of re can start with, whether re
// can match the empty string, and false when the set is unknown or too
// large.
func first(re *syntax.Regexp) (set []rune, nullable, ok bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return nil, true, true
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, true, true
		}
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false, false
		}
		return []rune{re.Rune[0]}, false, true
	case syntax.OpCharClass:
		var out []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi-lo+1 > maxFirst || len(out)+int(hi-lo+1) > maxFirst {
				return nil, false, false
			}
			for c := lo; c <= hi; c++ {
				out = append(out, c)
			}
		}
		return out, false, true
	case syntax.OpCapture, syntax.OpPlus:
		return first(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		set, _, ok := first(re.Sub[0])
		return set, true, ok
	case syntax.OpRepeat:
		set, nullable, ok := first(re.Sub[0])
		return set, nullable || re.Min == 0, ok
	case syntax.OpConcat:
		var out []rune
		for _, sub := range re.Sub {
			set, nullable, ok := first(sub)
			if !ok {
				return nil, false, false
			}
			out = append(out, set...)
			if !nullable {
				return out, false, true
			}
		}
		return out, true, true
	case syntax.OpAlternate:
		var out []rune
		nullable := false
		for _, sub := range re.Sub {
			set, n, ok := first(sub)
			if !ok {
				return nil, false, false
			}
			out = append(out, set...)
			nullable = nullable || n
		}
		return out, nullable, true
	case syntax.OpBeginText, syntax.OpBeginLine, syntax.OpEndText, syntax.OpEndLine, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return nil, false, false
	}
	return nil, false, false
}

func containsRune(rs []rune, r rune) bool {
	for _, c := range rs {
		if c == r {
			return true
		}
	}
	return false
}
