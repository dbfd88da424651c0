package preconsult

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/zh"
)

// MaxChief is the longest chief complaint, in characters.
const MaxChief = 20

// Draft writes the record's sections from the facts alone: nothing is said
// that no fact says, and a section with no facts stays empty.
func (iv *Interviewer) Draft(st *State) record.Sections {
	d := drafter{iv: iv, st: st, p: iv.draft}
	return record.Sections{
		Chief:     d.chief(),
		Present:   d.present(),
		Past:      d.past(),
		Allergy:   d.allergy(),
		Personal:  d.personal(),
		Family:    d.family(),
		Menstrual: d.menstrual(),
	}
}

type drafter struct {
	iv *Interviewer
	st *State
	p  map[string]string
}

// say fills a phrase's {x} from pairs of names and values.
func (d *drafter) say(key string, kv ...string) string {
	s := d.p[key]
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}

func (d *drafter) list(items []string) string { return strings.Join(items, d.p["list_sep"]) }

// sentence joins clauses into one sentence with its end mark.
func (d *drafter) sentence(clauses []string) string {
	var out []string
	for _, c := range clauses {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, d.p["clause_sep"]) + d.p["end"]
}

func (d *drafter) facts(kind string) []record.Fact {
	var out []record.Fact
	for _, f := range d.st.Facts {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// symptoms returns the symptom names with a status, in the order said.
func (d *drafter) symptoms(s record.Status) []string {
	var out []string
	for _, f := range d.facts(record.KindSymptom) {
		if f.Status == s && !slices.Contains(out, f.Name) {
			out = append(out, f.Name)
		}
	}
	if s == record.Present && d.st.Complaint != "" {
		if i := slices.Index(out, d.st.Complaint); i > 0 {
			out = append([]string{d.st.Complaint}, slices.Delete(out, i, i+1)...)
		}
	}
	return out
}

// days returns how long a symptom has lasted, in days, and as written
// clinically ("3天", "1周余"); 0 and "" when unknown.
func (d *drafter) days(symptom string) (float64, string) {
	var best record.Fact
	for _, f := range d.st.Facts {
		if (f.Kind == record.KindDuration || f.Kind == record.KindOnset) && f.Of == symptom && f.Days > 0 {
			best = f
		}
	}
	if best.Days == 0 {
		return 0, ""
	}
	return best.Days, zh.ClinicalDays(best.Days, strings.ContainsAny(best.Value, "多余+") || strings.Contains(best.Value, "几"))
}

// saidChief is the chief complaint kept in the patient's words when the
// lexicon read none (at most n characters), or "".
func (d *drafter) saidChief(n int) string {
	for _, f := range d.facts(record.KindNote) {
		if f.Question == ChiefID && f.Value != "" {
			if r := []rune(f.Value); len(r) > n {
				return string(r[:n])
			}
			return f.Value
		}
	}
	return ""
}

// saidFirst reports whether a symptom was said in answer to the chief
// complaint question.
func (d *drafter) saidFirst(name string) bool {
	return slices.ContainsFunc(d.st.Facts, func(f record.Fact) bool {
		return f.Kind == record.KindSymptom && f.Name == name && f.Question == ChiefID && f.Status == record.Present
	})
}

// chief is 主诉: the complaint and what goes with it, each group with its
// duration ("发热、咳嗽3天" or "发热3天，伴咳嗽1天"), at most MaxChief
// characters.
func (d *drafter) chief() string {
	present := d.symptoms(record.Present)
	if len(present) == 0 {
		for _, f := range d.facts(record.KindCondition) {
			if f.Status == record.Present && f.Question == ChiefID {
				present = append(present, f.Name)
			}
		}
	}
	if len(present) == 0 {
		return d.saidChief(MaxChief)
	}
	// Only what was said at the start, when it was: the complaint, not
	// every symptom answered later.
	var first []string
	for _, f := range d.st.Facts {
		if (f.Kind == record.KindSymptom || f.Kind == record.KindCondition) && f.Status == record.Present && f.Question == ChiefID && !slices.Contains(first, f.Name) {
			first = append(first, f.Name)
		}
	}
	if kept := slices.DeleteFunc(slices.Clone(present), func(s string) bool { return !slices.Contains(first, s) }); len(kept) > 0 {
		present = kept
	}
	if len(present) > 3 {
		present = present[:3]
	}
	// Complaints with the same duration go together (咳嗽、流涕2天); the
	// others follow with their own (伴咳嗽1天), or without one.
	_, mainDur := d.days(present[0])
	main := []string{present[0]}
	var with []string
	for _, s := range present[1:] {
		switch _, dur := d.days(s); {
		case dur == mainDur:
			main = append(main, s)
		case dur != "":
			with = append(with, s+dur) // 发热3天，伴咳嗽1天
		}
		// Without a duration of its own, a complaint said with another is
		// left to the 现病史 (伴…).
	}
	out := d.list(main) + mainDur
	for i := range with {
		next := out + d.p["clause_sep"] + d.p["chief.with"] + d.list(with[:i+1])
		if utf8.RuneCountInString(next) > MaxChief {
			if i > 0 {
				out += d.p["clause_sep"] + d.p["chief.with"] + d.list(with[:i])
			}
			break
		}
		if i == len(with)-1 {
			out = next
		}
	}
	for utf8.RuneCountInString(out) > MaxChief && len(main) > 1 {
		main = main[:len(main)-1]
		out = d.list(main) + mainDur
	}
	return out
}

// present is 现病史: onset, trigger, the complaint's site, character,
// severity and timing, temperature, what comes with it and what does not,
// what changes it, the care and medicines so far.
func (d *drafter) present() string {
	present := d.symptoms(record.Present)
	who := d.p["who"]
	if d.st.isChild() {
		who = d.p["who.child"]
	}
	if len(present) == 0 && d.st.Complaint == "" {
		if said := d.saidChief(200); said != "" {
			return d.sentence([]string{d.say("present.said", "who", who, "value", said)})
		}
		return ""
	}
	c := d.st.Complaint
	var parts []string
	// The complaints said first open the history; what came out later
	// goes with them (伴…).
	var main, with []string
	_, cDur := d.days(c)
	for _, name := range present {
		if _, dur := d.days(name); len(main) < 3 && d.saidFirst(name) && (name == c || dur == cDur) {
			main = append(main, name)
		} else {
			with = append(with, name)
		}
	}
	switch {
	case len(main) == 0 && len(with) > 0:
		main, with = with[:1], with[1:]
	case len(main) == 0:
		main = []string{c} // a condition (高血压复查), no symptom
	}
	when := ""
	days, _ := d.days(main[0])
	if days > 0 {
		when = zh.ClinicalDays(days, false) + "前"
		for _, f := range d.facts(record.KindOnset) {
			if f.Of == main[0] && f.Days == 0 {
				when = f.Value // 前天晚上
			}
		}
	} else {
		for _, f := range d.facts(record.KindOnset) {
			if f.Of == c || f.Of == "" {
				when = f.Value
			}
		}
	}
	names := main
	if len(names) == 0 {
		names = []string{c}
	}
	if when != "" {
		parts = append(parts, d.say("present.onset", "who", who, "when", when, "symptoms", d.list(names)))
	} else {
		parts = append(parts, d.say("present.onset.unknown", "who", who, "symptoms", d.list(names)))
	}
	for _, f := range d.facts(record.KindTrigger) {
		if f.Status == record.Absent {
			parts = append(parts, d.p["present.no_trigger"])
		} else if f.Value != "" {
			parts = append(parts, d.say("present.trigger", "value", f.Value))
		}
	}
	var sites []string
	for _, f := range d.facts(record.KindSite) {
		v := f.Value
		if f.Name != "" && !strings.Contains(v, f.Name) {
			v = strings.TrimSuffix(v, f.Name) + f.Name
		}
		if v != "" && !slices.Contains(sites, v) {
			sites = append(sites, v)
		}
	}
	if len(sites) > 0 {
		parts = append(parts, d.say("present.site", "value", d.list(sites)))
	}
	for _, k := range []string{record.KindCharacter, record.KindFrequency} {
		var vals []string
		for _, f := range d.facts(k) {
			if f.Value != "" && !slices.Contains(vals, f.Value) && len(vals) < 2 {
				vals = append(vals, f.Value)
			}
		}
		if len(vals) > 0 {
			parts = append(parts, d.say("present."+k, "value", d.list(vals)))
		}
	}
	var sev []string
	for _, f := range d.facts(record.KindSeverity) {
		if f.Of != "" && f.Of != main[0] {
			continue // the grading of the complaint, not of everything
		}
		p := ""
		if f.Value == "" && f.Number > 0 {
			p = d.say("present.severity.score", "value", fmt.Sprintf("%g", f.Number))
		} else if f.Value != "" {
			p = d.say("present.severity", "value", f.Value)
		}
		if p != "" && !slices.Contains(sev, p) {
			sev = append(sev, p)
		}
	}
	parts = append(parts, sev...)
	maxT := 0.0
	for _, f := range d.facts(record.KindTemperature) {
		maxT = max(maxT, f.Number)
	}
	if maxT > 0 {
		parts = append(parts, d.say("present.temperature", "value", fmt.Sprintf("%g℃", maxT)))
	}
	if len(with) > 0 {
		parts = append(parts, d.say("present.with", "list", d.list(with)))
	}
	if absent := d.symptoms(record.Absent); len(absent) > 0 {
		parts = append(parts, d.say("present.without", "list", d.list(absent)))
	}
	if unsure := d.symptoms(record.Uncertain); len(unsure) > 0 {
		parts = append(parts, d.say("present.uncertain", "list", d.list(unsure)))
	}
	for _, k := range []string{record.KindAggravating, record.KindRelieving} {
		for _, f := range d.facts(k) {
			if v := stripCue(f.Value, k); utf8.RuneCountInString(v) >= 2 {
				parts = append(parts, d.say("present."+k, "value", v))
			}
		}
	}
	for _, f := range d.facts(record.KindGeneral) {
		parts = append(parts, d.say("present.general", "name", f.Name, "value", f.Value))
	}
	for _, f := range d.facts(record.KindNote) {
		if f.Name == "" && f.Value != "" && f.Status != record.Absent && f.Question != ChiefID {
			parts = append(parts, d.say("present.note", "value", f.Value))
		}
	}
	careNone := false
	for _, f := range d.facts(record.KindCare) {
		switch {
		case f.Status == record.Absent:
			careNone = true
		case f.Value != "":
			parts = append(parts, d.say("present.care", "value", f.Value))
		}
	}
	var meds []string
	medNone := false
	for _, f := range d.facts(record.KindMedicine) {
		switch {
		case f.Status == record.Absent && f.Name == "":
			medNone = true
		case f.Status != record.Absent && f.Name == "" && f.Value != "":
			if !slices.Contains(meds, f.Value) {
				meds = append(meds, f.Value) // in the patient's words: 止咳糖浆
			}
		case f.Status != record.Absent && f.Name != "":
			m := f.Name
			if f.Value != "" {
				m += d.say("detail", "value", f.Value)
			}
			if !slices.Contains(meds, m) {
				meds = append(meds, m)
			}
		}
	}
	if careNone && len(meds) == 0 && !slices.ContainsFunc(d.facts(record.KindCare), func(f record.Fact) bool { return f.Value != "" }) {
		parts = append(parts, d.p["present.care.none"])
	}
	if len(meds) > 0 {
		parts = append(parts, d.say("present.medicine", "list", d.list(meds)))
	} else if medNone && !careNone {
		parts = append(parts, d.p["present.medicine.none"])
	}
	return d.sentence(parts)
}

// stripCue keeps what changes the complaint without the words that say
// how: 走路多了加重 → 走路多了.
func stripCue(v, kind string) string {
	for _, c := range cues[kind] {
		if i := strings.Index(v, c); i > 0 {
			v = v[:i]
			break
		}
	}
	return strings.TrimRight(v, "就会后时以")
}

func (d *drafter) past() string {
	var conds []string
	denied := false
	for _, f := range d.facts(record.KindCondition) {
		if f.Question == ChiefID {
			continue // the reason for the visit, not a past illness
		}
		switch {
		case f.Status == record.Present && f.Name != "" && !slices.Contains(conds, f.Name):
			conds = append(conds, f.Name)
		case f.Status == record.Absent:
			denied = true
		}
	}
	var parts []string
	for i, c := range conds {
		_, dur := d.days(c)
		conds[i] = d.say("past.condition", "name", c, "duration", dur) // 高血压病史10年
	}
	if len(conds) > 0 {
		parts = append(parts, d.say("past.conditions", "list", d.list(conds)))
	} else if denied {
		parts = append(parts, d.p["past.no_conditions"])
	}
	var ops []string
	opsDenied := false
	for _, f := range d.facts(record.KindOperation) {
		switch {
		case f.Status == record.Absent:
			opsDenied = true
		case f.Value != "" && !slices.Contains(ops, f.Value):
			ops = append(ops, f.Value)
		}
	}
	if len(ops) > 0 {
		parts = append(parts, d.say("past.operations", "list", d.list(ops)))
	} else if opsDenied {
		parts = append(parts, d.p["past.no_operations"])
	}
	return d.sentence(parts)
}

func (d *drafter) allergy() string {
	return d.items(record.KindAllergy, "allergy", func(f record.Fact) string {
		if f.Name == "" || f.Status == record.Absent {
			return ""
		}
		p := d.say("allergy.item", "name", f.Name)
		if f.Value != "" {
			p += d.say("allergy.reaction", "value", f.Value)
		}
		return p
	})
}

// items writes a section of named items (对青霉素过敏, 父亲有高血压): each
// item's phrase, else the general denial (key.none: 否认…史) when one was
// said, else key.uncertain (…不详) when the patient did not know.
func (d *drafter) items(kind, key string, item func(record.Fact) string) string {
	var parts []string
	none, unsure := false, false
	for _, f := range d.facts(kind) {
		if p := item(f); p != "" {
			parts = append(parts, p)
			continue
		}
		switch f.Status {
		case record.Absent:
			none = none || f.Name == ""
		case record.Uncertain:
			unsure = true
		}
	}
	switch {
	case len(parts) > 0:
		return d.sentence(parts)
	case none:
		return d.sentence([]string{d.p[key+".none"]})
	case unsure:
		return d.sentence([]string{d.p[key+".uncertain"]})
	}
	return ""
}

func (d *drafter) personal() string {
	var parts []string
	for _, k := range []string{record.KindSmoking, record.KindDrinking} {
		for _, f := range d.facts(k) {
			switch f.Status {
			case record.Absent:
				parts = append(parts, d.p["personal."+k+".none"])
			case record.Present:
				p := d.p["personal."+k]
				if f.Value != "" {
					p += d.say("detail", "value", f.Value)
				}
				parts = append(parts, p)
			}
		}
	}
	for _, f := range d.facts(record.KindNote) {
		if f.Name != "" && f.Value != "" { // a named note: 预防接种
			parts = append(parts, d.say("personal.vaccination", "value", f.Value))
		}
	}
	return d.sentence(parts)
}

func (d *drafter) family() string {
	return d.items(record.KindFamily, "family", func(f record.Fact) string {
		if f.Name == "" || f.Status != record.Present {
			return ""
		}
		who := f.Value
		if who == "" {
			who = d.p["family.relative"]
		}
		return d.say("family.item", "who", who, "name", f.Name)
	})
}

func (d *drafter) menstrual() string {
	var parts []string
	for _, f := range d.facts(record.KindLMP) {
		v := f.Value
		if f.Date != "" {
			v = f.Date
		}
		parts = append(parts, d.say("menstrual.lmp", "value", v))
	}
	for _, f := range d.facts(record.KindMenstrual) {
		if f.Value != "" {
			parts = append(parts, d.say("menstrual.note", "value", f.Value))
		}
	}
	for _, f := range d.facts(record.KindObstetric) {
		switch f.Status {
		case record.Present:
			parts = append(parts, d.p["menstrual.pregnant"])
		case record.Absent:
			parts = append(parts, d.p["menstrual.not_pregnant"])
		case record.Uncertain:
			parts = append(parts, d.p["menstrual.maybe_pregnant"])
		}
	}
	return d.sentence(parts)
}
