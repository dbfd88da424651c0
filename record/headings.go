package record

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Headings are the words the renderings are written with: the sections'
// headings and the labels of the HTML page. They come from the corpus
// (corpus/preconsult.yaml, headings:, by the yaml keys below), so that no
// Chinese text lives in the code; NewHeadings reads them from the corpus's
// map and Missing lists the keys a corpus left out.
type Headings struct {
	// The sections, in the order a doctor reads them.
	Chief     string `yaml:"chief"`     // 主诉
	Present   string `yaml:"present"`   // 现病史
	Past      string `yaml:"past"`      // 既往史
	Allergy   string `yaml:"allergy"`   // 过敏史
	Personal  string `yaml:"personal"`  // 个人史
	Family    string `yaml:"family"`    // 家族史
	Menstrual string `yaml:"menstrual"` // 月经婚育史
	// Colon follows a heading in the text rendering (the full-width
	// colon); ": " when empty.
	Colon string `yaml:"colon"`

	// The document.
	Title string `yaml:"title"` // 预问诊病历 (the HTML title, the FHIR Composition's title)
	// Note says the draft was given by the patient before the visit and
	// must be checked by the doctor; it heads the HTML page.
	Note    string `yaml:"note"`
	Summary string `yaml:"summary"` // 患者确认的摘要

	// The header of the HTML page.
	Patient    string `yaml:"patient"`     // 患者ID
	Visit      string `yaml:"visit"`       // 就诊号
	Age        string `yaml:"age"`         // 年龄
	Years      string `yaml:"years"`       // 岁 (after the number)
	Months     string `yaml:"months"`      // 个月 (after the number)
	Sex        string `yaml:"sex"`         // 性别
	Male       string `yaml:"male"`        // 男
	Female     string `yaml:"female"`      // 女
	Pregnant   string `yaml:"pregnant"`    // 妊娠
	Proxy      string `yaml:"proxy"`       // 由家属代答 (followed by the relation when known)
	State      string `yaml:"state"`       // 状态
	Created    string `yaml:"created"`     // 创建时间
	Updated    string `yaml:"updated"`     // 更新时间
	Submitted  string `yaml:"submitted"`   // 提交时间
	Imported   string `yaml:"imported"`    // 导入时间
	ImportedBy string `yaml:"imported_by"` // 导入医生

	// The states' names.
	StateDraft     string `yaml:"state_draft"`     // 草稿
	StateSubmitted string `yaml:"state_submitted"` // 已提交
	StateImported  string `yaml:"state_imported"`  // 已导入
	StateExpired   string `yaml:"state_expired"`   // 已过期

	// The facts table: its caption and columns.
	Facts       string `yaml:"facts"`        // 结构化信息
	ColumnKind  string `yaml:"column_kind"`  // 类别
	ColumnName  string `yaml:"column_name"`  // 名称
	ColumnOf    string `yaml:"column_of"`    // 所属症状
	ColumnState string `yaml:"column_state"` // 有无
	ColumnValue string `yaml:"column_value"` // 内容
	ColumnQuote string `yaml:"column_quote"` // 患者原话
	ColumnTurn  string `yaml:"column_turn"`  // 轮次

	// The statuses of a fact.
	StatusPresent   string `yaml:"status_present"`   // 有
	StatusAbsent    string `yaml:"status_absent"`    // 无
	StatusUncertain string `yaml:"status_uncertain"` // 不确定

	// The kinds of fact, for the facts table (the kind itself when empty).
	KindSymptom     string `yaml:"kind_symptom"`     // 症状
	KindOnset       string `yaml:"kind_onset"`       // 起病时间
	KindDuration    string `yaml:"kind_duration"`    // 持续时间
	KindTemperature string `yaml:"kind_temperature"` // 体温
	KindSeverity    string `yaml:"kind_severity"`    // 严重程度
	KindFrequency   string `yaml:"kind_frequency"`   // 频率
	KindSite        string `yaml:"kind_site"`        // 部位
	KindCharacter   string `yaml:"kind_character"`   // 性质
	KindTrigger     string `yaml:"kind_trigger"`     // 诱因
	KindAggravating string `yaml:"kind_aggravating"` // 加重因素
	KindRelieving   string `yaml:"kind_relieving"`   // 缓解因素
	KindCare        string `yaml:"kind_care"`        // 诊治经过
	KindMedicine    string `yaml:"kind_medicine"`    // 用药
	KindAllergy     string `yaml:"kind_allergy"`     // 过敏
	KindCondition   string `yaml:"kind_condition"`   // 既往疾病
	KindOperation   string `yaml:"kind_operation"`   // 手术外伤输血
	KindSmoking     string `yaml:"kind_smoking"`     // 吸烟
	KindDrinking    string `yaml:"kind_drinking"`    // 饮酒
	KindFamily      string `yaml:"kind_family"`      // 家族史
	KindLMP         string `yaml:"kind_lmp"`         // 末次月经
	KindMenstrual   string `yaml:"kind_menstrual"`   // 月经
	KindObstetric   string `yaml:"kind_obstetric"`   // 婚育
	KindGeneral     string `yaml:"kind_general"`     // 一般情况
	KindNote        string `yaml:"kind_note"`        // 补充
}

// headingFields maps each yaml key of Headings to its field index.
var headingFields = func() map[string]int {
	t := reflect.TypeFor[Headings]()
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		m[t.Field(i).Tag.Get("yaml")] = i
	}
	return m
}()

// NewHeadings builds Headings from the corpus's map (yaml key → text). A
// key Headings does not have is an error (a typo in the corpus); a missing
// key is not (see Missing).
func NewHeadings(m map[string]string) (Headings, error) {
	var h Headings
	v := reflect.ValueOf(&h).Elem()
	var unknown []string
	for k, s := range m {
		i, ok := headingFields[k]
		if !ok {
			unknown = append(unknown, k)
			continue
		}
		v.Field(i).SetString(strings.TrimSpace(s))
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return h, fmt.Errorf("record: unknown headings %s", strings.Join(unknown, ", "))
	}
	return h, nil
}

// Missing returns the yaml keys of the empty fields, in declaration order:
// the words a corpus has still to give.
func (h Headings) Missing() []string {
	v := reflect.ValueOf(h)
	t := v.Type()
	var missing []string
	for i := range t.NumField() {
		if strings.TrimSpace(v.Field(i).String()) == "" {
			missing = append(missing, t.Field(i).Tag.Get("yaml"))
		}
	}
	return missing
}

// section is one heading of the draft with its text and LOINC section code.
type section struct {
	key     string // the Headings yaml key: chief, present …
	heading string
	text    string
	loinc   string
	display string // the LOINC display name
}

// sectionList returns all the record's sections, in the usual order, their
// text trimmed.
func sectionList(r *Record, h Headings) []section {
	all := []section{
		{"chief", h.Chief, r.Sections.Chief, loincChief, "Chief complaint Narrative - Reported"},
		{"present", h.Present, r.Sections.Present, loincPresent, "History of Present illness Narrative"},
		{"past", h.Past, r.Sections.Past, loincPast, "History of Past illness Narrative"},
		{"allergy", h.Allergy, r.Sections.Allergy, loincAllergy, "Allergies and adverse reactions Document"},
		{"personal", h.Personal, r.Sections.Personal, loincSocial, "Social history Narrative"},
		{"family", h.Family, r.Sections.Family, loincFamily, "History of family member diseases Narrative"},
		{"menstrual", h.Menstrual, r.Sections.Menstrual, loincMenstrual, "Menstrual history Narrative - Reported"},
	}
	for i := range all {
		all[i].text = strings.TrimSpace(all[i].text)
	}
	return all
}

// sections returns the record's non-empty sections, in the usual order.
func sections(r *Record, h Headings) []section {
	var out []section
	for _, s := range sectionList(r, h) {
		if s.text != "" {
			out = append(out, s)
		}
	}
	return out
}

// label returns the heading field of a yaml key (kind_symptom,
// status_absent, state_draft …), or fallback when the corpus has none.
func (h Headings) label(key, fallback string) string {
	if i, ok := headingFields[key]; ok {
		if s := reflect.ValueOf(h).Field(i).String(); s != "" {
			return s
		}
	}
	return fallback
}

// kindLabel is the word for a fact's kind (the kind itself when the
// corpus has none).
func (h Headings) kindLabel(kind string) string { return h.label("kind_"+kind, kind) }

// statusLabel is the word for a fact's status (the status itself when the
// corpus has none).
func (h Headings) statusLabel(st Status) string { return h.label("status_"+string(st), string(st)) }

// stateLabel is the word for a record's state (the state itself when the
// corpus has none).
func (h Headings) stateLabel(st State) string { return h.label("state_"+string(st), string(st)) }
