// Package bot is the conversation engine: one turn at a time per session,
// every turn recorded as events, each message answered by the skill its
// intent calls for. Skills live in sub-packages (bot/faq …); storage is an
// adapter (sqlite/) behind SessionStore.
package bot

import (
	"context"
	"encoding/json"
	"time"
)

// Message is what a patient sent, from any channel.
type Message struct {
	SessionID string    // stable per conversation; the engine assigns one when empty
	Channel   string    // "web", "cli", "wechat" …
	Text      string    // as received
	At        time.Time // when received; the engine fills it when zero
	// Patient is what the hospital passes about the patient, when it
	// knows: skills use it instead of asking (triage asks sex or age only
	// when they change the answer and are not given here).
	Patient *Patient
	// Intent, when a channel sets it, names what the message starts
	// without routing its text (a signed pre-consultation link, a menu
	// button); the text may then be empty. Red flags are still checked.
	Intent string
	// Visit is the hospital's ids for the patient and visit, from a signed
	// start link; a pre-consultation record is tied to them.
	Visit *Visit
}

// Visit names a patient and a visit in the hospital's systems.
type Visit struct {
	PatientID  string `json:"patient_id"`
	VisitID    string `json:"visit_id,omitempty"`
	Department string `json:"department,omitempty"`
}

// Patient is the patient profile a channel may pass with a message. Zero
// values mean unknown.
type Patient struct {
	Age      int    `json:"age,omitempty"`      // years, 0–130
	Months   int    `json:"months,omitempty"`   // age in months, for babies under two
	Sex      string `json:"sex,omitempty"`      // "male" or "female"
	Pregnant bool   `json:"pregnant,omitempty"` // currently pregnant
}

// Valid reports whether the profile's values are in range.
func (p *Patient) Valid() bool {
	return p == nil || p.Age >= 0 && p.Age <= 130 && p.Months >= 0 && p.Months < 36 &&
		(p.Sex == "" || p.Sex == "male" || p.Sex == "female") && !(p.Pregnant && p.Sex == "male")
}

// Reply is the assistant's answer to one message.
type Reply struct {
	Text         string       `json:"text"`                    // the answer, plain text
	Intent       string       `json:"intent"`                  // what the message was understood as: faq, greeting, fallback …
	Confidence   float64      `json:"confidence"`              // how sure, 0–1
	Urgent       bool         `json:"urgent"`                  // emergency guidance comes first (red flags)
	Citations    []Citation   `json:"citations"`               // the knowledge the answer comes from
	QuickReplies []QuickReply `json:"quick_replies"`           // suggested next messages
	Cards        []Card       `json:"cards"`                   // structured content (answers, choices, departments …)
	Decision     string       `json:"decision,omitempty"`      // for FAQ: answer, suggest or decline
	QAID         string       `json:"qa_id,omitempty"`         // for FAQ: the pair answered from
	MatchedQuery string       `json:"matched_query,omitempty"` // for FAQ: the stored question that matched

	alarms        []string // red flags that made it urgent, for the safety event
	safetyVersion string
}

// Citation names a source of an answer.
type Citation struct {
	ID    string `json:"id"`    // the QA pair's id
	Title string `json:"title"` // the article's title
}

// QuickReply is a suggested next message shown as a button or chip.
type QuickReply struct {
	Title string `json:"title"` // the label shown
	Text  string `json:"text"`  // the message sent when chosen
}

// Card is a piece of structured content.
type Card struct {
	Type  string     `json:"type"`            // "faq", "choices" …
	Title string     `json:"title"`           // heading
	Text  string     `json:"text,omitempty"`  // body
	URL   string     `json:"url,omitempty"`   // a link, when the card is one
	ID    string     `json:"id,omitempty"`    // the id of what the card shows, e.g. a QA pair
	Items []CardItem `json:"items,omitempty"` // list entries, for list cards
}

// CardItem is one entry of a list card.
type CardItem struct {
	Title string `json:"title"`
	Text  string `json:"text,omitempty"`
	URL   string `json:"url,omitempty"`
	ID    string `json:"id,omitempty"`
}

// StreamEvent is one piece of a reply as it is produced, for streaming
// channels. Type is one of the Event* constants.
type StreamEvent struct {
	Type     string    `json:"type"`
	Text     string    `json:"text,omitempty"`     // delta
	Card     *Card     `json:"card,omitempty"`     // card
	Citation *Citation `json:"citation,omitempty"` // citation
	Reply    *Reply    `json:"reply,omitempty"`    // done: the whole reply
}

// Stream event types.
const (
	EventDelta    = "delta"
	EventCard     = "card"
	EventCitation = "citation"
	EventDone     = "done"
	EventError    = "error"
)

// Emit receives stream events; returning an error (the client left) stops
// streaming but not the turn, which is still recorded.
type Emit func(StreamEvent) error

// Event is one entry of a session's append-only log (Rasa's tracker): what
// the patient said, what the assistant answered, and later slots and flows.
// Replaying the events rebuilds the session.
type Event struct {
	Seq  int             `json:"seq"`  // 1, 2, 3 … within the session
	Type string          `json:"type"` // one of the Ev* constants
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// Event types.
const (
	EvUser = "user" // data: UserData
	EvBot  = "bot"  // data: BotData
)

// UserData is the data of an EvUser event.
type UserData struct {
	Text    string `json:"text"`
	Channel string `json:"channel,omitempty"`
}

// BotData is the data of an EvBot event: what was answered and why.
type BotData struct {
	Text       string   `json:"text"`
	Intent     string   `json:"intent"`
	Confidence float64  `json:"confidence"`
	Decision   string   `json:"decision,omitempty"`
	QAID       string   `json:"qa_id,omitempty"`
	Citations  []string `json:"citations,omitempty"`
	Urgent     bool     `json:"urgent,omitempty"`
}

// Session is a conversation: its events and what they add up to.
type Session struct {
	ID        string
	Channel   string
	CreatedAt time.Time
	Events    []Event
}

// Turns returns the number of patient messages so far.
func (s *Session) Turns() int {
	n := 0
	for _, e := range s.Events {
		if e.Type == EvUser {
			n++
		}
	}
	return n
}

// SessionStore keeps sessions as event logs.
type SessionStore interface {
	// LoadSession returns the session with its events, or a NotFound error.
	LoadSession(ctx context.Context, id string) (*Session, error)
	// AppendEvents durably appends events to a session, creating it when
	// new. It returns once the events are committed.
	AppendEvents(ctx context.Context, s *Session, events []Event) error
}

// Locker serialises the turns of one session.
type Locker interface {
	// Lock blocks until the session is free (or ctx ends) and returns the
	// function that frees it.
	Lock(ctx context.Context, sessionID string) (unlock func(), err error)
}

// More event types.
const (
	EvFlow   = "flow"   // data: FlowData — a flow started, changed or ended
	EvSafety = "safety" // data: SafetyData — red flags found in the user's message
)

// SafetyData is the data of an EvSafety event: the audit trail of every
// emergency answer, with the rule set that decided it.
type SafetyData struct {
	Flags   []string `json:"flags"`   // red-flag ids
	Version string   `json:"version"` // the red-flag rules' version
}
