package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/daoyi-health/daoyi"
)

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes an error in terms a client can act on.
type ErrorDetail struct {
	Code      string `json:"code"`       // stable, machine-readable (see the table in errors.go)
	Message   string `json:"message"`    // user-safe, in English; the widget shows its own Chinese text per code
	RequestID string `json:"request_id"` // quote it when reporting a problem
}

// Error codes. They are part of the API: never rename one.
const (
	CodeInvalidJSON      = "invalid_json"           // the body is not one JSON object
	CodeUnknownField     = "unknown_field"          // the object has a field the API does not know
	CodeUnsupportedMedia = "unsupported_media_type" // Content-Type is not application/json
	CodeInvalidEncoding  = "invalid_encoding"       // the body is not valid UTF-8
	CodeEmptyText        = "empty_text"             // text is missing or blank
	CodeTextTooLong      = "text_too_long"          // text is over 2,000 characters
	CodeInvalidText      = "invalid_text"           // text holds control characters or binary data
	CodeInvalidPatient   = "invalid_patient"        // the patient profile is out of range
	CodeInvalidSession   = "invalid_session_id"     // session_id is malformed
	CodeBodyTooLarge     = "body_too_large"         // the body is over the limit
	CodeNotFound         = "not_found"              // no such route or resource
	CodeMethodNotAllowed = "method_not_allowed"     // the route exists for other methods
	CodeUnavailable      = "unavailable"            // not ready yet, or a dependency is down
	CodeTimeout          = "timeout"                // the answer took too long
	CodeConflict         = "conflict"               // the request collides with the current state
	CodeInvalidLink      = "invalid_start_link"     // the start link is malformed, forged, expired, or links are off
	CodeUnauthorized     = "unauthorized"           // no valid staff token
	CodeForbidden        = "forbidden"              // the token's role may not do this
	CodeInvalidQuery     = "invalid_query"          // a query parameter is malformed
	CodeInternal         = "internal"               // a bug or an unexpected failure; details are in the server log
)

// kindStatus maps error kinds to HTTP statuses and codes: the one table.
var kindStatus = map[daoyi.Kind]struct {
	status int
	code   string
}{
	daoyi.Invalid:      {http.StatusBadRequest, CodeInvalidJSON},
	daoyi.NotFound:     {http.StatusNotFound, CodeNotFound},
	daoyi.Conflict:     {http.StatusConflict, CodeConflict},
	daoyi.TooLarge:     {http.StatusRequestEntityTooLarge, CodeBodyTooLarge},
	daoyi.Unavailable:  {http.StatusServiceUnavailable, CodeUnavailable},
	daoyi.Timeout:      {http.StatusGatewayTimeout, CodeTimeout},
	daoyi.Unauthorized: {http.StatusUnauthorized, CodeUnauthorized},
	daoyi.Forbidden:    {http.StatusForbidden, CodeForbidden},
}

// fail writes an error response with an explicit status and code.
func fail(c *gin.Context, status int, code, msg string) {
	c.AbortWithStatusJSON(status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg, RequestID: requestID(c)}})
}

// failErr maps a Go error to a response. Internal errors are logged with
// their cause and answered with a generic message: raw error text never
// reaches a client.
func (s *Server) failErr(c *gin.Context, err error) {
	if errors.Is(err, errClientGone) {
		c.Abort()
		return
	}
	k := daoyi.KindOf(err)
	m, ok := kindStatus[k]
	if !ok {
		s.log.Error("request failed", "request_id", requestID(c), "route", c.FullPath(), "err", err)
		fail(c, http.StatusInternalServerError, CodeInternal, "internal error; quote the request id when reporting it")
		return
	}
	msg := daoyi.Message(err)
	if msg == "" {
		msg = k.String()
	}
	fail(c, m.status, m.code, msg)
}

var errClientGone = errors.New("api: client went away")
