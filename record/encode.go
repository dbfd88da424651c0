package record

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi"
)

// The stores share these rules and the encoding of a record's content, so
// that both accept and refuse the same records (storetest checks it).

// Limits of Store.ListRecords.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)

// content is the part of a record a store keeps as one JSON document: what
// the patient said, erased when the record expires.
type content struct {
	Subject  Subject  `json:"subject"`
	Facts    []Fact   `json:"facts"`
	Sections Sections `json:"sections"`
	Summary  string   `json:"summary,omitempty"`
}

// StorableText reports whether every text can be stored faithfully by
// both stores: PostgreSQL refuses NUL characters (in text and in JSON) and
// invalid UTF-8, so neither store takes them.
func StorableText(texts ...string) bool {
	for _, s := range texts {
		if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// ErrText is the message of the Invalid error for text StorableText
// refuses.
const ErrText = "text must be valid UTF-8 without NUL characters"

// EncodeContent checks a record for storing and returns its content as
// JSON.
func EncodeContent(r *Record) ([]byte, error) {
	switch {
	case r == nil:
		return nil, daoyi.E(daoyi.Invalid, "no record")
	case r.ID == "":
		return nil, daoyi.E(daoyi.Invalid, "a record needs an id")
	case r.SessionID == "":
		return nil, daoyi.E(daoyi.Invalid, "a record needs a session id")
	case !r.State.Valid():
		return nil, daoyi.E(daoyi.Invalid, "invalid record state "+strconv.Quote(string(r.State)))
	}
	texts := []string{r.ID, r.PatientID, r.VisitID, r.Department, r.SessionID, r.ImportedBy, r.Summary,
		r.Subject.Sex, r.Subject.Relation,
		r.Sections.Chief, r.Sections.Present, r.Sections.Past, r.Sections.Allergy, r.Sections.Personal, r.Sections.Family, r.Sections.Menstrual}
	for _, f := range r.Facts {
		texts = append(texts, f.Kind, f.Name, string(f.Status), f.Value, f.Of, f.Date, f.Quote, f.Question)
	}
	if !StorableText(texts...) {
		return nil, daoyi.E(daoyi.Invalid, ErrText)
	}
	doc, err := json.Marshal(content{Subject: r.Subject, Facts: r.Facts, Sections: r.Sections, Summary: r.Summary})
	if err != nil { // a NaN or an infinity in a fact's number
		return nil, daoyi.E(daoyi.Invalid, "the record cannot be encoded", err)
	}
	return doc, nil
}

// DecodeContent fills a record's content from what EncodeContent wrote.
func DecodeContent(doc []byte, r *Record) error {
	var c content
	if err := json.Unmarshal(doc, &c); err != nil {
		return daoyi.E("corrupt content of record "+r.ID, err)
	}
	r.Subject, r.Facts, r.Sections, r.Summary = c.Subject, c.Facts, c.Sections, c.Summary
	return nil
}

// ListLimit checks a filter and returns how many records it may return.
func ListLimit(f Filter) (int, error) {
	if f.Limit < 0 {
		return 0, daoyi.E(daoyi.Invalid, "the limit must not be negative")
	}
	if f.State != "" && !f.State.Valid() {
		return 0, daoyi.E(daoyi.Invalid, "invalid record state "+strconv.Quote(string(f.State)))
	}
	if !StorableText(f.PatientID, f.VisitID, f.Department) {
		return 0, daoyi.E(daoyi.Invalid, ErrText)
	}
	switch {
	case f.Limit == 0:
		return DefaultListLimit, nil
	case f.Limit > MaxListLimit:
		return MaxListLimit, nil
	}
	return f.Limit, nil
}

// CheckAccess checks an access before it is logged.
func CheckAccess(a Access) error {
	if a.Actor == "" || a.Action == "" {
		return daoyi.E(daoyi.Invalid, "an access needs an actor and an action")
	}
	if !StorableText(a.Actor, a.Role, a.Action, a.RecordID, a.Detail) {
		return daoyi.E(daoyi.Invalid, ErrText)
	}
	return nil
}
