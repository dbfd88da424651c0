package record

import (
	"html/template"
	"io"
	"strconv"
	"time"
)

// HTML writes the record as a self-contained, print-friendly page for the
// doctor: the note that the patient gave the draft before the visit and
// the doctor must check it, the record's header (patient, visit, age, sex,
// who answered, state, times), each non-empty section, the summary the
// patient confirmed, and the structured facts with the patient's words and
// the turn each came from. The page has inline CSS only (A4 when printed),
// no scripts and no external resources; everything from the record is
// escaped by html/template. Times are shown in China time.
func HTML(w io.Writer, r *Record, h Headings) error {
	if r == nil {
		r = &Record{}
	}
	return pageTemplate.Execute(w, newPage(r, h))
}

type page struct {
	H        Headings
	Header   []pageRow
	Sections []pageRow // heading, text
	Summary  string
	Facts    []pageFact
}

type pageRow struct{ Label, Value string }

type pageFact struct {
	Kind, Name, Of, Status, Value, Quote, Turn string
	Absent                                     bool
}

func newPage(r *Record, h Headings) page {
	p := page{H: h, Summary: r.Summary}
	for _, s := range sections(r, h) {
		p.Sections = append(p.Sections, pageRow{s.heading, s.text})
	}
	row := func(label, value string) {
		if value != "" {
			p.Header = append(p.Header, pageRow{label, value})
		}
	}
	row(h.Patient, r.PatientID)
	row(h.Visit, r.VisitID)
	s := r.Subject
	switch {
	case s.Months > 0:
		row(h.Age, strconv.Itoa(s.Months)+h.Months)
	case s.Age > 0:
		row(h.Age, strconv.Itoa(s.Age)+h.Years)
	}
	switch s.Sex {
	case "male":
		row(h.Sex, h.Male)
	case "female":
		row(h.Sex, h.Female)
	default:
		row(h.Sex, s.Sex)
	}
	if s.Pregnant {
		row(h.Pregnant, h.statusLabel(Present))
	}
	if s.Proxy {
		who := s.Relation
		if who == "" {
			who = h.statusLabel(Present)
		}
		row(h.Proxy, who)
	}
	if r.State != "" {
		row(h.State, h.stateLabel(r.State))
	}
	row(h.Created, clock(r.CreatedAt))
	row(h.Updated, clock(r.UpdatedAt))
	row(h.Submitted, clock(r.SubmittedAt))
	row(h.Imported, clock(r.ImportedAt))
	row(h.ImportedBy, r.ImportedBy)
	for _, f := range r.Facts {
		pf := pageFact{
			Kind:   h.kindLabel(f.Kind),
			Name:   f.Name,
			Of:     f.Of,
			Value:  f.Value,
			Quote:  f.Quote,
			Absent: f.Status == Absent,
		}
		if f.Status != "" {
			pf.Status = h.statusLabel(f.Status)
		}
		switch {
		case pf.Value != "":
		case f.Date != "":
			pf.Value = f.Date
		case f.Number != 0:
			pf.Value = strconv.FormatFloat(f.Number, 'f', -1, 64)
		}
		if f.Turn > 0 {
			pf.Turn = strconv.Itoa(f.Turn)
		}
		p.Facts = append(p.Facts, pf)
	}
	return p
}

// clock is t in China time to the minute, "" for the zero time.
func clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(china).Format("2006-01-02 15:04")
}

var pageTemplate = template.Must(template.New("record").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.H.Title}}</title>
<style>
@page { size: A4; margin: 15mm 15mm 18mm; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 210mm; padding: 12mm; color: #111; background: #fff;
  font: 11pt/1.6 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
h1 { font-size: 17pt; margin: 0 0 4mm; text-align: center; }
h2 { font-size: 12pt; margin: 5mm 0 1mm; border-bottom: 1px solid #999; }
.note { border: 1.5pt solid #b45309; background: #fff7ed; padding: 2mm 3mm; margin: 0 0 4mm; font-weight: bold; }
dl.header { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 1mm 3mm; margin: 0 0 3mm; }
dl.header dt { color: #555; }
dl.header dd { margin: 0; }
.text { white-space: pre-wrap; margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin-top: 2mm; }
caption { text-align: left; font-weight: bold; font-size: 12pt; padding: 5mm 0 1mm; }
th, td { border: 0.5pt solid #888; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eee; }
tr.absent td { color: #555; }
td.turn { text-align: right; white-space: nowrap; }
@media print {
  body { padding: 0; max-width: none; font-size: 10.5pt; }
  .note { background: none; }
  th { background: none; }
  h2, caption { break-after: avoid; }
  tr, section { break-inside: avoid; }
  thead { display: table-header-group; }
}
</style>
</head>
<body>
<h1>{{.H.Title}}</h1>
{{with .H.Note}}<p class="note">{{.}}</p>
{{end}}{{with .Header}}<dl class="header">
{{range .}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>
{{end}}</dl>
{{end}}{{range .Sections}}<section>
<h2>{{.Label}}</h2>
<p class="text">{{.Value}}</p>
</section>
{{end}}{{with .Summary}}<section>
<h2>{{$.H.Summary}}</h2>
<p class="text">{{.}}</p>
</section>
{{end}}{{with .Facts}}<table>
<caption>{{$.H.Facts}}</caption>
<thead><tr><th>{{$.H.ColumnKind}}</th><th>{{$.H.ColumnName}}</th><th>{{$.H.ColumnOf}}</th><th>{{$.H.ColumnState}}</th><th>{{$.H.ColumnValue}}</th><th>{{$.H.ColumnQuote}}</th><th>{{$.H.ColumnTurn}}</th></tr></thead>
<tbody>
{{range .}}<tr{{if .Absent}} class="absent"{{end}}><td>{{.Kind}}</td><td>{{.Name}}</td><td>{{.Of}}</td><td>{{.Status}}</td><td>{{.Value}}</td><td>{{.Quote}}</td><td class="turn">{{.Turn}}</td></tr>
{{end}}</tbody>
</table>
{{end}}</body>
</html>
`))
