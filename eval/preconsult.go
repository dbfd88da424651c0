package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode"

	"github.com/daoyi-health/daoyi/preconsult"
	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/zh"
)

// This file measures the pre-consultation interview on recorded public
// consultations: the draft's 主诉, 现病史 and 既往史 against the doctors'
// reports of IMCS-21 (IMCS-V2-MRG) by character ROUGE, and the symptoms it
// records, with their status, against the MIE annotations.
//
// TODO(preconsult): a third format, the project's own scripted
// conversations (a patient's turns with the facts and sections the draft
// must hold), is still to be added next to "imcs" and "mie".

// PreconsultCase is one recorded consultation with the doctor's report.
type PreconsultCase struct {
	ID       string
	Dialogue []preconsult.Utterance
	Subject  record.Subject
	// Gold holds the report's 主诉 (Chief), 现病史 (Present) and 既往史
	// (Past); the other sections are empty.
	Gold record.Sections
}

// Replayer turns a recorded dialogue into a record draft; it is
// (*preconsult.Interviewer).Replay in production and a stand-in in tests.
type Replayer func(dialogue []preconsult.Utterance, subject record.Subject) *record.Record

// LoadIMCS reads the IMCS-21 medical-report-generation file (CBLUE
// IMCS-V2-MRG, JSONL {id, self_report, dialogue:[{speaker, text}],
// report:{主诉, 现病史, 辅助检查, 既往史, 诊断, 建议}}). 医生 turns are the
// doctor's, 患者 turns the patient's side; the consultations are
// paediatric, so the subject is answered for by a proxy (a parent). The
// self report opens the dialogue already; when it does not, it is put
// first as a patient turn.
func LoadIMCS(path string) ([]PreconsultCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: imcs: %w", err)
	}
	defer f.Close()
	type turn struct {
		Speaker string `json:"speaker"`
		Text    string `json:"text"`
	}
	type row struct {
		ID         string            `json:"id"`
		SelfReport string            `json:"self_report"`
		Dialogue   []turn            `json:"dialogue"`
		Report     map[string]string `json:"report"`
	}
	rows, err := readJSONL[row](f, path)
	if err != nil {
		return nil, fmt.Errorf("eval: malformed IMCS file: %w", err)
	}
	var out []PreconsultCase
	for i, r := range rows {
		line := i + 1 // the case's number (comment lines are not counted)
		name := r.ID
		if name == "" {
			name = fmt.Sprintf("case %d", line)
		}
		c := PreconsultCase{ID: name, Subject: record.Subject{Proxy: true}}
		for i, t := range r.Dialogue {
			var doctor bool
			switch strings.TrimSpace(t.Speaker) {
			case "医生":
				doctor = true
			case "患者":
			default:
				return nil, fmt.Errorf("eval: %s: case %d: turn %d has speaker %q (want 医生 or 患者)", path, line, i+1, t.Speaker)
			}
			if strings.TrimSpace(t.Text) == "" {
				continue
			}
			c.Dialogue = append(c.Dialogue, preconsult.Utterance{Doctor: doctor, Text: t.Text})
		}
		if len(c.Dialogue) == 0 {
			return nil, fmt.Errorf("eval: %s: case %q has an empty dialogue", path, name)
		}
		if sr := strings.TrimSpace(r.SelfReport); sr != "" && (c.Dialogue[0].Doctor || strings.TrimSpace(c.Dialogue[0].Text) != sr) {
			c.Dialogue = append([]preconsult.Utterance{{Text: r.SelfReport}}, c.Dialogue...)
		}
		c.Gold = record.Sections{Chief: r.Report["主诉"], Present: r.Report["现病史"], Past: r.Report["既往史"]}
		if strings.TrimSpace(c.Gold.Chief+c.Gold.Present+c.Gold.Past) == "" {
			return nil, fmt.Errorf("eval: %s: case %q has no report (主诉, 现病史, 既往史)", path, name)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("eval: %s: no IMCS cases", path)
	}
	return out, nil
}

// ---- ROUGE ----

// RougeScores are the ROUGE-1, ROUGE-2 and ROUGE-L F1 of one text against
// one reference.
type RougeScores struct{ R1, R2, RL float64 }

// Mean is the mean of the three, CBLUE's IMCS-V2-MRG score.
func (s RougeScores) Mean() float64 { return (s.R1 + s.R2 + s.RL) / 3 }

// Rouge scores a generated text against a reference as the CBLUE
// IMCS-V2-MRG evaluation does. Its script (eval_task3.py of
// github.com/lemuria-wchen/imcs21-cblue, task 3) puts a space between all
// characters and calls the Python "rouge" package (pltrdy/rouge 1.0.x,
// Rouge().get_scores with its defaults), which gives:
//
//   - tokens are characters; white space is dropped; every other character,
//     Chinese and ASCII punctuation included, is a token (punctuation is
//     kept), except the ASCII full stop '.', on which the package splits
//     sentences (so "38.5" is the tokens 3 8 5 in two sentences);
//   - the package's default "exclusive" mode counts distinct n-grams: a
//     set of n-grams for the text and one for the reference (over all
//     sentences run together), overlap = the size of their intersection,
//     P = overlap/|text set|, R = overlap/|reference set|, F1 = 2PR/(P+R);
//   - ROUGE-L is the summary-level union LCS: for each reference sentence
//     and each text sentence one longest common subsequence is traced
//     back (with the package's tie-break), and the distinct tokens of all
//     of them, pooled, are the hits; P and R divide by the number of
//     distinct tokens of the text and of the reference;
//   - an empty text or reference scores 0.
//
// The package's quirks are kept: two adjacent full stops ("...") make a
// sentence of one empty token, which counts like a character. Only its
// 1e-8 added to the F1 denominator is left out (no difference at four
// decimals). CBLUE averages over the two annotators' reports of its test
// set; the dev file has one report, so there is one reference.
func Rouge(text, reference string) RougeScores {
	hs, rs := rougeSentences(text), rougeSentences(reference)
	if len(hs) == 0 || len(rs) == 0 {
		return RougeScores{}
	}
	h, r := flatten(hs), flatten(rs)
	return RougeScores{
		R1: ngramF1(h, r, 1),
		R2: ngramF1(h, r, 2),
		RL: rougeL(hs, rs),
	}
}

// rougeSentences splits text into sentences of character tokens as the
// rouge package sees it after CBLUE spaced the characters out: the pieces
// between ASCII full stops, white space dropped; an empty piece at either
// end is no sentence, but one between two full stops (or of white space
// only) is a sentence of one empty token.
func rougeSentences(text string) [][]string {
	pieces := strings.Split(text, ".")
	var out [][]string
	for i, p := range pieces {
		if p == "" && (i == 0 || i == len(pieces)-1) {
			continue
		}
		var toks []string
		for _, c := range p {
			if !unicode.IsSpace(c) {
				toks = append(toks, string(c))
			}
		}
		if len(toks) == 0 {
			toks = []string{""}
		}
		out = append(out, toks)
	}
	return out
}

func flatten(ss [][]string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s...)
	}
	return out
}

func ngramSet(toks []string, n int) map[string]bool {
	set := map[string]bool{}
	for i := 0; i+n <= len(toks); i++ {
		set[strings.Join(toks[i:i+n], "\x00")] = true
	}
	return set
}

func ngramF1(h, r []string, n int) float64 {
	hs, rs := ngramSet(h, n), ngramSet(r, n)
	overlap := 0
	for g := range hs {
		if rs[g] {
			overlap++
		}
	}
	return fScore(overlap, len(hs), len(rs))
}

func fScore(overlap, nText, nRef int) float64 {
	if overlap == 0 || nText == 0 || nRef == 0 {
		return 0
	}
	p, r := float64(overlap)/float64(nText), float64(overlap)/float64(nRef)
	return 2 * p * r / (p + r)
}

func rougeL(hs, rs [][]string) float64 {
	hits := map[string]bool{}
	for _, ref := range rs {
		for _, hyp := range hs {
			for _, t := range lcsTokens(ref, hyp) {
				hits[t] = true
			}
		}
	}
	distinct := func(ss [][]string) int {
		set := map[string]bool{}
		for _, s := range ss {
			for _, t := range s {
				set[t] = true
			}
		}
		return len(set)
	}
	return fScore(len(hits), distinct(hs), distinct(rs))
}

// lcsTokens returns one longest common subsequence of x and y, traced back
// from the end as pltrdy/rouge does: a match is taken, otherwise the step
// goes up (drops x's last token) only when that keeps a strictly longer
// LCS than going left.
func lcsTokens(x, y []string) []string {
	n, m := len(x), len(y)
	t := make([][]int, n+1)
	for i := range t {
		t[i] = make([]int, m+1)
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			if x[i-1] == y[j-1] {
				t[i][j] = t[i-1][j-1] + 1
			} else {
				t[i][j] = max(t[i-1][j], t[i][j-1])
			}
		}
	}
	var out []string
	for i, j := n, m; i > 0 && j > 0; {
		switch {
		case x[i-1] == y[j-1]:
			out = append(out, x[i-1])
			i, j = i-1, j-1
		case t[i-1][j] > t[i][j-1]:
			i--
		default:
			j--
		}
	}
	return out
}

// ---- reports ----

// PreconsultReport is the outcome of RunIMCS or RunMIE.
type PreconsultReport struct {
	Metrics map[string]float64 `json:"metrics"`
	// Examples are the cases, worst first (lowest score), for the text
	// report.
	Examples []PreconsultExample `json:"examples,omitempty"`
}

// PreconsultExample is one case's draft against the gold.
type PreconsultExample struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"` // imcs: mean ROUGE of the joined fields; mie: the dialogue's pair F1
	Got   string  `json:"got"`
	Want  string  `json:"want"`
}

// RunIMCS replays every case through the interviewer and scores the
// draft's sections against the report (see ScoreIMCS).
func RunIMCS(iv *preconsult.Interviewer, cases []PreconsultCase) PreconsultReport {
	return ScoreIMCS(cases, iv.Replay)
}

// preconsultFields are the scored sections with their metric prefixes.
// IMCS's 既往史 holds the past illnesses and the allergies both (否认过敏史
// is its commonest content), where daoyi writes 过敏史 apart: the past
// field is scored as daoyi's 既往史 followed by its 过敏史. The gold's
// Allergy is always empty, so the same getter reads it unchanged.
var preconsultFields = []struct {
	key string
	get func(record.Sections) string
}{
	{"chief", func(s record.Sections) string { return s.Chief }},
	{"present", func(s record.Sections) string { return s.Present }},
	{"past", func(s record.Sections) string { return s.Past + s.Allergy }},
}

// ScoreIMCS replays every case and scores the draft by Rouge, averaged
// over cases:
//   - rouge_1, rouge_2, rouge_l on the three fields joined (主诉, 现病史 and
//     既往史 run together, without separators), and rouge_mean, the mean
//     of the three — CBLUE's score. CBLUE joins all six fields of the
//     report, each after its name ("主诉：…"); the names are left out here
//     so that a draft earns nothing for writing them, and the figures are
//     therefore not comparable with CBLUE's published ones;
//   - per field, chief_rouge_1 … past_rouge_l, over the cases where the
//     draft or the report has the field (both empty: the case is left out
//     of that field; chief_cases … past_cases count the cases scored);
//   - cases; empty_drafts, cases whose draft has none of the fields; and
//     replay_failures, cases whose replay panicked (scored as an empty
//     draft, the panic shown as the example's draft).
func ScoreIMCS(cases []PreconsultCase, replay Replayer) PreconsultReport {
	rep := PreconsultReport{Metrics: map[string]float64{}}
	var joined RougeScores
	perField := make([]RougeScores, len(preconsultFields))
	perCount := make([]int, len(preconsultFields))
	empty, failures := 0, 0
	for _, c := range cases {
		var got record.Sections
		rec, err := replaySafely(replay, c.Dialogue, c.Subject)
		if err != nil {
			failures++
		} else if rec != nil {
			got = rec.Sections
		}
		var hyp, ref string
		for i, f := range preconsultFields {
			h, r := f.get(got), f.get(c.Gold)
			hyp += h
			ref += r
			if strings.TrimSpace(h) == "" && strings.TrimSpace(r) == "" {
				continue
			}
			s := Rouge(h, r)
			perField[i].R1 += s.R1
			perField[i].R2 += s.R2
			perField[i].RL += s.RL
			perCount[i]++
		}
		if strings.TrimSpace(hyp) == "" {
			empty++
		}
		s := Rouge(hyp, ref)
		joined.R1 += s.R1
		joined.R2 += s.R2
		joined.RL += s.RL
		ex := PreconsultExample{ID: c.ID, Score: round4(s.Mean()), Got: showSections(got), Want: showSections(c.Gold)}
		if err != nil {
			ex.Got = err.Error()
		}
		rep.Examples = append(rep.Examples, ex)
	}
	n := float64(len(cases))
	mean := func(sum float64, k int) float64 {
		if k == 0 {
			return 0
		}
		return round4(sum / float64(k))
	}
	rep.Metrics["cases"] = n
	rep.Metrics["empty_drafts"] = float64(empty)
	rep.Metrics["replay_failures"] = float64(failures)
	rep.Metrics["rouge_1"] = mean(joined.R1, len(cases))
	rep.Metrics["rouge_2"] = mean(joined.R2, len(cases))
	rep.Metrics["rouge_l"] = mean(joined.RL, len(cases))
	rep.Metrics["rouge_mean"] = mean(joined.Mean(), len(cases))
	for i, f := range preconsultFields {
		rep.Metrics[f.key+"_rouge_1"] = mean(perField[i].R1, perCount[i])
		rep.Metrics[f.key+"_rouge_2"] = mean(perField[i].R2, perCount[i])
		rep.Metrics[f.key+"_rouge_l"] = mean(perField[i].RL, perCount[i])
		rep.Metrics[f.key+"_cases"] = float64(perCount[i])
	}
	sortExamples(rep.Examples)
	return rep
}

// replaySafely calls replay, turning a panic into an error, so that one
// dialogue the interviewer fails on does not end the run: it is counted,
// scored as an empty draft and shown among the examples.
func replaySafely(replay Replayer, d []preconsult.Utterance, subject record.Subject) (rec *record.Record, err error) {
	defer func() {
		if p := recover(); p != nil {
			rec, err = nil, fmt.Errorf("replay panicked: %v", p)
		}
	}()
	return replay(d, subject), nil
}

func showSections(s record.Sections) string {
	return "主诉: " + orDash(s.Chief) + " | 现病史: " + orDash(s.Present) + " | 既往史: " + orDash(s.Past)
}

func sortExamples(ex []PreconsultExample) {
	sort.SliceStable(ex, func(a, b int) bool { return ex[a].Score < ex[b].Score })
}

// WriteText prints the metrics and the examples worst first, at most
// examples of them (-1: all).
func (r *PreconsultReport) WriteText(w io.Writer, examples int) {
	writeMetrics(w, r.Metrics)
	if len(r.Examples) == 0 || examples == 0 {
		return
	}
	fmt.Fprintf(w, "\nworst cases:\n")
	for i, e := range r.Examples {
		if examples > 0 && i == examples {
			fmt.Fprintf(w, "  … %d more\n", len(r.Examples)-i)
			break
		}
		fmt.Fprintf(w, "  %s  score %.4f\n    got:  %s\n    want: %s\n", e.ID, e.Score, short(e.Got, 300), short(e.Want, 300))
	}
}

// ---- MIE ----

// MIECase is one MIE dialogue with the symptoms the patient stated.
type MIECase struct {
	ID       string // "dialogue N", N counted from 1 in the file
	Dialogue []preconsult.Utterance
	// Gold are the MIE symptom items (症状) the patient stated, in the
	// order they were first labelled, each with its last labelled status.
	Gold []MIEFinding
}

// MIEFinding is one symptom item and whether the patient has it.
type MIEFinding struct {
	Item   string
	Status record.Status // present or absent
}

// LoadMIE reads an MIE split (ACL 2020; a JSON list of dialogues, each a
// list of windows {utterances: [5 strings "患者:…"/"医生:…", "" padding
// the first ones], label: ["症状:头晕-状态:阳性", …]}).
//
// The windows slide over the dialogue one utterance at a time; the
// dialogue is rebuilt by appending each window's utterances that are not
// already the tail of what was rebuilt (the longest tail of the rebuilt
// dialogue that equals the start of the window is skipped, and every
// window adds at least its last utterance).
//
// Gold: the labels of all windows of the dialogue, category 症状 only,
// with the patient's own statuses — 阳性 → present, 阴性 → absent. The
// other statuses are left out: 医生阳性 and 医生阴性 are the doctor's
// statements (a diagnosis or an inference the patient did not make), and
// 未知 is a symptom mentioned without a status (a question, a worry). When
// a dialogue labels one item both 阳性 and 阴性, the later window's status
// stands.
func LoadMIE(path string) ([]MIECase, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("eval: mie: %w", err)
	}
	type window struct {
		Utterances []string `json:"utterances"`
		Label      []string `json:"label"`
	}
	var raw [][]window
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("eval: %s: not an MIE file (a JSON list of dialogues, each a list of windows): %w", path, err)
	}
	var out []MIECase
	for d, ws := range raw {
		c := MIECase{ID: fmt.Sprintf("dialogue %d", d+1)}
		var seq []string
		status := map[string]record.Status{}
		var order []string
		for w, win := range ws {
			where := fmt.Sprintf("eval: %s: dialogue %d, window %d", path, d+1, w+1)
			var us []string
			for _, u := range win.Utterances {
				if strings.TrimSpace(u) != "" {
					us = append(us, u)
				}
			}
			if len(us) > 0 {
				seq = appendWindow(seq, us)
			}
			for _, l := range win.Label {
				cat, item, st, ok := parseMIELabel(l)
				if !ok {
					return nil, fmt.Errorf("%s: malformed label %q (want category:item-状态:status)", where, l)
				}
				if cat != "症状" {
					continue
				}
				var s record.Status
				switch st {
				case "阳性":
					s = record.Present
				case "阴性":
					s = record.Absent
				case "医生阳性", "医生阴性", "未知":
					continue
				default:
					return nil, fmt.Errorf("%s: unknown status %q in label %q", where, st, l)
				}
				if _, seen := status[item]; !seen {
					order = append(order, item)
				}
				status[item] = s
			}
		}
		for i, u := range seq {
			ut, ok := parseMIEUtterance(u)
			if !ok {
				return nil, fmt.Errorf("eval: %s: dialogue %d: utterance %d %q does not start with 患者: or 医生:", path, d+1, i+1, short(u, 60))
			}
			c.Dialogue = append(c.Dialogue, ut)
		}
		if len(c.Dialogue) == 0 {
			return nil, fmt.Errorf("eval: %s: dialogue %d is empty", path, d+1)
		}
		for _, it := range order {
			c.Gold = append(c.Gold, MIEFinding{Item: it, Status: status[it]})
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("eval: %s: no MIE dialogues", path)
	}
	return out, nil
}

// appendWindow appends a window's utterances to the rebuilt dialogue,
// skipping those that are already its tail.
func appendWindow(seq, win []string) []string {
	for k := min(len(seq), len(win)-1); k >= 0; k-- {
		if equalStrings(seq[len(seq)-k:], win[:k]) {
			return append(seq, win[k:]...)
		}
	}
	return append(seq, win...) // unreachable: k = 0 always matches
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// parseMIELabel splits "症状:头晕-状态:阳性" into 症状, 头晕, 阳性.
func parseMIELabel(l string) (cat, item, status string, ok bool) {
	cat, rest, ok := strings.Cut(l, ":")
	if !ok {
		return "", "", "", false
	}
	i := strings.LastIndex(rest, "-状态:")
	if i <= 0 || cat == "" {
		return "", "", "", false
	}
	item, status = rest[:i], rest[i+len("-状态:"):]
	return cat, item, status, status != ""
}

func parseMIEUtterance(u string) (preconsult.Utterance, bool) {
	u = strings.TrimSpace(u)
	for _, p := range []struct {
		prefix string
		doctor bool
	}{{"医生:", true}, {"医生：", true}, {"患者:", false}, {"患者：", false}} {
		if rest, ok := strings.CutPrefix(u, p.prefix); ok {
			return preconsult.Utterance{Doctor: p.doctor, Text: strings.TrimSpace(rest)}, true
		}
	}
	return preconsult.Utterance{}, false
}

// LoadMIEOntology reads MIE's ontology.json ({"症状": [items], "检查": …,
// "状态": …}) and returns its symptom items.
func LoadMIEOntology(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("eval: mie ontology: %w", err)
	}
	var o map[string][]string
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("eval: %s: not an MIE ontology (a JSON object of lists): %w", path, err)
	}
	if len(o["症状"]) == 0 {
		return nil, fmt.Errorf("eval: %s: the ontology lists no 症状 items", path)
	}
	return o["症状"], nil
}

// RunMIE replays every dialogue through the interviewer and scores the
// symptoms of the draft (see ScoreMIE).
func RunMIE(iv *preconsult.Interviewer, cases []MIECase, items []string, lex *zh.Lexicon) PreconsultReport {
	return ScoreMIE(cases, items, lex, iv.Replay)
}

// ScoreMIE replays every dialogue (the subject answers for themself) and
// compares the draft's findings with the gold, micro-averaged over all
// dialogues:
//   - precision, recall and f1 of (symptom, status) pairs, and
//     symptom_precision, symptom_recall, symptom_f1 of the symptoms alone;
//   - dialogues, gold_pairs and predicted_pairs; replay_failures, the
//     dialogues whose replay panicked (scored as an empty draft).
//
// A draft's finding is a fact of kind symptom or condition (MIE's 症状
// items include diseases: 高血压, 冠心病, 房颤) with status present or
// absent; uncertain facts are not scored, as MIE's gold has no such status.
// Names are compared as standard terms: a word is mapped to the term the
// lexicon gives it (MIE's 心慌 → 心悸, 房颤 → 心房颤动), else kept as it
// is (normalised), so an MIE item matches a fact when both are equal or the
// lexicon maps the item to the fact's term. Only items of the ontology
// (items; nil: every item of the gold) are scored, in the gold and in the
// draft. Two items with one term count once; when a term is stated twice
// with different statuses, the later one stands, in the gold as in the
// draft.
func ScoreMIE(cases []MIECase, items []string, lex *zh.Lexicon, replay Replayer) PreconsultReport {
	termOf := func(w string) string {
		n := zh.Normalize(strings.TrimSpace(w))
		if lex != nil {
			if t, _, ok := lex.Lookup(n); ok {
				return t
			}
		}
		return n
	}
	inOntology := map[string]bool{} // items
	scored := map[string]bool{}     // their terms
	if items == nil {
		for _, c := range cases {
			for _, g := range c.Gold {
				items = append(items, g.Item)
			}
		}
	}
	for _, it := range items {
		inOntology[it] = true
		scored[termOf(it)] = true
	}
	var goldN, predN, tp, tpSym, failures int
	rep := PreconsultReport{Metrics: map[string]float64{}}
	for _, c := range cases {
		gold, gorder := map[string]record.Status{}, []string(nil)
		for _, g := range c.Gold {
			if !inOntology[g.Item] {
				continue
			}
			t := termOf(g.Item)
			if _, ok := gold[t]; !ok {
				gorder = append(gorder, t)
			}
			gold[t] = g.Status
		}
		pred, porder := map[string]record.Status{}, []string(nil)
		rec, err := replaySafely(replay, c.Dialogue, record.Subject{})
		if err != nil {
			failures++
		}
		if rec != nil {
			for _, f := range rec.Facts {
				if f.Kind != record.KindSymptom && f.Kind != record.KindCondition {
					continue
				}
				if f.Status != record.Present && f.Status != record.Absent {
					continue
				}
				t := termOf(f.Name)
				if !scored[t] {
					continue
				}
				if _, ok := pred[t]; !ok {
					porder = append(porder, t)
				}
				pred[t] = f.Status
			}
		}
		hit, hitSym := 0, 0
		for t, s := range pred {
			if gs, ok := gold[t]; ok {
				hitSym++
				if gs == s {
					hit++
				}
			}
		}
		goldN += len(gold)
		predN += len(pred)
		tp += hit
		tpSym += hitSym
		ex := PreconsultExample{
			ID: c.ID, Score: round4(fScore(hit, len(pred), len(gold))),
			Got: showFindings(porder, pred), Want: showFindings(gorder, gold),
		}
		if err != nil {
			ex.Got = err.Error()
		}
		rep.Examples = append(rep.Examples, ex)
	}
	p, r := safeDiv(tp, predN), safeDiv(tp, goldN)
	sp, sr := safeDiv(tpSym, predN), safeDiv(tpSym, goldN)
	rep.Metrics = map[string]float64{
		"dialogues":         float64(len(cases)),
		"replay_failures":   float64(failures),
		"gold_pairs":        float64(goldN),
		"predicted_pairs":   float64(predN),
		"precision":         round4(p),
		"recall":            round4(r),
		"f1":                round4(fScore(tp, predN, goldN)),
		"symptom_precision": round4(sp),
		"symptom_recall":    round4(sr),
		"symptom_f1":        round4(fScore(tpSym, predN, goldN)),
	}
	// A dialogue with nothing to find and nothing found is no example.
	ex := rep.Examples[:0]
	for _, e := range rep.Examples {
		if e.Got != "-" || e.Want != "-" {
			ex = append(ex, e)
		}
	}
	rep.Examples = ex
	sortExamples(rep.Examples)
	return rep
}

// showFindings writes findings as "头晕+ 胸痛-" (+ present, - absent).
func showFindings(order []string, st map[string]record.Status) string {
	if len(order) == 0 {
		return "-"
	}
	parts := make([]string, len(order))
	for i, t := range order {
		sign := "+"
		if st[t] == record.Absent {
			sign = "-"
		}
		parts[i] = t + sign
	}
	return strings.Join(parts, " ")
}
