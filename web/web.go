// Package web serves the patient-facing assets: the chat widget (one script
// tag and a container on any page) and a demo hospital page that hosts it.
// Everything is embedded; nothing is loaded from outside the server.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

// Config is what the widget and the demo page show. Labels hold the
// widget's sentences (corpus/replies.yaml, keys "widget.*" without the
// prefix), so no patient-facing text is baked into the code.
type Config struct {
	HospitalName string            `json:"hospital_name"`
	Welcome      string            `json:"welcome"`
	Starters     []string          `json:"starters"`
	Labels       map[string]string `json:"labels"`
}

type asset struct {
	body  []byte
	ctype string
	etag  string
}

// Handler serves "/", "/widget.js" and "/widget.css".
type Handler struct {
	files map[string]asset
}

// New renders the assets once for cfg.
func New(cfg Config) *Handler {
	h := &Handler{files: map[string]asset{}}
	js, _ := assets.ReadFile("assets/widget.js")
	conf, _ := json.Marshal(cfg) // escapes <, > and & for a script context
	h.add("/widget.js", "text/javascript; charset=utf-8", append([]byte("window.__daoyiConfig = "+string(conf)+";\n"), js...))
	css, _ := assets.ReadFile("assets/widget.css")
	h.add("/widget.css", "text/css; charset=utf-8", css)
	page := template.Must(template.ParseFS(assets, "assets/index.html"))
	var b bytes.Buffer
	_ = page.Execute(&b, cfg)
	h.add("/", "text/html; charset=utf-8", b.Bytes())
	return h
}

func (h *Handler) add(path, ctype string, body []byte) {
	sum := sha256.Sum256(body)
	h.files[path] = asset{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := h.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("ETag", a.etag)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(a.ctype, "text/html") {
		// The page may load only what this server serves.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'self'")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
