package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/auth"
	"github.com/daoyi-health/daoyi/record"
)

// RecordStore is what the adapters implement for pre-consultation records,
// their audit trail and staff tokens.
type RecordStore interface {
	record.Store
	auth.Store
}

// RunRecords runs the records and tokens suite; open returns a new, empty,
// migrated store that the test may use until it ends.
func RunRecords(t *testing.T, open func(t *testing.T) RecordStore) {
	t.Run("Records", func(t *testing.T) {
		t.Run("RoundTrip", func(t *testing.T) { testRecordRoundTrip(t, open(t)) })
		t.Run("Invalid", func(t *testing.T) { testRecordInvalid(t, open(t)) })
		t.Run("Update", func(t *testing.T) { testRecordUpdate(t, open(t)) })
		t.Run("ConcurrentUpdates", func(t *testing.T) { testRecordConcurrentUpdates(t, open(t)) })
		t.Run("BySession", func(t *testing.T) { testRecordBySession(t, open(t)) })
		t.Run("List", func(t *testing.T) { testRecordList(t, open(t)) })
		t.Run("ListLimit", func(t *testing.T) { testRecordListLimit(t, open(t)) })
		t.Run("Expire", func(t *testing.T) { testRecordExpire(t, open(t)) })
		t.Run("Audit", func(t *testing.T) { testRecordAudit(t, open(t)) })
		t.Run("HostileText", func(t *testing.T) { testRecordHostileText(t, open(t)) })
	})
	t.Run("Tokens", func(t *testing.T) { testTokens(t, open(t)) })
}

// t0 is the suite's "now": whole milliseconds, so the stores (which keep
// times to the millisecond) give back exactly what they were given.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// FullRecord returns a record with every field set.
func FullRecord(id string) *record.Record {
	return &record.Record{
		ID:         id,
		PatientID:  "P-0001",
		VisitID:    "V-20261123-0042",
		Department: "dept-internal",
		SessionID:  "sess-" + id,
		State:      record.Submitted,
		Version:    1,
		Subject:    record.Subject{Age: 34, Months: 0, Sex: "female", Pregnant: true, Proxy: true, Relation: "母亲"},
		Facts: []record.Fact{
			{Kind: record.KindSymptom, Name: "发热", Status: record.Present, Turn: 1, Quote: "我发烧三天了，最高38.5度", Question: "哪里不舒服？"},
			{Kind: record.KindDuration, Value: "3天", Days: 3, Of: "发热", Turn: 1, Quote: "三天了"},
			{Kind: record.KindTemperature, Value: "38.5℃", Number: 38.5, Turn: 1, Quote: "最高38.5度"},
			{Kind: record.KindSeverity, Value: "有点疼", Number: 0.1, Of: "头痛", Turn: 2},
			{Kind: record.KindAllergy, Name: "青霉素", Value: "皮疹", Status: record.Present, Turn: 3, Quote: "青霉素过敏，起疹子"},
			{Kind: record.KindCondition, Name: "高血压", Status: record.Absent, Turn: 4, Question: "有没有高血压、糖尿病？"},
			{Kind: record.KindLMP, Value: "上个月10号", Date: "2026-10-10", Status: record.Uncertain, Turn: 5},
		},
		Sections: record.Sections{
			Chief:     "发热3天",
			Present:   "患者3天前受凉后出现发热，最高体温38.5℃，伴头痛。",
			Past:      "否认高血压病史。",
			Allergy:   "青霉素过敏（皮疹）。",
			Personal:  "不吸烟，不饮酒。",
			Family:    "父亲患糖尿病。",
			Menstrual: "末次月经2026-10-10。",
		},
		Summary:     "您发烧3天，最高38.5℃，对青霉素过敏。",
		CreatedAt:   t0,
		UpdatedAt:   t0.Add(5 * time.Minute),
		SubmittedAt: t0.Add(6 * time.Minute),
		ImportedAt:  t0.Add(30 * time.Minute),
		ImportedBy:  "张医生",
		ExpiresAt:   t0.Add(7 * 24 * time.Hour),
	}
}

// SameRecord reports the first difference between two records, or "".
// Times are compared to the millisecond, and must come back in UTC.
func SameRecord(got, want *record.Record) string {
	type field struct {
		name      string
		got, want any
	}
	fields := []field{
		{"ID", got.ID, want.ID}, {"PatientID", got.PatientID, want.PatientID}, {"VisitID", got.VisitID, want.VisitID},
		{"Department", got.Department, want.Department}, {"SessionID", got.SessionID, want.SessionID},
		{"State", got.State, want.State}, {"Version", got.Version, want.Version},
		{"Subject", got.Subject, want.Subject}, {"Sections", got.Sections, want.Sections},
		{"Summary", got.Summary, want.Summary}, {"ImportedBy", got.ImportedBy, want.ImportedBy},
	}
	for _, f := range fields {
		if f.got != f.want {
			return fmt.Sprintf("%s = %#v, want %#v", f.name, f.got, f.want)
		}
	}
	if len(got.Facts) != len(want.Facts) {
		return fmt.Sprintf("%d facts, want %d", len(got.Facts), len(want.Facts))
	}
	for i := range got.Facts {
		if !reflect.DeepEqual(got.Facts[i], want.Facts[i]) {
			return fmt.Sprintf("fact %d = %+v, want %+v", i, got.Facts[i], want.Facts[i])
		}
	}
	times := []struct {
		name      string
		got, want time.Time
	}{
		{"CreatedAt", got.CreatedAt, want.CreatedAt}, {"UpdatedAt", got.UpdatedAt, want.UpdatedAt},
		{"SubmittedAt", got.SubmittedAt, want.SubmittedAt}, {"ImportedAt", got.ImportedAt, want.ImportedAt},
		{"ExpiresAt", got.ExpiresAt, want.ExpiresAt},
	}
	for _, tt := range times {
		if tt.got.IsZero() != tt.want.IsZero() || !tt.got.Equal(tt.want.Truncate(time.Millisecond)) {
			return fmt.Sprintf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
		if !tt.got.IsZero() && tt.got.Location() != time.UTC {
			return fmt.Sprintf("%s is in %v, want UTC", tt.name, tt.got.Location())
		}
	}
	return ""
}

func mustCreate(t *testing.T, db RecordStore, r *record.Record) {
	t.Helper()
	if err := db.CreateRecord(context.Background(), r); err != nil {
		t.Fatalf("CreateRecord(%s): %v", r.ID, err)
	}
}

func mustGet(t *testing.T, db RecordStore, id string) *record.Record {
	t.Helper()
	r, err := db.GetRecord(context.Background(), id)
	if err != nil {
		t.Fatalf("GetRecord(%s): %v", id, err)
	}
	return r
}

func wantKind(t *testing.T, what string, err error, k daoyi.Kind) {
	t.Helper()
	if daoyi.KindOf(err) != k {
		t.Fatalf("%s: err = %v, want %s", what, err, k)
	}
}

func testRecordRoundTrip(t *testing.T, db RecordStore) {
	ctx := context.Background()
	t.Run("AllFields", func(t *testing.T) {
		want := FullRecord("rec-0001")
		want.Version = 7 // a new record is version 1 whatever it says
		// A time in another zone and with nanoseconds: it comes back in
		// UTC, equal to the millisecond.
		want.ExpiresAt = time.Date(2026, 11, 30, 17, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
		mustCreate(t, db, want)
		if want.Version != 1 {
			t.Fatalf("after CreateRecord r.Version = %d, want 1", want.Version)
		}
		got := mustGet(t, db, want.ID)
		if d := SameRecord(got, want); d != "" {
			t.Fatal(d)
		}
		if !got.ExpiresAt.Equal(time.Date(2026, 11, 30, 9, 0, 0, 123000000, time.UTC)) {
			t.Fatalf("ExpiresAt = %v", got.ExpiresAt)
		}
	})
	t.Run("ZeroFields", func(t *testing.T) {
		// Only what is required: the optional times stay zero, no facts
		// stay no facts, and the creation time is filled in.
		want := &record.Record{ID: "rec-0002", SessionID: "sess-2", State: record.Draft}
		before := time.Now().Add(-time.Second)
		mustCreate(t, db, want)
		if want.CreatedAt.IsZero() || want.CreatedAt.Before(before) || !want.UpdatedAt.Equal(want.CreatedAt) {
			t.Fatalf("CreateRecord set CreatedAt %v, UpdatedAt %v; want now and equal", want.CreatedAt, want.UpdatedAt)
		}
		got := mustGet(t, db, want.ID)
		if d := SameRecord(got, want); d != "" {
			t.Fatal(d)
		}
		if len(got.Facts) != 0 || !got.SubmittedAt.IsZero() || !got.ImportedAt.IsZero() || !got.ExpiresAt.IsZero() {
			t.Fatalf("read back %+v", got)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := db.GetRecord(ctx, "no-such-record")
		wantKind(t, "GetRecord of an unknown id", err, daoyi.NotFound)
	})
	t.Run("DuplicateConflicts", func(t *testing.T) {
		dup := FullRecord("rec-0001")
		dup.Summary = "另一个人"
		wantKind(t, "CreateRecord of a taken id", db.CreateRecord(ctx, dup), daoyi.Conflict)
		if got := mustGet(t, db, "rec-0001"); got.Summary != FullRecord("rec-0001").Summary {
			t.Fatalf("a conflicting create changed the record: %q", got.Summary)
		}
	})
}

func testRecordInvalid(t *testing.T, db RecordStore) {
	ctx := context.Background()
	bad := map[string]func(r *record.Record){
		"no id":         func(r *record.Record) { r.ID = "" },
		"no session":    func(r *record.Record) { r.SessionID = "" },
		"no state":      func(r *record.Record) { r.State = "" },
		"unknown state": func(r *record.Record) { r.State = "deleted" },
	}
	for name, spoil := range bad {
		r := FullRecord("rec-invalid")
		spoil(r)
		wantKind(t, "CreateRecord with "+name, db.CreateRecord(ctx, r), daoyi.Invalid)
	}
	if _, err := db.GetRecord(ctx, "rec-invalid"); daoyi.KindOf(err) != daoyi.NotFound {
		t.Fatalf("an invalid record was stored: %v", err)
	}
	_, err := db.GetRecord(ctx, "")
	wantKind(t, "GetRecord of no id", err, daoyi.Invalid)
	good := FullRecord("rec-good")
	mustCreate(t, db, good)
	for name, spoil := range bad {
		r := FullRecord("rec-good")
		spoil(r)
		wantKind(t, "UpdateRecord with "+name, db.UpdateRecord(ctx, r), daoyi.Invalid)
		if r.Version != 1 {
			t.Fatalf("a refused update changed r.Version to %d", r.Version)
		}
	}
	if got := mustGet(t, db, "rec-good"); got.Version != 1 || got.State != record.Submitted {
		t.Fatalf("refused updates changed the record: version %d, state %s", got.Version, got.State)
	}
	_, err = db.ListRecords(ctx, record.Filter{State: "deleted"})
	wantKind(t, "ListRecords of an unknown state", err, daoyi.Invalid)
	_, err = db.ListRecords(ctx, record.Filter{Limit: -1})
	wantKind(t, "ListRecords with a negative limit", err, daoyi.Invalid)
	_, err = db.RecordBySession(ctx, "")
	wantKind(t, "RecordBySession of no session", err, daoyi.Invalid)
	_, err = db.Accesses(ctx, "")
	wantKind(t, "Accesses of no record", err, daoyi.Invalid)
	wantKind(t, "LogAccess without an action", db.LogAccess(ctx, record.Access{Actor: "张医生", RecordID: "rec-good"}), daoyi.Invalid)
	wantKind(t, "LogAccess without an actor", db.LogAccess(ctx, record.Access{Action: "read", RecordID: "rec-good"}), daoyi.Invalid)
}

func testRecordUpdate(t *testing.T, db RecordStore) {
	ctx := context.Background()
	orig := FullRecord("rec-u")
	orig.State, orig.ImportedAt, orig.ImportedBy = record.Draft, time.Time{}, ""
	mustCreate(t, db, orig)

	a, b := mustGet(t, db, "rec-u"), mustGet(t, db, "rec-u")
	a.State, a.SubmittedAt, a.UpdatedAt = record.Submitted, t0.Add(time.Hour), t0.Add(time.Hour)
	a.Facts = append(a.Facts, record.Fact{Kind: record.KindNote, Value: "晚上咳得厉害", Turn: 6})
	a.Sections.Present += "夜间咳嗽明显。"
	a.Summary = "更新后的摘要"
	a.Subject.Age = 35
	a.PatientID, a.VisitID, a.Department, a.SessionID = "P-0002", "V-2", "dept-2", "sess-other"
	a.ExpiresAt = t0.Add(48 * time.Hour)
	a.CreatedAt = t0.Add(999 * time.Hour) // the creation time is not replaced
	if err := db.UpdateRecord(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Version != 2 {
		t.Fatalf("after an update r.Version = %d, want 2", a.Version)
	}
	got := mustGet(t, db, "rec-u")
	want := *a
	want.CreatedAt = orig.CreatedAt
	if d := SameRecord(got, &want); d != "" {
		t.Fatal("after an update: " + d)
	}

	// b read version 1 too: its update must fail and leave it alone.
	b.Summary = "过时的修改"
	wantKind(t, "UpdateRecord from a stale version", db.UpdateRecord(ctx, b), daoyi.Conflict)
	if b.Version != 1 {
		t.Fatalf("a conflicting update changed r.Version to %d", b.Version)
	}
	if got := mustGet(t, db, "rec-u"); got.Summary != a.Summary || got.Version != 2 {
		t.Fatalf("a conflicting update was written: %q, version %d", got.Summary, got.Version)
	}

	// Clearing: optional times and facts can be taken away.
	a.SubmittedAt, a.ExpiresAt, a.Facts = time.Time{}, time.Time{}, nil
	if err := db.UpdateRecord(ctx, a); err != nil {
		t.Fatal(err)
	}
	got = mustGet(t, db, "rec-u")
	if got.Version != 3 || !got.SubmittedAt.IsZero() || !got.ExpiresAt.IsZero() || len(got.Facts) != 0 {
		t.Fatalf("after clearing: version %d, submitted %v, expires %v, %d facts", got.Version, got.SubmittedAt, got.ExpiresAt, len(got.Facts))
	}

	missing := FullRecord("rec-missing")
	wantKind(t, "UpdateRecord of an unknown record", db.UpdateRecord(ctx, missing), daoyi.NotFound)
	if missing.Version != 1 {
		t.Fatalf("a failed update changed r.Version to %d", missing.Version)
	}
}

// testRecordConcurrentUpdates races 8 writers that read the same version:
// exactly one update wins each round, the others are Conflicts.
func testRecordConcurrentUpdates(t *testing.T, db RecordStore) {
	ctx := context.Background()
	mustCreate(t, db, FullRecord("rec-race"))
	const writers, rounds = 8, 5
	for round := range rounds {
		base := mustGet(t, db, "rec-race")
		if base.Version != round+1 {
			t.Fatalf("round %d starts at version %d", round, base.Version)
		}
		var wg sync.WaitGroup
		errs := make([]error, writers)
		recs := make([]*record.Record, writers)
		start := make(chan struct{})
		for i := range writers {
			r := *base
			r.Summary = fmt.Sprintf("round %d writer %d", round, i)
			recs[i] = &r
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = db.UpdateRecord(ctx, recs[i])
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("round %d: writers %d and %d both won", round, winner, i)
				}
				winner = i
				if recs[i].Version != base.Version+1 {
					t.Fatalf("the winner's version is %d, want %d", recs[i].Version, base.Version+1)
				}
			case daoyi.KindOf(err) == daoyi.Conflict:
				if recs[i].Version != base.Version {
					t.Fatalf("a loser's version changed to %d", recs[i].Version)
				}
			default:
				t.Fatalf("round %d writer %d: %v", round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no writer won", round)
		}
		got := mustGet(t, db, "rec-race")
		if got.Version != base.Version+1 || got.Summary != recs[winner].Summary {
			t.Fatalf("round %d: stored version %d, %q; want %d, %q", round, got.Version, got.Summary, base.Version+1, recs[winner].Summary)
		}
	}
}

func testRecordBySession(t *testing.T, db RecordStore) {
	ctx := context.Background()
	first := FullRecord("rec-s1")
	first.SessionID = "sess-shared"
	second := FullRecord("rec-s2")
	second.SessionID, second.CreatedAt = "sess-shared", t0.Add(time.Minute)
	other := FullRecord("rec-s3")
	other.SessionID, other.CreatedAt = "sess-other", t0.Add(time.Hour)
	for _, r := range []*record.Record{second, first, other} {
		mustCreate(t, db, r)
	}
	got, err := db.RecordBySession(ctx, "sess-shared")
	if err != nil || got.ID != "rec-s2" {
		t.Fatalf("RecordBySession = %v, %v; want the latest, rec-s2", got, err)
	}
	if d := SameRecord(got, second); d != "" {
		t.Fatal(d)
	}
	_, err = db.RecordBySession(ctx, "sess-none")
	wantKind(t, "RecordBySession of an unknown session", err, daoyi.NotFound)
}

func ids(rs []*record.Record) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.ID
	}
	return strings.Join(s, ",")
}

func testRecordList(t *testing.T, db RecordStore) {
	ctx := context.Background()
	mk := func(id, patient, visit, dept string, state record.State, created time.Duration) {
		r := FullRecord(id)
		r.PatientID, r.VisitID, r.Department, r.State, r.CreatedAt = patient, visit, dept, state, t0.Add(created)
		mustCreate(t, db, r)
	}
	mk("r1", "P1", "V1", "dept-a", record.Draft, 1*time.Hour)
	mk("r2", "P1", "V2", "dept-b", record.Submitted, 2*time.Hour)
	mk("r3", "P2", "V3", "dept-a", record.Submitted, 3*time.Hour)
	mk("r4", "P2", "V4", "dept-b", record.Imported, 4*time.Hour)
	mk("r5", "P3", "V5", "dept-a", record.Expired, 5*time.Hour)
	mk("r6", "P3", "V6", "dept-a", record.Submitted, 5*time.Hour) // same time as r5: id breaks the tie
	cases := []struct {
		name string
		f    record.Filter
		want string
	}{
		{"all", record.Filter{}, "r6,r5,r4,r3,r2,r1"},
		{"patient", record.Filter{PatientID: "P1"}, "r2,r1"},
		{"visit", record.Filter{VisitID: "V3"}, "r3"},
		{"department", record.Filter{Department: "dept-a"}, "r6,r5,r3,r1"},
		{"state", record.Filter{State: record.Submitted}, "r6,r3,r2"},
		{"from", record.Filter{From: t0.Add(4 * time.Hour)}, "r6,r5,r4"},
		{"to", record.Filter{To: t0.Add(2 * time.Hour)}, "r1"},
		{"from and to", record.Filter{From: t0.Add(2 * time.Hour), To: t0.Add(4 * time.Hour)}, "r3,r2"},
		{"patient and state", record.Filter{PatientID: "P2", State: record.Submitted}, "r3"},
		{"department and state", record.Filter{Department: "dept-b", State: record.Imported}, "r4"},
		{"no match", record.Filter{PatientID: "P1", VisitID: "V3"}, ""},
		{"unknown patient", record.Filter{PatientID: "P9"}, ""},
		{"limit", record.Filter{Limit: 2}, "r6,r5"},
		{"limit with filter", record.Filter{Department: "dept-a", Limit: 3}, "r6,r5,r3"},
	}
	for _, c := range cases {
		got, err := db.ListRecords(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ids(got) != c.want {
			t.Fatalf("%s: ListRecords = [%s], want [%s]", c.name, ids(got), c.want)
		}
	}
	// The listed records are whole.
	got, _ := db.ListRecords(ctx, record.Filter{VisitID: "V3"})
	want := FullRecord("r3")
	want.PatientID, want.VisitID, want.Department, want.State, want.CreatedAt = "P2", "V3", "dept-a", record.Submitted, t0.Add(3*time.Hour)
	if d := SameRecord(got[0], want); d != "" {
		t.Fatal("listed: " + d)
	}
}

// testRecordListLimit checks the default (50) and the cap (500).
func testRecordListLimit(t *testing.T, db RecordStore) {
	ctx := context.Background()
	const n = 501
	var wg sync.WaitGroup
	errs := make([]error, n)
	sem := make(chan struct{}, 16)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r := &record.Record{ID: fmt.Sprintf("lim-%04d", i), SessionID: "s", State: record.Draft, CreatedAt: t0.Add(time.Duration(i) * time.Second)}
			errs[i] = db.CreateRecord(ctx, r)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	for _, c := range []struct{ limit, want int }{{0, 50}, {1, 1}, {499, 499}, {500, 500}, {501, 500}, {100000, 500}} {
		got, err := db.ListRecords(ctx, record.Filter{Limit: c.limit})
		if err != nil || len(got) != c.want {
			t.Fatalf("Limit %d: %d records, %v; want %d", c.limit, len(got), err, c.want)
		}
		if got[0].ID != "lim-0500" || got[len(got)-1].ID != fmt.Sprintf("lim-%04d", n-c.want) {
			t.Fatalf("Limit %d: from %s to %s, want the newest", c.limit, got[0].ID, got[len(got)-1].ID)
		}
	}
}

func testRecordExpire(t *testing.T, db RecordStore) {
	ctx := context.Background()
	now := t0.Add(30 * 24 * time.Hour)
	mk := func(id string, state record.State, expires time.Time) *record.Record {
		r := FullRecord(id)
		r.State, r.ExpiresAt = state, expires
		mustCreate(t, db, r)
		return r
	}
	draft := mk("x-draft", record.Draft, now.Add(-time.Hour))
	submitted := mk("x-submitted", record.Submitted, now.Add(-time.Millisecond))
	imported := mk("x-imported", record.Imported, now.Add(-time.Hour))
	future := mk("x-future", record.Draft, now.Add(time.Hour))
	boundary := mk("x-boundary", record.Submitted, now) // not before now: kept
	forever := mk("x-forever", record.Draft, time.Time{})
	already := mk("x-already", record.Expired, now.Add(-time.Hour))

	n, err := db.ExpireRecords(ctx, now)
	if err != nil || n != 2 {
		t.Fatalf("ExpireRecords = %d, %v; want 2", n, err)
	}
	for _, r := range []*record.Record{draft, submitted} {
		got := mustGet(t, db, r.ID)
		want := *r
		want.State, want.Version = record.Expired, 2
		want.Subject, want.Facts, want.Sections, want.Summary = record.Subject{}, nil, record.Sections{}, ""
		if d := SameRecord(got, &want); d != "" {
			t.Fatalf("expired %s: %s", r.ID, d)
		}
		// An update from before the expiry must not bring the content back.
		stale := *r
		wantKind(t, "UpdateRecord of an expired record from before", db.UpdateRecord(ctx, &stale), daoyi.Conflict)
	}
	for _, r := range []*record.Record{imported, future, boundary, forever, already} {
		if d := SameRecord(mustGet(t, db, r.ID), r); d != "" {
			t.Fatalf("%s should be untouched: %s", r.ID, d)
		}
	}
	if n, err := db.ExpireRecords(ctx, now); err != nil || n != 0 {
		t.Fatalf("ExpireRecords again = %d, %v; want 0", n, err)
	}
	// Later, the boundary record and the future one go too; imported and
	// never-expiring records never do.
	if n, err := db.ExpireRecords(ctx, now.Add(24*time.Hour)); err != nil || n != 2 {
		t.Fatalf("ExpireRecords a day later = %d, %v; want 2", n, err)
	}
	for id, want := range map[string]record.State{"x-imported": record.Imported, "x-forever": record.Draft, "x-future": record.Expired, "x-boundary": record.Expired} {
		if got := mustGet(t, db, id); got.State != want {
			t.Fatalf("%s is %s, want %s", id, got.State, want)
		}
	}
	got, err := db.ListRecords(ctx, record.Filter{State: record.Expired})
	if err != nil || ids(got) != "x-submitted,x-future,x-draft,x-boundary,x-already" {
		t.Fatalf("expired records = [%s], %v", ids(got), err)
	}
}

func testRecordAudit(t *testing.T, db RecordStore) {
	ctx := context.Background()
	log := []record.Access{
		{At: t0.Add(3 * time.Second), Actor: "张医生", Role: "doctor", Action: "read_html", RecordID: "rec-a"},
		{At: t0, Actor: "patient:sess-a", Role: "patient", Action: "submit", RecordID: "rec-a"},
		{At: t0.Add(time.Second), Actor: "李医生", Role: "doctor", Action: "list", Detail: "state=submitted&department=内科"},
		{At: t0.Add(2 * time.Second), Actor: "李医生", Role: "doctor", Action: "read", RecordID: "rec-b"},
		{At: t0.Add(3 * time.Second), Actor: "张医生", Role: "doctor", Action: "import", RecordID: "rec-a", Detail: "到 EMR"},
		{At: t0.Add(time.Second), Actor: "张医生", Role: "doctor", Action: "read", RecordID: "rec-a"},
	}
	for _, a := range log {
		if err := db.LogAccess(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Accesses(ctx, "rec-a")
	if err != nil {
		t.Fatal(err)
	}
	// Oldest first; at the same time, in the order logged.
	want := []record.Access{log[1], log[5], log[0], log[4]}
	if len(got) != len(want) {
		t.Fatalf("Accesses(rec-a) = %+v, want %+v", got, want)
	}
	for i := range want {
		g := got[i]
		if !g.At.Equal(want[i].At) || g.At.Location() != time.UTC || g.Actor != want[i].Actor || g.Role != want[i].Role ||
			g.Action != want[i].Action || g.RecordID != want[i].RecordID || g.Detail != want[i].Detail {
			t.Fatalf("access %d = %+v, want %+v", i, g, want[i])
		}
	}
	if got, err := db.Accesses(ctx, "rec-b"); err != nil || len(got) != 1 || got[0].Action != "read" || got[0].RecordID != "rec-b" {
		t.Fatalf("Accesses(rec-b) = %+v, %v", got, err)
	}
	if got, err := db.Accesses(ctx, "rec-none"); err != nil || len(got) != 0 {
		t.Fatalf("Accesses of a record nobody touched = %+v, %v", got, err)
	}
	// A zero time is the time of logging.
	before := time.Now().Add(-time.Second)
	if err := db.LogAccess(ctx, record.Access{Actor: "admin", Role: "admin", Action: "expire", RecordID: "rec-c"}); err != nil {
		t.Fatal(err)
	}
	got, err = db.Accesses(ctx, "rec-c")
	if err != nil || len(got) != 1 || got[0].At.Before(before) || got[0].At.After(time.Now().Add(time.Second)) {
		t.Fatalf("Accesses(rec-c) = %+v, %v; want one access now", got, err)
	}
}

// testRecordHostileText stores what a patient might type that breaks naive
// SQL, JSON or encodings: it must come back exactly. NUL characters and
// invalid UTF-8 cannot be stored by PostgreSQL, so both stores refuse them
// as Invalid and store nothing.
func testRecordHostileText(t *testing.T, db RecordStore) {
	ctx := context.Background()
	texts := []string{
		`'); DROP TABLE records; --`,
		`" OR 1=1 --`,
		`x' OR '1'='1`,
		`{"facts": null, "summary": "\u0000"}`,
		`\x00 is not a NUL, \u0000 is not one either, \n nor a newline`,
		"tab\tnewline\nCR\r\u2028 line separator",
		"emoji 😷🏥 and 𠮷 (outside the BMP), 🇨🇳 and 👨‍👩‍👧",
		"%_ LIKE wildcards % and _",
		strings.Repeat("很长的摘要。", 100*1024/18+1), // over 100 KB
	}
	if len(texts[len(texts)-1]) < 100*1024 {
		t.Fatal("the long text is too short")
	}
	for i, text := range texts {
		r := FullRecord(fmt.Sprintf("hostile-%02d", i))
		r.PatientID, r.VisitID, r.Department, r.ImportedBy, r.Summary = text, text, text, text, text
		r.Subject.Relation = text
		r.Sections.Present, r.Sections.Family = text, text
		r.Facts[0].Quote, r.Facts[0].Name, r.Facts[1].Question = text, text, text
		if err := db.CreateRecord(ctx, r); err != nil {
			t.Fatalf("text %d: %v", i, err)
		}
		got := mustGet(t, db, r.ID)
		if d := SameRecord(got, r); d != "" {
			t.Fatalf("text %d came back changed: %.200s", i, d)
		}
		list, err := db.ListRecords(ctx, record.Filter{PatientID: text, VisitID: text, Department: text})
		if err != nil || ids(list) != r.ID {
			t.Fatalf("text %d: listing by it = [%s], %v", i, ids(list), err)
		}
		if err := db.LogAccess(ctx, record.Access{Actor: text, Role: "doctor", Action: "read", RecordID: r.ID, Detail: text}); err != nil {
			t.Fatal(err)
		}
		acc, err := db.Accesses(ctx, r.ID)
		if err != nil || len(acc) != 1 || acc[0].Actor != text || acc[0].Detail != text {
			t.Fatalf("text %d: the access came back changed (%v)", i, err)
		}
	}
	// NUL characters and invalid UTF-8 anywhere are refused.
	for _, text := range []string{"before\x00after", "\x00", "bad \xff\xfe utf-8"} {
		spoilers := map[string]func(r *record.Record){
			"id":       func(r *record.Record) { r.ID = "nul-" + text },
			"patient":  func(r *record.Record) { r.PatientID = text },
			"summary":  func(r *record.Record) { r.Summary = text },
			"section":  func(r *record.Record) { r.Sections.Allergy = text },
			"fact":     func(r *record.Record) { r.Facts[2].Quote = text },
			"relation": func(r *record.Record) { r.Subject.Relation = text },
		}
		for name, spoil := range spoilers {
			r := FullRecord("nul-record")
			spoil(r)
			wantKind(t, fmt.Sprintf("CreateRecord with %q in the %s", text, name), db.CreateRecord(ctx, r), daoyi.Invalid)
		}
		if _, err := db.GetRecord(ctx, "nul-record"); daoyi.KindOf(err) != daoyi.NotFound {
			t.Fatalf("a record with %q was stored: %v", text, err)
		}
		r := mustGet(t, db, "hostile-00")
		r.Summary = text
		wantKind(t, fmt.Sprintf("UpdateRecord with %q", text), db.UpdateRecord(ctx, r), daoyi.Invalid)
		wantKind(t, fmt.Sprintf("LogAccess with %q", text),
			db.LogAccess(ctx, record.Access{Actor: "a", Action: "read", RecordID: "hostile-00", Detail: text}), daoyi.Invalid)
		_, err := db.ListRecords(ctx, record.Filter{PatientID: text})
		wantKind(t, fmt.Sprintf("ListRecords with %q", text), err, daoyi.Invalid)
		wantKind(t, fmt.Sprintf("CreateToken with %q", text),
			db.CreateToken(ctx, &auth.Token{ID: "tok-nul", Name: text, Role: auth.Doctor, Hash: "nul-hash"}), daoyi.Invalid)
	}
	if got := mustGet(t, db, "hostile-00"); got.Version != 1 || got.Summary != texts[0] {
		t.Fatalf("a refused update changed the record: version %d, %q", got.Version, got.Summary)
	}
	if acc, _ := db.Accesses(ctx, "hostile-00"); len(acc) != 1 {
		t.Fatalf("refused accesses were logged: %d entries", len(acc))
	}
}

func testTokens(t *testing.T, db RecordStore) {
	ctx := context.Background()
	if got, err := db.ListTokens(ctx); err != nil || len(got) != 0 {
		t.Fatalf("ListTokens of an empty store = %v, %v", got, err)
	}
	secret, hash := auth.NewSecret()
	doctor := &auth.Token{ID: "tok-doctor", Name: "张医生", Role: auth.Doctor, Hash: hash, CreatedAt: t0.Add(time.Hour)}
	admin := &auth.Token{ID: "tok-admin", Name: "信息科'; DROP TABLE tokens; --", Role: auth.Admin, Hash: auth.Hash("other"), CreatedAt: t0}
	for _, tok := range []*auth.Token{doctor, admin} {
		if err := db.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	same := func(g, w *auth.Token) bool {
		return g.ID == w.ID && g.Name == w.Name && g.Role == w.Role && g.Hash == w.Hash &&
			g.CreatedAt.Equal(w.CreatedAt) && g.RevokedAt.Equal(w.RevokedAt) && g.RevokedAt.IsZero() == w.RevokedAt.IsZero()
	}
	got, err := db.TokenByHash(ctx, hash)
	if err != nil || !same(got, doctor) || !got.Active() {
		t.Fatalf("TokenByHash = %+v, %v; want %+v", got, err, doctor)
	}
	_, err = db.TokenByHash(ctx, auth.Hash("unknown"))
	wantKind(t, "TokenByHash of an unknown hash", err, daoyi.NotFound)

	list, err := db.ListTokens(ctx)
	if err != nil || len(list) != 2 || !same(list[0], admin) || !same(list[1], doctor) {
		t.Fatalf("ListTokens = %+v, %v; want the admin's (older) first", list, err)
	}

	dupID := &auth.Token{ID: "tok-doctor", Name: "别人", Role: auth.Editor, Hash: auth.Hash("fresh")}
	wantKind(t, "CreateToken with a taken id", db.CreateToken(ctx, dupID), daoyi.Conflict)
	dupHash := &auth.Token{ID: "tok-new", Name: "别人", Role: auth.Editor, Hash: hash}
	wantKind(t, "CreateToken with a taken hash", db.CreateToken(ctx, dupHash), daoyi.Conflict)
	wantKind(t, "CreateToken with an unknown role", db.CreateToken(ctx, &auth.Token{ID: "tok-x", Name: "x", Role: "root", Hash: "h-x"}), daoyi.Invalid)
	wantKind(t, "CreateToken without an id", db.CreateToken(ctx, &auth.Token{Name: "x", Role: auth.Doctor, Hash: "h-y"}), daoyi.Invalid)
	wantKind(t, "CreateToken without a hash", db.CreateToken(ctx, &auth.Token{ID: "tok-y", Name: "x", Role: auth.Doctor}), daoyi.Invalid)
	if list, _ := db.ListTokens(ctx); len(list) != 2 {
		t.Fatalf("refused tokens were stored: %d tokens", len(list))
	}

	// The secret authenticates until the token is revoked.
	if tok, err := auth.Authenticate(ctx, db, secret); err != nil || tok.ID != doctor.ID {
		t.Fatalf("Authenticate = %+v, %v", tok, err)
	}
	revoked := t0.Add(2 * time.Hour)
	if err := db.RevokeToken(ctx, doctor.ID, revoked); err != nil {
		t.Fatal(err)
	}
	got, err = db.TokenByHash(ctx, hash)
	if err != nil || !got.RevokedAt.Equal(revoked) || got.Active() {
		t.Fatalf("after revoking: %+v, %v", got, err)
	}
	if _, err := auth.Authenticate(ctx, db, secret); daoyi.KindOf(err) != daoyi.Unauthorized {
		t.Fatalf("a revoked secret authenticates: %v", err)
	}
	// Revoking again keeps the first time.
	if err := db.RevokeToken(ctx, doctor.ID, revoked.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.TokenByHash(ctx, hash); !got.RevokedAt.Equal(revoked) {
		t.Fatalf("revoking twice moved the time to %v", got.RevokedAt)
	}
	wantKind(t, "RevokeToken of an unknown id", db.RevokeToken(ctx, "tok-none", revoked), daoyi.NotFound)
	if got, _ := db.TokenByHash(ctx, admin.Hash); !got.Active() {
		t.Fatal("revoking one token revoked another")
	}
	// A token created without a time gets the time of creation.
	fresh := &auth.Token{ID: "tok-fresh", Name: "护士站", Role: auth.Editor, Hash: auth.Hash("fresh")}
	before := time.Now().Add(-time.Second)
	if err := db.CreateToken(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if got, err := db.TokenByHash(ctx, fresh.Hash); err != nil || got.CreatedAt.Before(before) || !got.CreatedAt.Equal(fresh.CreatedAt) {
		t.Fatalf("a token created without a time: %+v, %v (set %v)", got, err, fresh.CreatedAt)
	}
	if list, _ := db.ListTokens(ctx); len(list) != 3 || list[2].ID != "tok-fresh" {
		t.Fatalf("ListTokens = %d tokens, want the new one last", len(list))
	}
}
