package record

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func renderHTML(t *testing.T, r *Record) (string, *html.Node) {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, r, testHeadings(t)); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, doc)
	return b.String(), doc
}

// checkSelfContained checks the page has no scripts, no event handlers and
// nothing loaded from elsewhere.
func checkSelfContained(t *testing.T, doc *html.Node) {
	t.Helper()
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "script", "link", "img", "iframe", "object", "embed", "base", "form", "svg", "video", "audio", "source":
			t.Errorf("the page has a <%s> element", n.Data)
		case "style":
			if css := textOf(n); strings.Contains(css, "url(") || strings.Contains(css, "@import") {
				t.Errorf("the CSS loads something: %s", css)
			}
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || a.Key == "src" || a.Key == "href" || a.Key == "style" || a.Key == "srcset" {
				t.Errorf("<%s> has the attribute %s=%q", n.Data, a.Key, a.Val)
			}
		}
	}
}

// textOf is the text of a node and its descendants.
func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// elements returns the text of the elements named tag, in document order.
func elements(doc *html.Node, tag string) []string {
	var out []string
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, strings.TrimSpace(textOf(n)))
		}
	}
	return out
}

func TestHTML(t *testing.T) {
	r := testRecord()
	page, doc := renderHTML(t, r)

	for _, want := range []string{"<!DOCTYPE html>", `<meta charset="utf-8">`, "@media print", "size: A4"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if got := elements(doc, "title"); len(got) != 1 || got[0] != "预问诊病历" {
		t.Errorf("title %v", got)
	}
	if got := elements(doc, "h1"); len(got) != 1 || got[0] != "预问诊病历" {
		t.Errorf("h1 %v", got)
	}
	if !strings.Contains(page, "须经医生核实") {
		t.Error("the page lacks the note that the doctor must check the draft")
	}

	// The header: label → value.
	header := map[string]string{}
	dts, dds := elements(doc, "dt"), elements(doc, "dd")
	if len(dts) != len(dds) {
		t.Fatalf("%d dt, %d dd", len(dts), len(dds))
	}
	for i := range dts {
		header[dts[i]] = dds[i]
	}
	for label, want := range map[string]string{
		"患者ID": "P000123", "就诊号": "V20250310-017", "年龄": "5岁", "性别": "男",
		"由家属代答": "母亲", "状态": "已提交",
		"创建时间": "2025-03-10 09:30", "更新时间": "2025-03-10 09:34", "提交时间": "2025-03-10 09:35",
	} {
		if header[label] != want {
			t.Errorf("header %s = %q, want %q", label, header[label], want)
		}
	}
	for _, label := range []string{"导入时间", "导入医生", "妊娠"} {
		if _, ok := header[label]; ok {
			t.Errorf("header has %s for a record without it", label)
		}
	}

	// The sections in order, the empty ones left out, then the summary.
	want := []string{"主诉", "现病史", "既往史", "过敏史", "患者确认的摘要"}
	if got := elements(doc, "h2"); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("h2 %v, want %v", got, want)
	}
	if strings.Contains(page, "个人史") || strings.Contains(page, "月经婚育史") {
		t.Error("the page has an empty section")
	}
	if got := elements(doc, "p"); len(got) < 3 || got[2] != r.Sections.Present {
		t.Errorf("paragraphs %v", got)
	}

	// The facts: one row each, with the patient's words and the turn.
	if got := elements(doc, "caption"); len(got) != 1 || got[0] != "结构化信息" {
		t.Errorf("caption %v", got)
	}
	if got, want := strings.Join(elements(doc, "th"), ","), "类别,名称,所属症状,有无,内容,患者原话,轮次"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	var rows [][]string
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "tr" && n.Parent.Data == "tbody" {
			rows = append(rows, elements(n, "td"))
		}
	}
	if len(rows) != len(r.Facts) {
		t.Fatalf("%d rows for %d facts", len(rows), len(r.Facts))
	}
	for i, want := range map[int][]string{
		0:  {"症状", "发热", "", "有", "", "孩子发烧三天了，这两天还有点咳嗽", "1"},
		5:  {"体温", "", "发热", "", "39.2℃", "最高烧到39度2", "3"},
		9:  {"症状", "呕吐", "", "无", "", "没有吐", "5"},
		11: {"症状", "皮疹", "", "不确定", "", "身上好像有点红点，不确定", "5"},
		14: {"过敏", "", "", "无", "", "没有过敏的", "8"},
	} {
		if strings.Join(rows[i], "|") != strings.Join(want, "|") {
			t.Errorf("row %d = %q, want %q", i+1, rows[i], want)
		}
	}
}

func TestHTMLEscaping(t *testing.T) {
	const hostile = `<script>alert("x")</script>'"{{.H.Title}}</td></table><img src=x onerror=alert(1)>`
	r := testRecord()
	r.PatientID = hostile
	r.VisitID = `" onmouseover="alert(1)`
	r.Subject.Relation = hostile
	r.Sections.Chief = hostile
	r.Sections.Family = "{{template \"record\" .}}"
	r.Summary = hostile
	r.ImportedBy = "</style><script>x</script>"
	r.Facts = append(r.Facts, Fact{Kind: "<b>kind</b>", Name: hostile, Status: "<i>", Value: hostile, Of: hostile, Quote: hostile, Turn: 9})
	page, doc := renderHTML(t, r)

	if strings.Contains(strings.ToLower(page), "<script") || strings.Contains(page, "<img") || strings.Contains(page, "<b>") {
		t.Errorf("hostile markup reaches the page:\n%s", page)
	}
	if !strings.Contains(page, "&lt;script&gt;") {
		t.Error("the script is not escaped as text")
	}
	// The hostile text is shown as it was, not interpreted.
	text := textOf(doc)
	if n := strings.Count(text, hostile); n < 7 {
		t.Errorf("the hostile text is shown %d times, want at least 7 (patient, relation, chief, summary, name, of, value, quote)", n)
	}
	if !strings.Contains(text, "{{template \"record\" .}}") {
		t.Error("template syntax in the record is not shown as it is")
	}
	// The page still has its structure: the table's last row has all its
	// cells, the sections their headings.
	var last *html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "tr" {
			last = n
		}
	}
	if cells := elements(last, "td"); len(cells) != 7 || cells[6] != "9" || cells[0] != "<b>kind</b>" {
		t.Errorf("last row %q", cells)
	}
	if got := elements(doc, "h2"); len(got) != 6 || got[4] != "家族史" {
		t.Errorf("h2 %v", got)
	}
}

func TestHTMLEmpty(t *testing.T) {
	// A record expired: no facts, no sections; the page says only what it
	// has, with no empty table.
	page, doc := renderHTML(t, &Record{ID: "rec-x", State: Expired})
	if got := elements(doc, "h2"); len(got) != 0 {
		t.Errorf("h2 %v", got)
	}
	if strings.Contains(page, "<table") {
		t.Error("an empty facts table")
	}
	if !strings.Contains(page, "已过期") {
		t.Error("the state is not shown")
	}
	if _, doc := renderHTML(t, nil); len(elements(doc, "h1")) != 1 {
		t.Error("HTML(nil) has no title")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestHTMLWriteError(t *testing.T) {
	if err := HTML(failWriter{}, testRecord(), testHeadings(t)); err == nil {
		t.Error("a failing writer gives no error")
	}
}
