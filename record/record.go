// Package record is the pre-consultation medical-record draft (预问诊病历):
// the structured facts a patient gave in the interview, each traceable to
// the turn it came from, the sections a doctor imports (主诉, 现病史, 既往史,
// 过敏史, 个人史, 家族史, 月经婚育史), the record's life (draft → submitted →
// imported or expired) and its renderings for the doctor: JSON, EMR-ready
// text, an HL7 FHIR R4 Bundle and a print-friendly HTML page.
//
// It imports nothing of the project but the error type and the corpus (for
// the clinical phrases of the sections), so the interview, the stores, the
// API and the evaluation can all share it.
package record

import (
	"context"
	"time"
)

// State is where a record is in its life.
type State string

// The states. A draft is being filled in by the patient; submitted means
// the patient confirmed it and a doctor may import it; imported means a
// doctor took it into the EMR; expired means it was kept past its time
// without being imported (its content is then erased, see Store.Expire).
const (
	Draft     State = "draft"
	Submitted State = "submitted"
	Imported  State = "imported"
	Expired   State = "expired"
)

// Valid reports whether s is one of the states.
func (s State) Valid() bool {
	return s == Draft || s == Submitted || s == Imported || s == Expired
}

// Status is whether the patient has a finding.
type Status string

// Statuses of a finding.
const (
	Present   Status = "present"   // 有
	Absent    Status = "absent"    // 无 (a pertinent negative)
	Uncertain Status = "uncertain" // 不清楚, 好像有
)

// Kinds of fact.
const (
	KindSymptom     = "symptom"     // Name: standard symptom term; Status
	KindOnset       = "onset"       // Value: when it began ("3天前", "前天晚上"); Of: the symptom
	KindDuration    = "duration"    // Value: how long ("3天", "一周多"); Days: the length in days; Of
	KindTemperature = "temperature" // Value: "38.5℃"; Number: degrees Celsius (the highest said)
	KindSeverity    = "severity"    // Number: 0–10; Value as said; Of
	KindFrequency   = "frequency"   // Value: "每天3-4次", "阵发性", "持续"; Of
	KindSite        = "site"        // Name: body part; Value: side (左/右/双侧) when said; Of
	KindCharacter   = "character"   // Value: 胀痛, 刺痛, 干咳 …; Of
	KindTrigger     = "trigger"     // Value: what brought it on (受凉, 饮食不洁 …)
	KindAggravating = "aggravating" // Value: what makes it worse
	KindRelieving   = "relieving"   // Value: what makes it better
	KindCare        = "care"        // Value: care so far (去过医院, 做过检查, 未诊治); Status
	KindMedicine    = "medicine"    // Name: drug; Value: dose or how taken when said; Status (taken or not)
	KindAllergy     = "allergy"     // Name: allergen (drug or food); Value: the reaction; Status (Absent: 否认过敏史)
	KindCondition   = "condition"   // Name: chronic disease or past illness; Status
	KindOperation   = "operation"   // Name or Value: operation, injury or transfusion; Status
	KindSmoking     = "smoking"     // Status; Value: how much, how long
	KindDrinking    = "drinking"    // Status; Value: how much, how long
	KindFamily      = "family"      // Name: disease; Value: who (父亲, 母亲 …); Status
	KindLMP         = "lmp"         // last menstrual period: Value as said, Date when resolvable
	KindMenstrual   = "menstrual"   // Value: cycle, flow, pain (月经规律, 痛经 …)
	KindObstetric   = "obstetric"   // Value: pregnancies, births (孕1产1); Status for 怀孕
	KindGeneral     = "general"     // Name: 精神, 食欲, 睡眠, 大便, 小便; Value: 好, 一般, 差, 正常 (一般情况)
	KindNote        = "note"        // Value: anything else the patient added, in their words
)

// Fact is one thing the patient said, structured. Every fact keeps the turn
// it came from, the patient's own words, and the question it answers, so a
// doctor can trace each line of the draft.
type Fact struct {
	Kind     string  `json:"kind"`
	Name     string  `json:"name,omitempty"`   // standard term: 发热, 青霉素, 高血压, 腹部
	Status   Status  `json:"status,omitempty"` // present, absent, uncertain
	Value    string  `json:"value,omitempty"`  // as normalised: "3天", "38.5℃", "左侧", "每天2次"
	Number   float64 `json:"number,omitempty"` // the value as a number when it is one (℃, 0–10)
	Days     float64 `json:"days,omitempty"`   // durations in days
	Of       string  `json:"of,omitempty"`     // the symptom this qualifies (site of 腹痛)
	Date     string  `json:"date,omitempty"`   // YYYY-MM-DD when a date is resolvable (lmp, onset)
	Turn     int     `json:"turn"`             // the patient's message it came from: 1, 2, 3 …
	Quote    string  `json:"quote,omitempty"`  // the words it came from
	Question string  `json:"question,omitempty"`
}

// Subject is who the record is about and who answered.
type Subject struct {
	Age      int    `json:"age,omitempty"`    // years
	Months   int    `json:"months,omitempty"` // for babies under two
	Sex      string `json:"sex,omitempty"`    // male, female
	Pregnant bool   `json:"pregnant,omitempty"`
	// Proxy is set when someone answered for the patient (代问: a parent
	// for a child); Relation says who, when known (母亲, 父亲, 子女 …).
	Proxy    bool   `json:"proxy,omitempty"`
	Relation string `json:"relation,omitempty"`
}

// Sections are the draft's headings as a doctor imports them. Empty means
// nothing was said (a renderer then writes nothing, never an invented
// negative).
type Sections struct {
	Chief     string `json:"chief_complaint"`             // 主诉, at most 20 characters
	Present   string `json:"present_illness"`             // 现病史
	Past      string `json:"past_history,omitempty"`      // 既往史
	Allergy   string `json:"allergy_history,omitempty"`   // 过敏史
	Personal  string `json:"personal_history,omitempty"`  // 个人史
	Family    string `json:"family_history,omitempty"`    // 家族史
	Menstrual string `json:"menstrual_history,omitempty"` // 月经婚育史
}

// Record is one pre-consultation: who, for which visit, what was said, the
// draft, and where it is in its life.
type Record struct {
	ID         string `json:"id"`
	PatientID  string `json:"patient_id,omitempty"` // the hospital's ids, from the signed start link
	VisitID    string `json:"visit_id,omitempty"`
	Department string `json:"department,omitempty"` // the department's id, when the hospital said
	SessionID  string `json:"session_id"`
	State      State  `json:"state"`
	// Version counts changes; an update must name the version it read.
	Version  int      `json:"version"`
	Subject  Subject  `json:"subject"`
	Facts    []Fact   `json:"facts"`
	Sections Sections `json:"sections"`
	// Summary is the plain-language summary the patient confirmed.
	Summary     string    `json:"summary,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	ImportedAt  time.Time `json:"imported_at,omitzero"`
	ImportedBy  string    `json:"imported_by,omitempty"` // the doctor's token name
	ExpiresAt   time.Time `json:"expires_at"`            // kept until then (configurable)
}

// Filter selects records for a doctor's list. Zero fields match all.
type Filter struct {
	PatientID  string
	VisitID    string
	Department string
	State      State
	From, To   time.Time // created in [From, To)
	Limit      int       // at most this many, newest first (default 50, at most 500)
}

// Access is one entry of the audit trail: who did what to which record.
type Access struct {
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`  // token name, or "patient:<session>"
	Role     string    `json:"role"`   // doctor, admin, patient
	Action   string    `json:"action"` // list, read, read_text, read_fhir, read_html, import, submit, expire
	RecordID string    `json:"record_id,omitempty"`
	Detail   string    `json:"detail,omitempty"` // the filter of a list, never record content
}

// Store keeps records and their audit trail (both stores implement it;
// storetest checks them alike).
type Store interface {
	// CreateRecord stores a new record (Version 1). Its ID must be new.
	CreateRecord(ctx context.Context, r *Record) error
	// GetRecord returns a record, or a NotFound error.
	GetRecord(ctx context.Context, id string) (*Record, error)
	// UpdateRecord replaces a record if its stored Version is r.Version,
	// and increments r.Version; otherwise a Conflict error.
	UpdateRecord(ctx context.Context, r *Record) error
	// RecordBySession returns the latest record of a conversation, or a
	// NotFound error.
	RecordBySession(ctx context.Context, sessionID string) (*Record, error)
	// ListRecords returns the records the filter selects, newest first.
	ListRecords(ctx context.Context, f Filter) ([]*Record, error)
	// ExpireRecords marks records whose ExpiresAt is before now and that
	// were not imported as Expired, erasing their facts, sections and
	// summary (the ids and times stay for the audit trail), and returns
	// how many it expired.
	ExpireRecords(ctx context.Context, now time.Time) (int, error)
	// LogAccess appends to the audit trail.
	LogAccess(ctx context.Context, a Access) error
	// Accesses returns the audit trail of one record, oldest first.
	Accesses(ctx context.Context, recordID string) ([]Access, error)
}

var kinds = map[string]bool{KindSymptom: true, KindOnset: true, KindDuration: true, KindTemperature: true,
	KindSeverity: true, KindFrequency: true, KindSite: true, KindCharacter: true, KindTrigger: true,
	KindAggravating: true, KindRelieving: true, KindCare: true, KindMedicine: true, KindAllergy: true,
	KindCondition: true, KindOperation: true, KindSmoking: true, KindDrinking: true, KindFamily: true,
	KindLMP: true, KindMenstrual: true, KindObstetric: true, KindGeneral: true, KindNote: true}

// ValidKind reports whether k is one of the kinds of fact.
func ValidKind(k string) bool { return kinds[k] }
