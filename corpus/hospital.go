package corpus

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// Hospital is the hospital profile (hospital.yaml).
type Hospital struct {
	Hospital struct {
		Name      string `yaml:"name"`
		ShortName string `yaml:"short_name"`
		Level     string `yaml:"level"`
		Website   string `yaml:"website"`
		Wechat    string `yaml:"wechat"`
	} `yaml:"hospital"`
	Phone     map[string]string `yaml:"phone"`
	Campuses  []Campus          `yaml:"campuses"`
	Hours     map[string]string `yaml:"hours"`
	Emergency struct {
		Location string `yaml:"location"`
		Phone    string `yaml:"phone"`
	} `yaml:"emergency"`
	Locations   map[string]string `yaml:"locations"`
	Links       map[string]string `yaml:"links"`
	Departments DepartmentProfile `yaml:"departments"`
	Staff       struct {
		Desk  string `yaml:"desk"`
		Hours string `yaml:"hours"`
	} `yaml:"staff"`

	facts map[string]string
}

// Campus is one site of the hospital.
type Campus struct {
	ID      string `yaml:"id"`
	Name    string `yaml:"name"`
	Address string `yaml:"address"`
	Transit string `yaml:"transit"`
}

// DefaultHospital loads the embedded example profile.
func DefaultHospital() (*Hospital, error) {
	b, err := files.ReadFile("hospital.yaml")
	if err != nil {
		return nil, err
	}
	return ParseHospital(b)
}

// LoadHospital reads a hospital's own profile from a file.
func LoadHospital(path string) (*Hospital, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseHospital(b)
}

// ParseHospital parses and checks a profile.
func ParseHospital(data []byte) (*Hospital, error) {
	h := &Hospital{}
	if err := decode("hospital.yaml", data, h); err != nil {
		return nil, err
	}
	if h.Hospital.Name == "" {
		return nil, fmt.Errorf("corpus: hospital.yaml: hospital.name is required")
	}
	if h.Hospital.ShortName == "" {
		h.Hospital.ShortName = h.Hospital.Name
	}
	if h.Emergency.Location == "" {
		return nil, fmt.Errorf("corpus: hospital.yaml: emergency.location is required")
	}
	h.facts = h.buildFacts()
	return h, nil
}

func (h *Hospital) buildFacts() map[string]string {
	f := map[string]string{
		"hospital.name":       h.Hospital.Name,
		"hospital.short_name": h.Hospital.ShortName,
		"hospital.level":      h.Hospital.Level,
		"hospital.website":    h.Hospital.Website,
		"hospital.wechat":     h.Hospital.Wechat,
		"emergency.location":  h.Emergency.Location,
		"emergency.phone":     h.Emergency.Phone,
		"staff.desk":          h.Staff.Desk,
		"staff.hours":         h.Staff.Hours,
	}
	add := func(prefix string, m map[string]string) {
		for k, v := range m {
			f[prefix+"."+k] = v
		}
	}
	add("phone", h.Phone)
	add("hours", h.Hours)
	add("location", h.Locations)
	add("links", h.Links)
	for _, c := range h.Campuses {
		f["campus."+c.ID+".name"] = c.Name
		f["campus."+c.ID+".address"] = c.Address
		f["campus."+c.ID+".transit"] = c.Transit
	}
	return f
}

// Facts returns the placeholder keys and their values (a copy).
func (h *Hospital) Facts() map[string]string {
	m := make(map[string]string, len(h.facts))
	for k, v := range h.facts {
		m[k] = v
	}
	return m
}

var placeholderRe = regexp.MustCompile(`\{\{\s*([^{}]+?)\s*\}\}`)

// Placeholders returns the keys a text refers to, in order of appearance.
func Placeholders(text string) []string {
	var keys []string
	for _, m := range placeholderRe.FindAllStringSubmatch(text, -1) {
		keys = append(keys, m[1])
	}
	return keys
}

// Fill replaces every {{key}} in text with the profile's fact, or with
// vars[key] when given. It fails on a key that neither knows, naming them
// all, so a corpus or profile edit cannot leave "{{...}}" in front of a
// patient.
func (h *Hospital) Fill(text string, vars map[string]string) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	var missing []string
	out := placeholderRe.ReplaceAllStringFunc(text, func(s string) string {
		key := placeholderRe.FindStringSubmatch(s)[1]
		if v, ok := vars[key]; ok {
			return v
		}
		if v, ok := h.facts[key]; ok && v != "" {
			return v
		}
		missing = append(missing, key)
		return s
	})
	if len(missing) > 0 {
		sort.Strings(missing)
		return text, fmt.Errorf("corpus: unknown or empty placeholder %s", strings.Join(missing, ", "))
	}
	return out, nil
}
