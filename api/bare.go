package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// BareHandler is the baseline for load tests: a Gin engine with one route,
// POST /v1/chat, that answers every request with the same small JSON
// without reading it. `daoyi loadtest` measures the assistant against it in
// the same run, so the figure is relative to what Gin alone costs on the
// machine at hand.
func BareHandler() http.Handler {
	g := gin.New()
	reply := gin.H{"session_id": "baseline", "reply": gin.H{"text": "ok", "intent": "faq", "confidence": 1,
		"urgent": false, "citations": []any{}, "quick_replies": []any{}, "cards": []any{}}}
	g.POST("/v1/chat", func(c *gin.Context) { c.JSON(http.StatusOK, reply) })
	return g
}
