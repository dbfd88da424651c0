package record

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html"
	"math"
	"strconv"
	"strings"
	"time"
)

// The FHIR rendering: the draft as an HL7 FHIR R4 document Bundle.
//
// The Bundle (type document) holds, in this order:
//   - a Composition (status preliminary, type LOINC 34117-2 History and
//     physical note: the draft is the history part of the H&P a Chinese
//     EMR's 门诊病历/入院记录 takes; LOINC has no closer document type for a
//     patient-given pre-visit history), with one section per non-empty
//     heading, its LOINC section code and its text as XHTML narrative;
//   - the Patient (identifier the hospital's patient id, gender; no name:
//     the project never holds one);
//   - a RelatedPerson when someone answered for the patient (代答), with
//     the relation as text;
//   - the Device "daoyi" (the Composition's author, with the Patient or
//     RelatedPerson who gave the answers);
//   - an Encounter when the record names a visit;
//   - a Condition per present symptom (clinicalStatus active,
//     verificationStatus unconfirmed, category problem-list-item, code.text
//     the symptom, onset and body site when said), referenced from the
//     present-illness section;
//   - an Observation for the temperature (LOINC 8310-5, Cel) and one per
//     severity (LOINC 72514-3, 0–10), referenced from the present-illness
//     section;
//   - an AllergyIntolerance per allergen said, or one "No known allergy"
//     (SNOMED CT 716186003, confirmed) when the patient denied allergies,
//     referenced from the allergy section.
//
// Absent and uncertain symptoms are not Conditions: a refuted Condition on
// a problem list still needs a clinical status, and an importer that
// ignores verificationStatus would list the symptom the patient denied.
// They stay in the narrative (现病史 says 无咳嗽) and the HTML's facts.
// Likewise an allergen the patient named as not an allergy stays in the
// narrative; only a general denial makes the "No known allergy" entry.
//
// Ids are name-based UUIDs (version 5) of the record's id and the
// resource's role, so the same record renders to the same bytes and a
// later version of a record keeps its resources' ids.

// Identifier systems. The hospital's own systems are not known here: these
// URNs name the ids as the hospital gave them in the signed start link; a
// deployment mapping them to the hospital's OIDs does it on import.
const (
	PatientIDSystem = "urn:daoyi:patient-id"
	VisitIDSystem   = "urn:daoyi:visit-id"
	RecordIDSystem  = "urn:daoyi:record-id"
)

// Code systems and codes.
const (
	systemLOINC     = "http://loinc.org"
	systemSNOMED    = "http://snomed.info/sct"
	systemUCUM      = "http://unitsofmeasure.org"
	systemRFC3986   = "urn:ietf:rfc:3986"
	systemActCode   = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	systemObsCat    = "http://terminology.hl7.org/CodeSystem/observation-category"
	systemCondClin  = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	systemCondVer   = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	systemCondCat   = "http://terminology.hl7.org/CodeSystem/condition-category"
	systemAllerClin = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	systemAllerVer  = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"

	loincDocument    = "34117-2" // History and physical note
	loincChief       = "10154-3" // Chief complaint Narrative - Reported
	loincPresent     = "10164-2" // History of Present illness Narrative
	loincPast        = "11348-0" // History of Past illness Narrative
	loincAllergy     = "48765-2" // Allergies and adverse reactions Document
	loincSocial      = "29762-2" // Social history Narrative
	loincFamily      = "10157-6" // History of family member diseases Narrative
	loincMenstrual   = "49033-4" // Menstrual history Narrative - Reported
	loincTemperature = "8310-5"  // Body temperature
	loincPain        = "72514-3" // Pain severity - 0-10 verbal numeric rating [Score] - Reported
	snomedNoAllergy  = "716186003"

	xhtmlNS = "http://www.w3.org/1999/xhtml"
	device  = "daoyi"
)

// uuidSpace is the namespace of the resources' name-based UUIDs.
var uuidSpace = [16]byte{0xf4, 0xa7, 0x61, 0x7d, 0xcf, 0x34, 0x58, 0xb7, 0x95, 0x94, 0x19, 0x69, 0xad, 0xc3, 0xa0, 0x47}

// nameUUID is the version 5 UUID of name in uuidSpace (RFC 9562).
func nameUUID(name string) string {
	h := sha1.New()
	h.Write(uuidSpace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	s := hex.EncodeToString(u[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// The FHIR datatypes used, with their elements in the specification's
// order.
type (
	fhirCoding struct {
		System  string `json:"system,omitempty"`
		Code    string `json:"code,omitempty"`
		Display string `json:"display,omitempty"`
	}
	fhirConcept struct {
		Coding []fhirCoding `json:"coding,omitempty"`
		Text   string       `json:"text,omitempty"`
	}
	fhirReference struct {
		Reference string `json:"reference"`
	}
	fhirIdentifier struct {
		System string `json:"system,omitempty"`
		Value  string `json:"value,omitempty"`
	}
	fhirNarrative struct {
		Status string `json:"status"`
		Div    string `json:"div"`
	}
	fhirQuantity struct {
		Value  float64 `json:"value"`
		Unit   string  `json:"unit,omitempty"`
		System string  `json:"system,omitempty"`
		Code   string  `json:"code,omitempty"`
	}
	fhirAnnotation struct {
		Text string `json:"text"`
	}
)

// The resources.
type (
	fhirBundle struct {
		ResourceType string         `json:"resourceType"`
		ID           string         `json:"id"`
		Identifier   fhirIdentifier `json:"identifier"`
		Type         string         `json:"type"`
		Timestamp    string         `json:"timestamp"`
		Entry        []fhirEntry    `json:"entry"`
	}
	fhirEntry struct {
		FullURL  string `json:"fullUrl"`
		Resource any    `json:"resource"`
	}
	fhirComposition struct {
		ResourceType string            `json:"resourceType"`
		ID           string            `json:"id"`
		Identifier   *fhirIdentifier   `json:"identifier,omitempty"`
		Status       string            `json:"status"`
		Type         fhirConcept       `json:"type"`
		Subject      *fhirReference    `json:"subject,omitempty"`
		Encounter    *fhirReference    `json:"encounter,omitempty"`
		Date         string            `json:"date"`
		Author       []fhirReference   `json:"author"`
		Title        string            `json:"title"`
		Section      []fhirCompSection `json:"section,omitempty"`
	}
	fhirCompSection struct {
		Title string          `json:"title,omitempty"`
		Code  *fhirConcept    `json:"code,omitempty"`
		Text  *fhirNarrative  `json:"text,omitempty"`
		Entry []fhirReference `json:"entry,omitempty"`
	}
	fhirPatient struct {
		ResourceType string           `json:"resourceType"`
		ID           string           `json:"id"`
		Identifier   []fhirIdentifier `json:"identifier,omitempty"`
		Gender       string           `json:"gender,omitempty"`
	}
	fhirRelatedPerson struct {
		ResourceType string        `json:"resourceType"`
		ID           string        `json:"id"`
		Patient      fhirReference `json:"patient"`
		Relationship []fhirConcept `json:"relationship,omitempty"`
	}
	fhirDevice struct {
		ResourceType string           `json:"resourceType"`
		ID           string           `json:"id"`
		DeviceName   []fhirDeviceName `json:"deviceName"`
	}
	fhirDeviceName struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	fhirEncounter struct {
		ResourceType string           `json:"resourceType"`
		ID           string           `json:"id"`
		Identifier   []fhirIdentifier `json:"identifier"`
		Status       string           `json:"status"`
		Class        fhirCoding       `json:"class"`
		Subject      fhirReference    `json:"subject"`
	}
	fhirCondition struct {
		ResourceType       string         `json:"resourceType"`
		ID                 string         `json:"id"`
		ClinicalStatus     fhirConcept    `json:"clinicalStatus"`
		VerificationStatus fhirConcept    `json:"verificationStatus"`
		Category           []fhirConcept  `json:"category"`
		Code               fhirConcept    `json:"code"`
		BodySite           []fhirConcept  `json:"bodySite,omitempty"`
		Subject            fhirReference  `json:"subject"`
		Encounter          *fhirReference `json:"encounter,omitempty"`
		OnsetDateTime      string         `json:"onsetDateTime,omitempty"`
		OnsetString        string         `json:"onsetString,omitempty"`
		RecordedDate       string         `json:"recordedDate"`
		Asserter           fhirReference  `json:"asserter"`
	}
	fhirObservation struct {
		ResourceType  string           `json:"resourceType"`
		ID            string           `json:"id"`
		Status        string           `json:"status"`
		Category      []fhirConcept    `json:"category"`
		Code          fhirConcept      `json:"code"`
		Subject       fhirReference    `json:"subject"`
		Focus         []fhirReference  `json:"focus,omitempty"`
		Encounter     *fhirReference   `json:"encounter,omitempty"`
		Issued        string           `json:"issued"`
		Performer     []fhirReference  `json:"performer"`
		ValueQuantity fhirQuantity     `json:"valueQuantity"`
		Note          []fhirAnnotation `json:"note,omitempty"`
	}
	fhirAllergy struct {
		ResourceType       string         `json:"resourceType"`
		ID                 string         `json:"id"`
		ClinicalStatus     fhirConcept    `json:"clinicalStatus"`
		VerificationStatus fhirConcept    `json:"verificationStatus"`
		Code               *fhirConcept   `json:"code,omitempty"`
		Patient            fhirReference  `json:"patient"`
		Encounter          *fhirReference `json:"encounter,omitempty"`
		RecordedDate       string         `json:"recordedDate"`
		Asserter           fhirReference  `json:"asserter"`
		Reaction           []fhirReaction `json:"reaction,omitempty"`
	}
	fhirReaction struct {
		Manifestation []fhirConcept `json:"manifestation"`
	}
)

// china is the time of the hospitals (no daylight saving since 1991):
// dates derived from durations are the patient's calendar dates.
var china = time.FixedZone("CST", 8*60*60)

// FHIR renders the record as an HL7 FHIR R4 Bundle of type document, in
// JSON (see the comment above for its content). now is the document's
// date and the Bundle's timestamp; the same record and now give the same
// bytes.
func FHIR(r *Record, h Headings, now time.Time) ([]byte, error) {
	if r == nil {
		return nil, errors.New("record: FHIR of a nil record")
	}
	if r.ID == "" {
		return nil, errors.New("record: FHIR of a record without an id")
	}
	if now.IsZero() {
		return nil, errors.New("record: FHIR needs the time of the document")
	}
	b := newFHIRBuilder(r, now)
	return b.build(h)
}

type fhirBuilder struct {
	r         *Record
	stamp     string // now as a FHIR instant
	patient   fhirReference
	informant fhirReference // who answered: the Patient or the RelatedPerson
	encounter *fhirReference
	entries   []fhirEntry
}

func newFHIRBuilder(r *Record, now time.Time) *fhirBuilder {
	return &fhirBuilder{r: r, stamp: now.Truncate(time.Second).Format(time.RFC3339)}
}

// id returns the UUID of the record's resource in role.
func (b *fhirBuilder) id(role string) string {
	return nameUUID(b.r.ID + "\x00" + role)
}

// add appends a resource and returns a reference to it.
func (b *fhirBuilder) add(id string, res any) fhirReference {
	url := "urn:uuid:" + id
	b.entries = append(b.entries, fhirEntry{FullURL: url, Resource: res})
	return fhirReference{Reference: url}
}

func (b *fhirBuilder) build(h Headings) ([]byte, error) {
	r := b.r
	comp := &fhirComposition{
		ResourceType: "Composition",
		ID:           b.id("composition"),
		Identifier:   &fhirIdentifier{System: RecordIDSystem, Value: clean(r.ID)},
		Status:       "preliminary",
		Type:         fhirConcept{Coding: []fhirCoding{{System: systemLOINC, Code: loincDocument, Display: "History and physical note"}}},
		Date:         b.stamp,
		Title:        clean(h.Title),
	}
	if comp.Title == "" {
		comp.Title = "History and physical note"
	}
	b.add(comp.ID, comp)

	// Who: the patient, who answered, the device.
	pat := &fhirPatient{ResourceType: "Patient", ID: b.id("patient")}
	if id := clean(r.PatientID); id != "" {
		pat.Identifier = []fhirIdentifier{{System: PatientIDSystem, Value: id}}
	}
	switch r.Subject.Sex {
	case "":
	case "male", "female":
		pat.Gender = r.Subject.Sex
	default:
		pat.Gender = "unknown"
	}
	b.patient = b.add(pat.ID, pat)
	comp.Subject = &b.patient
	b.informant = b.patient
	if r.Subject.Proxy {
		rp := &fhirRelatedPerson{ResourceType: "RelatedPerson", ID: b.id("related-person"), Patient: b.patient}
		if rel := clean(r.Subject.Relation); rel != "" {
			rp.Relationship = []fhirConcept{{Text: rel}}
		}
		b.informant = b.add(rp.ID, rp)
	}
	dev := &fhirDevice{ResourceType: "Device", ID: b.id("device"),
		DeviceName: []fhirDeviceName{{Name: device, Type: "user-friendly-name"}}}
	comp.Author = []fhirReference{b.add(dev.ID, dev), b.informant}
	if v := clean(r.VisitID); v != "" {
		enc := &fhirEncounter{
			ResourceType: "Encounter",
			ID:           b.id("encounter"),
			Identifier:   []fhirIdentifier{{System: VisitIDSystem, Value: v}},
			Status:       "unknown",
			Class:        fhirCoding{System: systemActCode, Code: "AMB", Display: "ambulatory"},
			Subject:      b.patient,
		}
		ref := b.add(enc.ID, enc)
		b.encounter = &ref
		comp.Encounter = b.encounter
	}

	// What: the entries the sections reference.
	refs := map[string][]fhirReference{
		"present": append(b.conditions(), b.observations()...),
		"allergy": b.allergies(),
	}
	for _, s := range sectionList(r, h) {
		if s.text == "" && len(refs[s.key]) == 0 {
			continue
		}
		cs := fhirCompSection{
			Title: clean(s.heading),
			Code:  &fhirConcept{Coding: []fhirCoding{{System: systemLOINC, Code: s.loinc, Display: s.display}}},
			Entry: refs[s.key],
		}
		if s.text != "" {
			cs.Text = &fhirNarrative{Status: "generated", Div: xhtmlDiv(s.text)}
		}
		comp.Section = append(comp.Section, cs)
	}

	bundle := fhirBundle{
		ResourceType: "Bundle",
		ID:           nameUUID(r.ID + "\x00bundle\x00" + strconv.Itoa(r.Version)),
		Type:         "document",
		Timestamp:    b.stamp,
		Entry:        b.entries,
	}
	bundle.Identifier = fhirIdentifier{System: systemRFC3986, Value: "urn:uuid:" + bundle.ID}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(bundle); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// conditions adds a Condition per present symptom (once per name) and
// returns references to them.
func (b *fhirBuilder) conditions() []fhirReference {
	r := b.r
	var refs []fhirReference
	seen := map[string]bool{}
	first := ""
	for _, f := range r.Facts {
		if f.Kind == KindSymptom && f.Status == Present && clean(f.Name) != "" && first == "" {
			first = clean(f.Name)
		}
	}
	for _, f := range r.Facts {
		name := clean(f.Name)
		if f.Kind != KindSymptom || f.Status != Present || name == "" || seen[name] {
			continue
		}
		seen[name] = true
		c := &fhirCondition{
			ResourceType:       "Condition",
			ID:                 b.id("condition\x00" + name),
			ClinicalStatus:     concept(systemCondClin, "active", "Active"),
			VerificationStatus: concept(systemCondVer, "unconfirmed", "Unconfirmed"),
			Category:           []fhirConcept{concept(systemCondCat, "problem-list-item", "Problem List Item")},
			Code:               fhirConcept{Text: name},
			Subject:            b.patient,
			Encounter:          b.encounter,
			RecordedDate:       b.stamp,
			Asserter:           b.informant,
		}
		of := func(q Fact) bool { // whether q qualifies this symptom
			o := clean(q.Of)
			return o == name || o == "" && name == first
		}
		var onset, duration *Fact
		for i := range r.Facts {
			q := &r.Facts[i]
			if !of(*q) || q.Status == Absent {
				continue
			}
			switch {
			case q.Kind == KindOnset && onset == nil:
				onset = q
			case q.Kind == KindDuration && duration == nil:
				duration = q
			case q.Kind == KindSite && clean(q.Name) != "":
				c.BodySite = append(c.BodySite, fhirConcept{Text: clean(q.Value) + clean(q.Name)})
			}
		}
		switch {
		case onset != nil && validDate(onset.Date):
			c.OnsetDateTime = onset.Date
		case duration != nil && duration.Days > 0 && duration.Days < 200*365:
			// The duration runs up to the interview (the record's
			// creation), not to the rendering.
			ref := r.CreatedAt
			if ref.IsZero() {
				ref, _ = time.Parse(time.RFC3339, b.stamp)
			}
			whole := math.Floor(duration.Days)
			start := ref.In(china).AddDate(0, 0, -int(whole)).Add(-time.Duration((duration.Days - whole) * 24 * float64(time.Hour)))
			c.OnsetDateTime = start.Format(time.DateOnly)
		case onset != nil && clean(onset.Value) != "":
			c.OnsetString = clean(onset.Value)
		}
		refs = append(refs, b.add(c.ID, c))
	}
	return refs
}

// observations adds an Observation for the highest temperature said and
// one per severity (0–10), and returns references to them.
func (b *fhirBuilder) observations() []fhirReference {
	r := b.r
	var refs []fhirReference
	var temp *Fact
	for i, f := range r.Facts {
		if f.Kind == KindTemperature && f.Status != Absent && f.Number > 0 && (temp == nil || f.Number > temp.Number) {
			temp = &r.Facts[i]
		}
	}
	if temp != nil {
		o := &fhirObservation{
			ResourceType:  "Observation",
			ID:            b.id("temperature"),
			Status:        "preliminary",
			Category:      []fhirConcept{concept(systemObsCat, "vital-signs", "Vital Signs")},
			Code:          fhirConcept{Coding: []fhirCoding{{System: systemLOINC, Code: loincTemperature, Display: "Body temperature"}}},
			Subject:       b.patient,
			Encounter:     b.encounter,
			Issued:        b.stamp,
			Performer:     []fhirReference{b.informant},
			ValueQuantity: fhirQuantity{Value: temp.Number, Unit: "Cel", System: systemUCUM, Code: "Cel"},
		}
		refs = append(refs, b.add(o.ID, o))
	}
	n := map[string]int{}
	for _, f := range r.Facts {
		if f.Kind != KindSeverity || f.Status == Absent || f.Number <= 0 || f.Number > 10 {
			continue
		}
		of := clean(f.Of)
		n[of]++
		o := &fhirObservation{
			ResourceType:  "Observation",
			ID:            b.id("severity\x00" + of + "\x00" + strconv.Itoa(n[of])),
			Status:        "preliminary",
			Category:      []fhirConcept{concept(systemObsCat, "survey", "Survey")},
			Code:          fhirConcept{Coding: []fhirCoding{{System: systemLOINC, Code: loincPain, Display: "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}}},
			Subject:       b.patient,
			Encounter:     b.encounter,
			Issued:        b.stamp,
			Performer:     []fhirReference{b.informant},
			ValueQuantity: fhirQuantity{Value: f.Number, Unit: "{score}", System: systemUCUM, Code: "{score}"},
		}
		if of != "" {
			if b.hasCondition(of) {
				o.Focus = []fhirReference{{Reference: "urn:uuid:" + b.id("condition\x00"+of)}}
			} else {
				o.Note = []fhirAnnotation{{Text: of}}
			}
		}
		refs = append(refs, b.add(o.ID, o))
	}
	return refs
}

// hasCondition reports whether a Condition of the symptom name was added.
func (b *fhirBuilder) hasCondition(name string) bool {
	url := "urn:uuid:" + b.id("condition\x00"+name)
	for _, e := range b.entries {
		if e.FullURL == url {
			return true
		}
	}
	return false
}

// allergies adds an AllergyIntolerance per allergen said (present or
// uncertain, once per name), or, when there is none and the patient
// denied allergies, one "No known allergy"; it returns references to them.
func (b *fhirBuilder) allergies() []fhirReference {
	r := b.r
	var refs []fhirReference
	seen := map[string]bool{}
	denied := false
	for _, f := range r.Facts {
		if f.Kind != KindAllergy {
			continue
		}
		name := clean(f.Name)
		if f.Status == Absent {
			denied = denied || name == ""
			continue
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		a := &fhirAllergy{
			ResourceType:       "AllergyIntolerance",
			ID:                 b.id("allergy\x00" + name),
			ClinicalStatus:     concept(systemAllerClin, "active", "Active"),
			VerificationStatus: concept(systemAllerVer, "unconfirmed", "Unconfirmed"),
			Patient:            b.patient,
			Encounter:          b.encounter,
			RecordedDate:       b.stamp,
			Asserter:           b.informant,
		}
		if name != "" {
			a.Code = &fhirConcept{Text: name}
		}
		if v := clean(f.Value); v != "" {
			a.Reaction = []fhirReaction{{Manifestation: []fhirConcept{{Text: v}}}}
		}
		refs = append(refs, b.add(a.ID, a))
	}
	if len(refs) == 0 && denied {
		a := &fhirAllergy{
			ResourceType:       "AllergyIntolerance",
			ID:                 b.id("allergy\x00none"),
			ClinicalStatus:     concept(systemAllerClin, "active", "Active"),
			VerificationStatus: concept(systemAllerVer, "confirmed", "Confirmed"),
			Code:               &fhirConcept{Coding: []fhirCoding{{System: systemSNOMED, Code: snomedNoAllergy, Display: "No known allergy (situation)"}}},
			Patient:            b.patient,
			Encounter:          b.encounter,
			RecordedDate:       b.stamp,
			Asserter:           b.informant,
		}
		refs = append(refs, b.add(a.ID, a))
	}
	return refs
}

func concept(system, code, display string) fhirConcept {
	return fhirConcept{Coding: []fhirCoding{{System: system, Code: code, Display: display}}}
}

// validDate reports whether s is a YYYY-MM-DD date.
func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// clean makes s a valid FHIR string: no characters XML forbids, no
// leading or trailing white space.
func clean(s string) string {
	if strings.IndexFunc(s, badXMLRune) >= 0 {
		s = strings.Map(func(c rune) rune {
			if badXMLRune(c) {
				return -1
			}
			return c
		}, s)
	}
	return strings.TrimSpace(s)
}

// badXMLRune reports whether c may not appear in XML 1.0.
func badXMLRune(c rune) bool {
	switch {
	case c == '\t' || c == '\n' || c == '\r':
		return false
	case c < 0x20, c == 0xFFFE, c == 0xFFFF:
		return true
	}
	return false
}

// xhtmlDiv is the narrative of a section's text: an XHTML div with a
// paragraph per line, escaped.
func xhtmlDiv(text string) string {
	var b strings.Builder
	b.WriteString(`<div xmlns="` + xhtmlNS + `">`)
	for line := range strings.SplitSeq(clean(text), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			b.WriteString("<p>")
			b.WriteString(html.EscapeString(line))
			b.WriteString("</p>")
		}
	}
	b.WriteString("</div>")
	return b.String()
}
