// Package api is daoyi's HTTP interface (Gin): the chat API, JSON and
// server-sent events; health, readiness and metrics; the OpenAPI document;
// and the widget and demo page from web/. Gin appears nowhere else.
package api

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/daoyi-health/daoyi/auth"
	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/web"
)

//go:embed openapi.json
var openAPI []byte

// Chatter answers messages; *bot.Engine implements it.
type Chatter interface {
	Handle(ctx context.Context, msg *bot.Message, emit bot.Emit) (*bot.Reply, error)
}

// Options configure a Server.
type Options struct {
	Chat     Chatter
	Ready    func(ctx context.Context) error // nil means always ready
	Logger   *slog.Logger
	Registry *prometheus.Registry // nil makes a fresh one with Go and process collectors
	Web      web.Config           // what the demo page and widget show
	Version  string
	// MaxBodyBytes caps request bodies (default 64 KiB: 2,000 characters
	// of Chinese are 6 KB of UTF-8, escaped JSON at most 24 KB).
	MaxBodyBytes int64
	// ChatTimeout bounds one chat turn (default 15 s).
	ChatTimeout time.Duration
	// LinkSecret checks the signed links that start a pre-consultation;
	// empty refuses every link.
	LinkSecret []byte
	// Records and Tokens serve the staff API (pre-consultation records
	// for doctors, tokens for admins); nil leaves those routes out.
	Records  record.Store
	Tokens   auth.Store
	Headings record.Headings // the records' headings and labels
	Now      func() time.Time
}

// Server is the HTTP API.
type Server struct {
	opt     Options
	log     *slog.Logger
	metrics *metrics
	engine  *gin.Engine
}

func init() { gin.SetMode(gin.ReleaseMode) }

// New builds the server and its routes.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
		o.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 64 << 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ChatTimeout <= 0 {
		o.ChatTimeout = 15 * time.Second
	}
	s := &Server{opt: o, log: o.Logger, metrics: newMetrics(o.Registry)}

	g := gin.New()
	g.HandleMethodNotAllowed = true
	g.RedirectTrailingSlash = false
	g.RedirectFixedPath = false
	g.Use(withRequestID, s.observe, s.recoverJSON)
	g.NoRoute(func(c *gin.Context) { fail(c, http.StatusNotFound, CodeNotFound, "no such route") })
	g.NoMethod(func(c *gin.Context) {
		fail(c, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "method not allowed on this route")
	})

	v1 := g.Group("/v1", limitBody(o.MaxBodyBytes))
	v1.POST("/chat", s.chat)
	v1.POST("/chat/stream", s.chatStream)

	g.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	g.GET("/readyz", s.ready)
	g.GET("/metrics", gin.WrapH(promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{})))
	g.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", openAPI) })
	g.GET("/version", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"version": o.Version}) })

	if o.Records != nil && o.Tokens != nil {
		s.staffRoutes(v1)
	}

	w := web.New(o.Web)
	g.GET("/", gin.WrapH(w))
	g.GET("/widget.js", gin.WrapH(w))
	g.GET("/widget.css", gin.WrapH(w))
	s.engine = g
	return s
}

func (s *Server) now() time.Time { return s.opt.Now() }

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Routes lists "METHOD path" for every route, for the OpenAPI test.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.engine.Routes() {
		parts := strings.Split(r.Path, "/")
		for i, p := range parts {
			if strings.HasPrefix(p, ":") {
				parts[i] = "{" + p[1:] + "}" // OpenAPI's form of a path parameter
			}
		}
		out = append(out, r.Method+" "+strings.Join(parts, "/"))
	}
	return out
}

func (s *Server) ready(c *gin.Context) {
	if s.opt.Ready != nil {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := s.opt.Ready(ctx); err != nil {
			fail(c, http.StatusServiceUnavailable, CodeUnavailable, "not ready")
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
