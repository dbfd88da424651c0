package corpus

import "fmt"

// ---- Services and places ----

// Service is something a patient can do through the hospital's pages
// (corpus/services.yaml).
type Service struct {
	ID       string   `yaml:"id"`
	Title    string   `yaml:"title"`
	Link     string   `yaml:"link"`  // a key of the hospital profile's links
	Place    string   `yaml:"place"` // optional: a key of the profile's locations
	Keywords []string `yaml:"keywords"`
	Text     string   `yaml:"text"`
}

// Place is a location patients ask for, named as in the profile's
// locations, with the words they use for it.
type Place struct {
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases"`
}

// Services holds the service catalogue and the places.
type Services struct {
	Services []Service `yaml:"services"`
	Places   []Place   `yaml:"places"`
}

// LoadServices loads the embedded catalogue for a hospital: services whose
// page, and places whose location, the profile does not have are left
// out (the hospital does not offer them).
func LoadServices(h *Hospital) (*Services, error) {
	b, err := files.ReadFile("services.yaml")
	if err != nil {
		return nil, err
	}
	var s Services
	if err := decode("services.yaml", b, &s); err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	var keep []Service
	for _, sv := range s.Services {
		switch {
		case sv.ID == "" || ids[sv.ID]:
			return nil, fmt.Errorf("corpus: services: missing or repeated id %q", sv.ID)
		case sv.Title == "" || sv.Text == "" || len(sv.Keywords) == 0:
			return nil, fmt.Errorf("corpus: services: %s needs a title, a text and keywords", sv.ID)
		}
		ids[sv.ID] = true
		if h.Links[sv.Link] == "" {
			continue
		}
		if h.Locations[sv.Place] == "" {
			sv.Place = ""
		}
		if _, err := h.Fill(sv.Text, nil); err != nil {
			return nil, fmt.Errorf("corpus: services: %s: %w", sv.ID, err)
		}
		keep = append(keep, sv)
	}
	var places []Place
	for _, p := range s.Places {
		if h.Locations[p.Name] != "" {
			places = append(places, p)
		}
	}
	s.Services, s.Places = keep, places
	return &s, nil
}
