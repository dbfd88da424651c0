package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/auth"
	"github.com/daoyi-health/daoyi/record"
)

// The staff API: doctors read and import pre-consultation records, admins
// manage tokens and read the audit trail. Every request carries
// "Authorization: Bearer <token>"; every read of a record is written to
// the audit trail before the record is sent (no audit, no record).

const tokenKey = "daoyi.token"

// staffRoutes adds the staff routes under /v1.
func (s *Server) staffRoutes(v1 *gin.RouterGroup) {
	staff := v1.Group("", s.authenticate)
	doc := staff.Group("/records", s.require(auth.Doctor))
	doc.GET("", s.listRecords)
	doc.GET("/:id", s.recordAs("json"))
	doc.GET("/:id/text", s.recordAs("text"))
	doc.GET("/:id/fhir", s.recordAs("fhir"))
	doc.GET("/:id/print", s.recordAs("html"))
	doc.POST("/:id/import", s.importRecord)
	adm := staff.Group("/admin", s.require(auth.Admin))
	adm.GET("/records/:id/audit", s.recordAudit)
	adm.GET("/tokens", s.listTokens)
	adm.POST("/tokens", s.createToken)
	adm.DELETE("/tokens/:id", s.revokeToken)
}

// authenticate checks the bearer token.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || secret == "" {
		c.Header("WWW-Authenticate", `Bearer realm="daoyi"`)
		fail(c, http.StatusUnauthorized, CodeUnauthorized, "a staff token is required: Authorization: Bearer <token>")
		return
	}
	t, err := auth.Authenticate(c.Request.Context(), s.opt.Tokens, strings.TrimSpace(secret))
	if err != nil {
		if daoyi.KindOf(err) == daoyi.Unauthorized {
			c.Header("WWW-Authenticate", `Bearer realm="daoyi", error="invalid_token"`)
		}
		s.failErr(c, err)
		return
	}
	c.Set(tokenKey, t)
	c.Next()
}

// require lets only tokens whose role allows need through.
func (s *Server) require(need auth.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !token(c).Role.Allows(need) {
			fail(c, http.StatusForbidden, CodeForbidden, "this token's role may not do this")
			return
		}
		c.Next()
	}
}

func token(c *gin.Context) *auth.Token {
	t, _ := c.Get(tokenKey)
	tok, _ := t.(*auth.Token)
	if tok == nil {
		return &auth.Token{}
	}
	return tok
}

// audit writes one access to the trail; false (and the error answered)
// when it could not be written.
func (s *Server) audit(c *gin.Context, action, recordID, detail string) bool {
	t := token(c)
	err := s.opt.Records.LogAccess(c.Request.Context(), record.Access{At: s.now(), Actor: t.Name + " (" + t.ID + ")",
		Role: string(t.Role), Action: action, RecordID: recordID, Detail: detail})
	if err != nil {
		s.failErr(c, err)
		return false
	}
	return true
}

// RecordList is the body of GET /v1/records.
type RecordList struct {
	Records []*record.Record `json:"records"`
}

func (s *Server) listRecords(c *gin.Context) {
	q := c.Request.URL.Query()
	f := record.Filter{PatientID: q.Get("patient_id"), VisitID: q.Get("visit_id"), Department: q.Get("department"),
		State: record.State(q.Get("state"))}
	bad := func(msg string) { fail(c, http.StatusBadRequest, CodeInvalidQuery, msg) }
	for _, v := range []string{f.PatientID, f.VisitID, f.Department} {
		if len(v) > 128 || !utf8.ValidString(v) {
			bad("ids are at most 128 characters of UTF-8")
			return
		}
	}
	if f.State != "" && !f.State.Valid() {
		bad("state must be draft, submitted, imported or expired")
		return
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := parseDay(v)
			if err != nil {
				bad(name + " must be a date (2006-01-02) or an RFC 3339 time")
				return
			}
			*dst = t
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			bad("limit must be 1–500")
			return
		}
		f.Limit = n
	}
	if !s.audit(c, "list", "", listDetail(q)) {
		return
	}
	rs, err := s.opt.Records.ListRecords(c.Request.Context(), f)
	if err != nil {
		s.failErr(c, err)
		return
	}
	if rs == nil {
		rs = []*record.Record{}
	}
	for _, r := range rs {
		withLists(r)
	}
	c.JSON(http.StatusOK, RecordList{Records: rs})
}

// listDetail is the filter of a list for the audit trail: the query's
// known keys, never anything else.
func listDetail(q url.Values) string {
	keep := url.Values{}
	for _, k := range []string{"patient_id", "visit_id", "department", "state", "from", "to", "limit"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	return keep.Encode()
}

func parseDay(v string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, v)
}

// recordAs serves one record in a format, after auditing the read.
func (s *Server) recordAs(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		r, err := s.opt.Records.GetRecord(c.Request.Context(), id)
		if err != nil {
			s.failErr(c, err)
			return
		}
		action := "read"
		if format != "json" {
			action += "_" + format
		}
		if !s.audit(c, action, r.ID, "") {
			return
		}
		c.Header("Cache-Control", "no-store")
		switch format {
		case "text":
			c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(record.Text(r, s.opt.Headings)))
		case "fhir":
			b, err := record.FHIR(r, s.opt.Headings, s.now())
			if err != nil {
				s.failErr(c, err)
				return
			}
			c.Data(http.StatusOK, "application/fhir+json; charset=utf-8", b)
		case "html":
			var buf bytes.Buffer
			if err := record.HTML(&buf, r, s.opt.Headings); err != nil {
				s.failErr(c, err)
				return
			}
			c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
			c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
		default:
			c.JSON(http.StatusOK, withLists(r))
		}
	}
}

// withLists gives a record's facts as [] rather than null when it has
// none yet (a draft just started), for clients that iterate.
func withLists(r *record.Record) *record.Record {
	if r.Facts == nil {
		r.Facts = []record.Fact{}
	}
	return r
}

// importRecord marks a submitted record imported into the EMR. Importing
// an imported record again answers it as it is (an EMR may retry); a
// draft or an expired record is a conflict.
func (s *Server) importRecord(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	for attempt := 0; ; attempt++ {
		r, err := s.opt.Records.GetRecord(ctx, id)
		if err != nil {
			s.failErr(c, err)
			return
		}
		switch r.State {
		case record.Imported:
			c.JSON(http.StatusOK, r)
			return
		case record.Draft:
			fail(c, http.StatusConflict, CodeConflict, "the patient has not submitted this record yet")
			return
		case record.Expired:
			fail(c, http.StatusConflict, CodeConflict, "this record has expired")
			return
		}
		if !s.audit(c, "import", r.ID, "") {
			return
		}
		t := token(c)
		r.State, r.ImportedAt, r.ImportedBy, r.UpdatedAt = record.Imported, s.now(), t.Name, s.now()
		err = s.opt.Records.UpdateRecord(ctx, r)
		if err == nil {
			c.JSON(http.StatusOK, r)
			return
		}
		if daoyi.KindOf(err) != daoyi.Conflict || attempt > 0 {
			s.failErr(c, err)
			return
		}
	}
}

func (s *Server) recordAudit(c *gin.Context) {
	as, err := s.opt.Records.Accesses(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.failErr(c, err)
		return
	}
	if as == nil {
		as = []record.Access{}
	}
	c.JSON(http.StatusOK, gin.H{"accesses": as})
}

// TokenRequest is the body of POST /v1/admin/tokens.
type TokenRequest struct {
	Name string    `json:"name"`
	Role auth.Role `json:"role"`
}

// NewToken is the answer to POST /v1/admin/tokens: the only time the
// secret is shown.
type NewToken struct {
	Token  *auth.Token `json:"token"`
	Secret string      `json:"secret"`
}

func (s *Server) createToken(c *gin.Context) {
	var req TokenRequest
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		fail(c, http.StatusBadRequest, CodeInvalidJSON, `the body must be {"name": "…", "role": "doctor|editor|admin"}`)
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || utf8.RuneCountInString(name) > 64 || hasBinary(name) || !req.Role.Valid() {
		fail(c, http.StatusBadRequest, CodeInvalidJSON, "name is 1–64 characters; role is doctor, editor or admin")
		return
	}
	t, secret, err := auth.Issue(c.Request.Context(), s.opt.Tokens, name, req.Role, s.now())
	if err != nil {
		s.failErr(c, err)
		return
	}
	c.JSON(http.StatusCreated, NewToken{Token: t, Secret: secret})
}

func (s *Server) listTokens(c *gin.Context) {
	ts, err := s.opt.Tokens.ListTokens(c.Request.Context())
	if err != nil {
		s.failErr(c, err)
		return
	}
	if ts == nil {
		ts = []*auth.Token{}
	}
	c.JSON(http.StatusOK, gin.H{"tokens": ts})
}

func (s *Server) revokeToken(c *gin.Context) {
	if err := s.opt.Tokens.RevokeToken(c.Request.Context(), c.Param("id"), s.now()); err != nil {
		s.failErr(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
