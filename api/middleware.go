package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

const requestIDHeader = "X-Request-ID"

// withRequestID takes the client's request id when it is sane, or makes
// one, and echoes it in the response.
func withRequestID(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if !validRequestID(id) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(requestIDHeader, id)
	c.Header(requestIDHeader, id)
	c.Next()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func requestID(c *gin.Context) string { return c.GetString(requestIDHeader) }

// limitBody caps the request body; reading past the cap fails, which the
// handlers report as body_too_large.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			fail(c, http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "request body is over "+strconv.FormatInt(n, 10)+" bytes")
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// recoverJSON turns a panic into a logged internal error with a JSON body.
func (s *Server) recoverJSON(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic in handler", "request_id", requestID(c), "route", c.FullPath(), "panic", v)
			if !c.Writer.Written() {
				fail(c, http.StatusInternalServerError, CodeInternal, "internal error; quote the request id when reporting it")
			}
			c.Abort()
		}
	}()
	c.Next()
}

// metrics counts requests and measures their latency by route.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	replies  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "daoyi_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "daoyi_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		replies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "daoyi_replies_total", Help: "Replies by intent and FAQ decision.",
		}, []string{"intent", "decision"}),
	}
	reg.MustRegister(m.requests, m.latency, m.replies)
	return m
}

// observe logs and measures every request. It logs the route and status,
// never bodies: messages are personal health information.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	took := time.Since(start)
	s.metrics.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(route).Observe(took.Seconds())
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelWarn
	}
	s.log.Log(c.Request.Context(), level, "http", "request_id", requestID(c), "method", c.Request.Method,
		"route", route, "status", status, "took", took)
}
