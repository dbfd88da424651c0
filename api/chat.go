package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/auth"
	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/intents"
)

// ChatRequest is the body of POST /v1/chat and /v1/chat/stream.
type ChatRequest struct {
	// SessionID continues a conversation; omit it to start one (the
	// response carries the new id). 8–64 characters of [A-Za-z0-9_-].
	SessionID string `json:"session_id,omitempty"`
	// Text is the patient's message, 1–2,000 characters.
	Text string `json:"text"`
	// Patient is what the hospital knows about the patient (age, sex,
	// pregnancy), passed so that triage does not ask for it. Optional.
	Patient *bot.Patient `json:"patient,omitempty"`
	// Start is a signed start link from the hospital's systems (see
	// `daoyi link`): it starts a pre-consultation tied to the patient and
	// visit it names. Text may then be empty.
	Start string `json:"start,omitempty"`
}

// ChatResponse is the body of a successful POST /v1/chat.
type ChatResponse struct {
	SessionID string     `json:"session_id"`
	Reply     *bot.Reply `json:"reply"`
}

// decodeChat reads and checks a chat request, writing the error response
// itself when the request is bad.
func decodeChat(c *gin.Context) (*ChatRequest, bool) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		fail(c, http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "Content-Type must be application/json")
		return nil, false
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			fail(c, http.StatusRequestEntityTooLarge, CodeBodyTooLarge, fmt.Sprintf("request body is over %d bytes", mb.Limit))
			return nil, false
		}
		fail(c, http.StatusBadRequest, CodeInvalidJSON, "could not read the request body")
		return nil, false
	}
	if !utf8.Valid(body) {
		fail(c, http.StatusBadRequest, CodeInvalidEncoding, "the body must be UTF-8")
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req ChatRequest
	if err := dec.Decode(&req); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			fail(c, http.StatusBadRequest, CodeUnknownField, strings.TrimPrefix(err.Error(), "json: "))
			return nil, false
		}
		fail(c, http.StatusBadRequest, CodeInvalidJSON, "the body must be one JSON object: {\"session_id\": \"…\", \"text\": \"…\"}")
		return nil, false
	}
	if dec.More() {
		fail(c, http.StatusBadRequest, CodeInvalidJSON, "the body must hold exactly one JSON object")
		return nil, false
	}
	switch {
	case req.SessionID != "" && !bot.ValidSessionID(req.SessionID):
		fail(c, http.StatusBadRequest, CodeInvalidSession, "session_id must be 8–64 characters of letters, digits, '-' or '_'")
	case strings.TrimSpace(req.Text) == "" && req.Start == "":
		fail(c, http.StatusBadRequest, CodeEmptyText, "text is empty")
	case utf8.RuneCountInString(req.Text) > bot.MaxTextRunes:
		fail(c, http.StatusBadRequest, CodeTextTooLong, fmt.Sprintf("text is over %d characters", bot.MaxTextRunes))
	case hasBinary(req.Text):
		fail(c, http.StatusBadRequest, CodeInvalidText, "text holds control characters or binary data")
	case !req.Patient.Valid():
		fail(c, http.StatusBadRequest, CodeInvalidPatient, "patient: age 0–130, months 0–35, sex \"male\" or \"female\", and only a female patient can be pregnant")
	default:
		return &req, true
	}
	return nil, false
}

// hasBinary reports control characters other than tab and newlines, and
// the replacement character that marks bytes lost in decoding.
func hasBinary(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return true
		}
	}
	return false
}

// message builds the engine's message from a request, checking its start
// link, if any.
func (s *Server) message(c *gin.Context, req *ChatRequest) (*bot.Message, bool) {
	msg := &bot.Message{SessionID: req.SessionID, Channel: "web", Text: req.Text, Patient: req.Patient}
	if req.Start == "" {
		return msg, true
	}
	l, err := auth.Verify(req.Start, s.opt.LinkSecret, s.now())
	if err != nil {
		fail(c, http.StatusUnauthorized, CodeInvalidLink, daoyi.Message(err))
		return nil, false
	}
	msg.Intent = intents.Preconsult
	msg.Visit = &bot.Visit{PatientID: l.PatientID, VisitID: l.VisitID, Department: l.Department}
	return msg, true
}

func (s *Server) chat(c *gin.Context) {
	req, ok := decodeChat(c)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opt.ChatTimeout)
	defer cancel()
	msg, ok := s.message(c, req)
	if !ok {
		return
	}
	reply, err := s.opt.Chat.Handle(ctx, msg, nil)
	if err != nil {
		s.failErr(c, err)
		return
	}
	s.metrics.replies.WithLabelValues(reply.Intent, reply.Decision).Inc()
	c.JSON(http.StatusOK, ChatResponse{SessionID: msg.SessionID, Reply: reply})
}

// chatStream answers as server-sent events: "delta" events with pieces of
// text, "citation" and "card" events, then "done" with the whole reply and
// the session id, or "error".
func (s *Server) chatStream(c *gin.Context) {
	req, ok := decodeChat(c)
	if !ok {
		return
	}
	msg, ok := s.message(c, req)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.opt.ChatTimeout)
	defer cancel()
	w := c.Writer
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return errClientGone
		}
		w.Flush()
		return nil
	}
	emit := func(ev bot.StreamEvent) error {
		switch ev.Type {
		case bot.EventDelta:
			return send(ev.Type, map[string]string{"text": ev.Text})
		case bot.EventCitation:
			return send(ev.Type, ev.Citation)
		case bot.EventCard:
			return send(ev.Type, ev.Card)
		case bot.EventDone:
			return send(ev.Type, ChatResponse{SessionID: msg.SessionID, Reply: ev.Reply})
		}
		return nil
	}
	reply, err := s.opt.Chat.Handle(ctx, msg, emit)
	if err != nil {
		s.log.Warn("stream turn failed", "request_id", requestID(c), "err", err)
		_ = send(bot.EventError, ErrorDetail{Code: CodeInternal, Message: "the answer could not be completed", RequestID: requestID(c)})
		return
	}
	s.metrics.replies.WithLabelValues(reply.Intent, reply.Decision).Inc()
}
