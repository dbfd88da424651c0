package record

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The structure check: the official HL7 FHIR R4 JSON schema
// (testdata/fhir.schema.json.gz, see testdata/README.md). It checks every
// element name (additionalProperties false), the types, the code value
// sets bound in the core (status, gender, bundle type …), the primitive
// types' formats (id, uri, dateTime, instant …) and the required complex
// elements. Primitive elements that R4 requires (1..1) the schema cannot
// require, as JSON may give them as _element; r4Required checks those.

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaDefs map[string]*jsonschema.Schema
	schemaErr  error
)

func fhirSchema(t *testing.T) (*jsonschema.Schema, map[string]*jsonschema.Schema) {
	t.Helper()
	schemaOnce.Do(func() {
		f, err := os.Open("testdata/fhir.schema.json.gz")
		if err != nil {
			schemaErr = err
			return
		}
		defer f.Close()
		z, err := gzip.NewReader(f)
		if err != nil {
			schemaErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(z)
		if err != nil {
			schemaErr = err
			return
		}
		const url = "http://hl7.org/fhir/json-schema/4.0"
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft6)
		if err := c.AddResource(url, doc); err != nil {
			schemaErr = err
			return
		}
		if schema, schemaErr = c.Compile(url); schemaErr != nil {
			return
		}
		schemaDefs = map[string]*jsonschema.Schema{}
		for _, typ := range []string{"Bundle", "Composition", "Patient", "RelatedPerson", "Device", "Encounter", "Condition", "Observation", "AllergyIntolerance"} {
			if schemaDefs[typ], schemaErr = c.Compile(url + "#/definitions/" + typ); schemaErr != nil {
				return
			}
		}
	})
	if schemaErr != nil {
		t.Fatalf("FHIR schema: %v", schemaErr)
	}
	return schema, schemaDefs
}

// r4Required are the R4 elements of cardinality 1..1 or 1..* of the
// resources rendered (from the R4 StructureDefinitions), primitive or not.
var r4Required = map[string][]string{
	"Bundle":             {"type"},
	"Composition":        {"status", "type", "date", "author", "title"},
	"Patient":            {},
	"RelatedPerson":      {"patient"},
	"Device":             {},
	"Encounter":          {"status", "class"},
	"Condition":          {"subject"},
	"Observation":        {"status", "code"},
	"AllergyIntolerance": {"patient"},
}

// validateFHIR checks a rendering against the R4 structure and returns it
// decoded.
func validateFHIR(t *testing.T, b []byte) map[string]any {
	t.Helper()
	root, defs := fhirSchema(t)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := root.Validate(inst); err != nil {
		t.Errorf("the bundle is not valid FHIR R4: %v", err)
	}
	bundle := inst.(map[string]any)
	if err := defs["Bundle"].Validate(bundle); err != nil {
		t.Errorf("not an R4 Bundle: %v", err)
	}
	for _, e := range entries(t, bundle) {
		res := e["resource"].(map[string]any)
		typ, _ := res["resourceType"].(string)
		def, ok := defs[typ]
		if !ok {
			t.Errorf("unexpected resource type %q", typ)
			continue
		}
		if err := def.Validate(res); err != nil {
			t.Errorf("%s is not valid R4: %#v", typ, err)
		}
		for _, el := range append(r4Required[typ], "id") {
			if _, ok := res[el]; !ok {
				t.Errorf("%s lacks the required %s", typ, el)
			}
		}
	}
	for _, el := range r4Required["Bundle"] {
		if _, ok := bundle[el]; !ok {
			t.Errorf("Bundle lacks %s", el)
		}
	}
	return bundle
}

func entries(t *testing.T, bundle map[string]any) []map[string]any {
	t.Helper()
	list, _ := bundle["entry"].([]any)
	var out []map[string]any
	for _, e := range list {
		out = append(out, e.(map[string]any))
	}
	return out
}

// get follows a path of keys and indexes in decoded JSON.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

// num is a number in decoded JSON (json.Number as the schema's decoder
// gives it), NaN when not one.
func num(v any, path ...any) float64 {
	n, ok := get(v, path...).(json.Number)
	if !ok {
		return math.NaN()
	}
	f, err := n.Float64()
	if err != nil {
		return math.NaN()
	}
	return f
}

// references returns every Reference.reference in v.
func references(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			if s, ok := y.(string); ok && k == "reference" {
				out = append(out, s)
			} else {
				out = append(out, references(y)...)
			}
		}
	case []any:
		for _, y := range x {
			out = append(out, references(y)...)
		}
	}
	return out
}

var testNow = time.Date(2025, 3, 10, 9, 40, 0, 0, time.FixedZone("", 8*60*60))

func renderFHIR(t *testing.T, r *Record) ([]byte, map[string]any, map[string]map[string]any) {
	t.Helper()
	b, err := FHIR(r, testHeadings(t), testNow)
	if err != nil {
		t.Fatal(err)
	}
	bundle := validateFHIR(t, b)
	byURL := map[string]map[string]any{}
	for _, e := range entries(t, bundle) {
		u := str(e, "fullUrl")
		if byURL[u] != nil {
			t.Errorf("fullUrl %s twice", u)
		}
		byURL[u] = e["resource"].(map[string]any)
		if id := str(e, "resource", "id"); u != "urn:uuid:"+id {
			t.Errorf("fullUrl %s for id %s", u, id)
		}
	}
	return b, bundle, byURL
}

func ofType(byURL map[string]map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, res := range byURL {
		if res["resourceType"] == typ {
			out = append(out, res)
		}
	}
	return out
}

func TestFHIRBundle(t *testing.T) {
	r := testRecord()
	_, bundle, byURL := renderFHIR(t, r)

	uuidRE := regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if str(bundle, "type") != "document" || str(bundle, "timestamp") != "2025-03-10T09:40:00+08:00" {
		t.Errorf("bundle type %q timestamp %q", str(bundle, "type"), str(bundle, "timestamp"))
	}
	if !uuidRE.MatchString(str(bundle, "identifier", "value")) || str(bundle, "identifier", "system") != "urn:ietf:rfc:3986" {
		t.Errorf("bundle identifier %v", bundle["identifier"])
	}
	for u := range byURL {
		if !uuidRE.MatchString(u) {
			t.Errorf("fullUrl %s is not a version 5 urn:uuid", u)
		}
	}

	// The Composition first, with its sections in order.
	comp := get(bundle, "entry", 0, "resource")
	if str(comp, "resourceType") != "Composition" || str(comp, "status") != "preliminary" ||
		str(comp, "type", "coding", 0, "code") != "34117-2" || str(comp, "type", "coding", 0, "system") != "http://loinc.org" ||
		str(comp, "title") != "预问诊病历" || str(comp, "date") != "2025-03-10T09:40:00+08:00" {
		t.Errorf("composition header: %v", comp)
	}
	if str(comp, "identifier", "value") != r.ID {
		t.Errorf("composition identifier %v", get(comp, "identifier"))
	}
	secs, _ := get(comp, "section").([]any)
	var titles, codes []string
	for _, s := range secs {
		titles = append(titles, str(s, "title"))
		codes = append(codes, str(s, "code", "coding", 0, "code"))
		if str(s, "code", "coding", 0, "system") != "http://loinc.org" {
			t.Errorf("section %s code system %q", str(s, "title"), str(s, "code", "coding", 0, "system"))
		}
		if str(s, "text", "status") != "generated" {
			t.Errorf("section %s narrative status %q", str(s, "title"), str(s, "text", "status"))
		}
		checkDiv(t, str(s, "text", "div"))
	}
	if want := []string{"主诉", "现病史", "既往史", "过敏史"}; !slices.Equal(titles, want) {
		t.Errorf("section titles %v, want %v", titles, want)
	}
	if want := []string{"10154-3", "10164-2", "11348-0", "48765-2"}; !slices.Equal(codes, want) {
		t.Errorf("section codes %v, want %v", codes, want)
	}
	if got := divText(t, str(secs[0], "text", "div")); got != r.Sections.Chief {
		t.Errorf("chief complaint narrative %q", got)
	}

	// Every reference resolves to an entry, and every entry but the
	// Composition is reached from it.
	refs := references(bundle)
	for _, ref := range refs {
		if byURL[ref] == nil {
			t.Errorf("reference %s resolves to no entry", ref)
		}
	}
	reached := map[string]bool{}
	var walk func(u string)
	walk = func(u string) {
		if reached[u] {
			return
		}
		reached[u] = true
		for _, ref := range references(byURL[u]) {
			walk(ref)
		}
	}
	walk(str(bundle, "entry", 0, "fullUrl"))
	for u, res := range byURL {
		if !reached[u] {
			t.Errorf("%s %s is not reached from the Composition", res["resourceType"], u)
		}
	}

	// Who.
	pats := ofType(byURL, "Patient")
	if len(pats) != 1 || str(pats[0], "gender") != "male" ||
		str(pats[0], "identifier", 0, "value") != "P000123" || str(pats[0], "identifier", 0, "system") != PatientIDSystem {
		t.Fatalf("patient %v", pats)
	}
	if _, ok := pats[0]["name"]; ok {
		t.Error("the patient has a name")
	}
	patURL := "urn:uuid:" + str(pats[0], "id")
	if str(comp, "subject", "reference") != patURL {
		t.Errorf("composition subject %v", get(comp, "subject"))
	}
	rps := ofType(byURL, "RelatedPerson")
	if len(rps) != 1 || str(rps[0], "relationship", 0, "text") != "母亲" || str(rps[0], "patient", "reference") != patURL {
		t.Fatalf("related person %v", rps)
	}
	rpURL := "urn:uuid:" + str(rps[0], "id")
	var authors []string
	for _, a := range get(comp, "author").([]any) {
		authors = append(authors, str(byURL[str(a, "reference")], "resourceType"))
	}
	if !slices.Equal(authors, []string{"Device", "RelatedPerson"}) {
		t.Errorf("authors %v", authors)
	}
	if devs := ofType(byURL, "Device"); len(devs) != 1 || str(devs[0], "deviceName", 0, "name") != "daoyi" {
		t.Errorf("device %v", devs)
	}
	encs := ofType(byURL, "Encounter")
	if len(encs) != 1 || str(encs[0], "identifier", 0, "value") != "V20250310-017" || str(encs[0], "identifier", 0, "system") != VisitIDSystem {
		t.Fatalf("encounter %v", encs)
	}
	encURL := "urn:uuid:" + str(encs[0], "id")
	if str(comp, "encounter", "reference") != encURL {
		t.Errorf("composition encounter %v", get(comp, "encounter"))
	}

	// The present illness: a Condition per present symptom, the highest
	// temperature, the severity.
	present := sectionEntries(secs, "10164-2", byURL)
	var conds []string
	condURL := map[string]string{}
	for _, c := range ofType(byURL, "Condition") {
		name := str(c, "code", "text")
		conds = append(conds, name)
		condURL[name] = "urn:uuid:" + str(c, "id")
		if str(c, "clinicalStatus", "coding", 0, "code") != "active" ||
			str(c, "verificationStatus", "coding", 0, "code") != "unconfirmed" ||
			str(c, "category", 0, "coding", 0, "code") != "problem-list-item" ||
			str(c, "subject", "reference") != patURL || str(c, "encounter", "reference") != encURL ||
			str(c, "asserter", "reference") != rpURL {
			t.Errorf("condition %s: %v", name, c)
		}
	}
	slices.Sort(conds)
	if want := []string{"发热", "咳嗽", "咽痛"}; !slices.Equal(conds, sorted(want)) {
		t.Errorf("conditions %v, want %v (absent and uncertain symptoms stay in the narrative)", conds, want)
	}
	for _, name := range conds {
		if !slices.Contains(present, condURL[name]) {
			t.Errorf("condition %s is not an entry of the present illness", name)
		}
	}
	// Onset: 3 days and 1 day before the interview (2025-03-10 in China).
	onsets := map[string]string{}
	for _, c := range ofType(byURL, "Condition") {
		onsets[str(c, "code", "text")] = str(c, "onsetDateTime")
	}
	if onsets["发热"] != "2025-03-07" || onsets["咳嗽"] != "2025-03-09" || onsets["咽痛"] != "" {
		t.Errorf("onsets %v", onsets)
	}

	var temps, sevs []map[string]any
	for _, o := range ofType(byURL, "Observation") {
		if !slices.Contains(present, "urn:uuid:"+str(o, "id")) {
			t.Errorf("observation %s is not an entry of the present illness", str(o, "id"))
		}
		switch str(o, "code", "coding", 0, "code") {
		case "8310-5":
			temps = append(temps, o)
		case "72514-3":
			sevs = append(sevs, o)
		default:
			t.Errorf("observation %v", o)
		}
	}
	if len(temps) != 1 {
		t.Fatalf("%d temperature observations, want 1", len(temps))
	}
	if v := num(temps[0], "valueQuantity", "value"); v != 39.2 ||
		str(temps[0], "valueQuantity", "code") != "Cel" || str(temps[0], "valueQuantity", "system") != "http://unitsofmeasure.org" ||
		str(temps[0], "code", "coding", 0, "system") != "http://loinc.org" ||
		str(temps[0], "category", 0, "coding", 0, "code") != "vital-signs" {
		t.Errorf("temperature %v", temps[0])
	}
	if len(sevs) != 1 {
		t.Fatalf("%d severity observations, want 1", len(sevs))
	}
	if v := num(sevs[0], "valueQuantity", "value"); v != 4 || str(sevs[0], "focus", 0, "reference") != condURL["咽痛"] {
		t.Errorf("severity %v", sevs[0])
	}
	for _, o := range append(temps, sevs...) {
		if str(o, "subject", "reference") != patURL || str(o, "performer", 0, "reference") != rpURL {
			t.Errorf("observation subject or performer %v", o)
		}
	}

	// The allergies: denied, so one "No known allergy".
	allergy := sectionEntries(secs, "48765-2", byURL)
	ais := ofType(byURL, "AllergyIntolerance")
	if len(ais) != 1 || len(allergy) != 1 || allergy[0] != "urn:uuid:"+str(ais[0], "id") {
		t.Fatalf("allergies %v, allergy section entries %v", ais, allergy)
	}
	checkNoKnownAllergy(t, ais[0])
	if str(ais[0], "patient", "reference") != patURL {
		t.Errorf("allergy patient %v", ais[0]["patient"])
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// sectionEntries returns the references of the section with the LOINC
// code.
func sectionEntries(secs []any, code string, byURL map[string]map[string]any) []string {
	var out []string
	for _, s := range secs {
		if str(s, "code", "coding", 0, "code") == code {
			out = append(out, references(s)...)
		}
	}
	return out
}

func checkNoKnownAllergy(t *testing.T, ai map[string]any) {
	t.Helper()
	if str(ai, "code", "coding", 0, "system") != "http://snomed.info/sct" || str(ai, "code", "coding", 0, "code") != "716186003" ||
		str(ai, "verificationStatus", "coding", 0, "code") != "confirmed" ||
		str(ai, "verificationStatus", "coding", 0, "system") != "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification" ||
		str(ai, "clinicalStatus", "coding", 0, "code") != "active" {
		t.Errorf("not a no-known-allergy entry: %v", ai)
	}
	if _, ok := ai["reaction"]; ok {
		t.Errorf("no known allergy with a reaction: %v", ai)
	}
}

// checkDiv checks a narrative is well-formed XHTML: one div in the XHTML
// namespace.
func checkDiv(t *testing.T, div string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(div))
	d.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("narrative %q is not well-formed XML: %v", div, err)
			return
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if x.Name.Local != "div" || x.Name.Space != "http://www.w3.org/1999/xhtml" {
					t.Errorf("narrative root %v", x.Name)
				}
			} else if x.Name.Local != "p" {
				t.Errorf("narrative element %s", x.Name.Local)
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if roots != 1 {
		t.Errorf("narrative %q has %d roots", div, roots)
	}
}

// divText is the narrative's text, its paragraphs joined by newlines.
func divText(t *testing.T, div string) string {
	t.Helper()
	var x struct {
		P []string `xml:"p"`
	}
	if err := xml.Unmarshal([]byte(div), &x); err != nil {
		t.Fatalf("narrative %q: %v", div, err)
	}
	return strings.Join(x.P, "\n")
}

func TestFHIRDeterministic(t *testing.T) {
	h := testHeadings(t)
	a, err := FHIR(testRecord(), h, testNow)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FHIR(testRecord(), h, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the same record renders to different bytes")
	}
	// Another time: only the times differ, the ids stay.
	c, err := FHIR(testRecord(), h, testNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Error("another time renders the same bytes")
	}
	if got, want := strings.ReplaceAll(string(c), "2025-03-10T10:40:00+08:00", "2025-03-10T09:40:00+08:00"), string(a); got != want {
		t.Error("another time changes more than the times")
	}
	// Another record: other ids.
	r := testRecord()
	r.ID = "rec-20250310-0002"
	d, err := FHIR(r, h, testNow)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(b []byte) map[string]bool {
		m := map[string]bool{}
		for _, u := range regexp.MustCompile(`urn:uuid:[0-9a-f-]{36}`).FindAll(b, -1) {
			m[string(u)] = true
		}
		return m
	}
	for u := range ids(d) {
		if ids(a)[u] {
			t.Errorf("two records share %s", u)
		}
	}
	// A new version of the record: a new document, the same resources.
	r = testRecord()
	r.Version++
	e, err := FHIR(r, h, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var ba, be map[string]any
	json.Unmarshal(a, &ba)
	json.Unmarshal(e, &be)
	if str(ba, "identifier", "value") == str(be, "identifier", "value") {
		t.Error("two versions of a record share the document identifier")
	}
	if str(ba, "entry", 1, "fullUrl") != str(be, "entry", 1, "fullUrl") {
		t.Error("a new version changes the patient's id")
	}
}

func TestFHIRAllergies(t *testing.T) {
	allergies := func(facts ...Fact) []map[string]any {
		r := testRecord()
		r.Facts = append(slices.DeleteFunc(r.Facts, func(f Fact) bool { return f.Kind == KindAllergy }), facts...)
		_, _, byURL := renderFHIR(t, r)
		return ofType(byURL, "AllergyIntolerance")
	}
	// Allergens said: one each, unconfirmed, with the reaction; no "No
	// known allergy" beside them even if a denial was recorded too.
	ais := allergies(
		Fact{Kind: KindAllergy, Name: "青霉素", Status: Present, Value: "全身起皮疹", Turn: 8},
		Fact{Kind: KindAllergy, Name: "芒果", Status: Uncertain, Turn: 9},
		Fact{Kind: KindAllergy, Name: "青霉素", Status: Present, Turn: 10},
		Fact{Kind: KindAllergy, Status: Absent, Turn: 11},
	)
	if len(ais) != 2 {
		t.Fatalf("%d allergies, want 2: %v", len(ais), ais)
	}
	byName := map[string]map[string]any{}
	for _, a := range ais {
		byName[str(a, "code", "text")] = a
		if str(a, "verificationStatus", "coding", 0, "code") != "unconfirmed" || str(a, "clinicalStatus", "coding", 0, "code") != "active" {
			t.Errorf("allergy %v", a)
		}
	}
	if p := byName["青霉素"]; p == nil || str(p, "reaction", 0, "manifestation", 0, "text") != "全身起皮疹" {
		t.Errorf("penicillin allergy %v", p)
	}
	if m := byName["芒果"]; m == nil || get(m, "reaction") != nil {
		t.Errorf("mango allergy %v", m)
	}
	// A general denial: "No known allergy".
	ais = allergies(Fact{Kind: KindAllergy, Status: Absent, Turn: 8})
	if len(ais) != 1 {
		t.Fatalf("%d allergies, want 1", len(ais))
	}
	checkNoKnownAllergy(t, ais[0])
	// Only a named allergen denied, or nothing asked: no entry (the
	// narrative says what was said).
	if ais := allergies(Fact{Kind: KindAllergy, Name: "青霉素", Status: Absent}); len(ais) != 0 {
		t.Errorf("a denied allergen makes %v", ais)
	}
	if ais := allergies(); len(ais) != 0 {
		t.Errorf("no allergy facts make %v", ais)
	}
}

func TestFHIRMinimal(t *testing.T) {
	// No visit, no patient id, no proxy, no sections but the chief
	// complaint: still a valid document; no Encounter, the patient the
	// informant, only the sections said.
	r := &Record{ID: "rec-min", Subject: Subject{Sex: "female", Age: 34},
		Facts: []Fact{
			{Kind: KindSymptom, Name: "头痛", Status: Present, Turn: 1},
			{Kind: KindOnset, Value: "前天晚上", Of: "头痛", Turn: 1},
			{Kind: KindSeverity, Number: 6, Of: "头痛", Turn: 2},
			{Kind: KindSeverity, Number: 0, Of: "头痛", Turn: 3},  // not a score
			{Kind: KindSeverity, Number: 12, Of: "头痛", Turn: 3}, // out of range
			{Kind: KindTemperature, Value: "没量", Turn: 4},
		},
		Sections: Sections{Chief: "头痛2天"},
	}
	_, bundle, byURL := renderFHIR(t, r)
	if len(ofType(byURL, "Encounter")) != 0 || len(ofType(byURL, "RelatedPerson")) != 0 {
		t.Error("an Encounter or RelatedPerson without a visit or proxy")
	}
	pats := ofType(byURL, "Patient")
	if len(pats) != 1 || pats[0]["identifier"] != nil || str(pats[0], "gender") != "female" {
		t.Errorf("patient %v", pats)
	}
	conds := ofType(byURL, "Condition")
	if len(conds) != 1 || str(conds[0], "onsetString") != "前天晚上" || get(conds[0], "encounter") != nil ||
		str(conds[0], "asserter", "reference") != "urn:uuid:"+str(pats[0], "id") {
		t.Errorf("condition %v", conds)
	}
	obs := ofType(byURL, "Observation")
	if len(obs) != 1 || num(obs[0], "valueQuantity", "value") != 6 {
		t.Errorf("observations %v, want one severity 6", obs)
	}
	secs, _ := get(bundle, "entry", 0, "resource", "section").([]any)
	// The present illness says nothing but has entries: a section with
	// its entries and no narrative.
	if len(secs) != 2 || str(secs[0], "code", "coding", 0, "code") != "10154-3" ||
		str(secs[1], "code", "coding", 0, "code") != "10164-2" || get(secs[1], "text") != nil || len(references(secs[1])) != 2 {
		t.Errorf("sections %v", secs)
	}
}

func TestFHIREscaping(t *testing.T) {
	r := testRecord()
	r.Sections.Present = "<script>alert(\"x\")</script> & 'y' {{.Title}}\n第二行 </div><p>"
	r.Sections.Menstrual = "\x00\x1b月经规律\uFFFE"
	r.Facts = append(r.Facts, Fact{Kind: KindSymptom, Name: "\"><b>头晕</b>", Status: Present, Turn: 9})
	_, bundle, byURL := renderFHIR(t, r)
	secs, _ := get(bundle, "entry", 0, "resource", "section").([]any)
	var present, menstrual string
	for _, s := range secs {
		switch str(s, "code", "coding", 0, "code") {
		case "10164-2":
			present = str(s, "text", "div")
		case "49033-4":
			menstrual = str(s, "text", "div")
			if str(s, "title") != "月经婚育史" {
				t.Errorf("menstrual section title %q", str(s, "title"))
			}
		}
	}
	checkDiv(t, present)
	checkDiv(t, menstrual)
	if strings.Contains(present, "<script") || !strings.Contains(present, "&lt;script&gt;") {
		t.Errorf("narrative not escaped: %s", present)
	}
	if got, want := divText(t, present), "<script>alert(\"x\")</script> & 'y' {{.Title}}\n第二行 </div><p>"; got != want {
		t.Errorf("narrative text %q, want %q", got, want)
	}
	if got := divText(t, menstrual); got != "月经规律" {
		t.Errorf("control characters kept: %q", got)
	}
	found := false
	for _, c := range ofType(byURL, "Condition") {
		found = found || str(c, "code", "text") == "\"><b>头晕</b>"
	}
	if !found {
		t.Error("a symptom name with markup is not kept as text")
	}
}

func TestFHIRErrors(t *testing.T) {
	h := testHeadings(t)
	for name, f := range map[string]func() ([]byte, error){
		"nil record": func() ([]byte, error) { return FHIR(nil, h, testNow) },
		"no id":      func() ([]byte, error) { return FHIR(&Record{}, h, testNow) },
		"no time":    func() ([]byte, error) { return FHIR(testRecord(), h, time.Time{}) },
	} {
		if b, err := f(); err == nil {
			t.Errorf("%s: no error, %d bytes", name, len(b))
		}
	}
}

// TestFHIRSchemaRejects shows the structure check can fail: broken
// renderings are not valid R4.
func TestFHIRSchemaRejects(t *testing.T) {
	root, _ := fhirSchema(t)
	good, err := FHIR(testRecord(), testHeadings(t), testNow)
	if err != nil {
		t.Fatal(err)
	}
	for name, breakIt := range map[string]func(b map[string]any){
		"unknown element": func(b map[string]any) {
			b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)["sections"] = []any{}
		},
		"bad status": func(b map[string]any) {
			b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)["status"] = "draft"
		},
		"bad bundle type": func(b map[string]any) { b["type"] = "doc" },
		"bad gender": func(b map[string]any) {
			b["entry"].([]any)[1].(map[string]any)["resource"].(map[string]any)["gender"] = "M"
		},
		"bad timestamp": func(b map[string]any) { b["timestamp"] = "2025-03-10 09:40" },
		"no author": func(b map[string]any) {
			delete(b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any), "author")
		},
		"unknown resource": func(b map[string]any) {
			b["entry"].([]any)[1].(map[string]any)["resource"].(map[string]any)["resourceType"] = "Patients"
		},
		"quantity as text": func(b map[string]any) { setQuantity(b, "39.2") },
		"empty string": func(b map[string]any) {
			b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)["title"] = ""
		},
		"bad id characters": func(b map[string]any) { b["id"] = "rec 1/2" },
	} {
		var b map[string]any
		if err := json.Unmarshal(good, &b); err != nil {
			t.Fatal(err)
		}
		breakIt(b)
		raw, _ := json.Marshal(b)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if root.Validate(inst) == nil {
			t.Errorf("%s: the broken bundle passes the structure check", name)
		}
	}
}

func setQuantity(b map[string]any, v any) {
	for _, e := range b["entry"].([]any) {
		res := e.(map[string]any)["resource"].(map[string]any)
		if q, ok := res["valueQuantity"].(map[string]any); ok {
			q["value"] = v
		}
	}
}

// ExampleFHIR prints the resources of a document.
func ExampleFHIR() {
	r := &Record{ID: "rec-1", PatientID: "P1", Subject: Subject{Sex: "female"},
		Facts:    []Fact{{Kind: KindSymptom, Name: "cough", Status: Present}, {Kind: KindAllergy, Status: Absent}},
		Sections: Sections{Chief: "cough 2 days", Allergy: "no known allergies"}}
	b, err := FHIR(r, Headings{Title: "Pre-visit history", Chief: "Chief complaint", Allergy: "Allergies"}, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	var bundle struct {
		Entry []struct {
			Resource struct{ ResourceType string }
		}
	}
	json.Unmarshal(b, &bundle)
	for _, e := range bundle.Entry {
		fmt.Println(e.Resource.ResourceType)
	}
	// Output:
	// Composition
	// Patient
	// Device
	// Condition
	// AllergyIntolerance
}

func TestFHIROnset(t *testing.T) {
	created := time.Date(2025, 3, 10, 1, 30, 0, 0, time.UTC) // 09:30 in China
	for _, c := range []struct {
		facts []Fact
		field string
		want  string
	}{
		// Half a day before 09:30: the evening before, in China.
		{[]Fact{{Kind: KindDuration, Value: "半天", Days: 0.5, Of: "腹痛"}}, "onsetDateTime", "2025-03-09"},
		{[]Fact{{Kind: KindDuration, Value: "10年", Days: 3650, Of: "腹痛"}}, "onsetDateTime", "2015-03-13"},
		// A date said wins over a duration, a duration over words.
		{[]Fact{{Kind: KindOnset, Value: "3月1日", Date: "2025-03-01", Of: "腹痛"}, {Kind: KindDuration, Days: 2, Of: "腹痛"}}, "onsetDateTime", "2025-03-01"},
		{[]Fact{{Kind: KindOnset, Value: "上周末", Of: "腹痛"}, {Kind: KindDuration, Days: 2, Of: "腹痛"}}, "onsetDateTime", "2025-03-08"},
		{[]Fact{{Kind: KindOnset, Value: "上周末", Of: "腹痛"}}, "onsetString", "上周末"},
		// Without Of: the first symptom's (the complaint's).
		{[]Fact{{Kind: KindDuration, Days: 1}}, "onsetDateTime", "2025-03-09"},
		// Another symptom's duration is not this one's.
		{[]Fact{{Kind: KindDuration, Days: 1, Of: "恶心"}}, "onsetDateTime", ""},
	} {
		r := &Record{ID: "rec-onset", CreatedAt: created, Sections: Sections{Chief: "腹痛"},
			Facts: append([]Fact{{Kind: KindSymptom, Name: "腹痛", Status: Present}}, c.facts...)}
		_, _, byURL := renderFHIR(t, r)
		conds := ofType(byURL, "Condition")
		if len(conds) != 1 {
			t.Fatalf("%d conditions", len(conds))
		}
		if got := str(conds[0], c.field); got != c.want {
			t.Errorf("%+v: %s = %q, want %q", c.facts, c.field, got, c.want)
		}
	}
}
