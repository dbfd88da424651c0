package record

import "strings"

// Text renders the draft as EMR-ready plain text: one line per non-empty
// section in the usual order (主诉, 现病史, 既往史, 过敏史, 个人史, 家族史,
// 月经婚育史), each its heading, the colon and the section's text, like
// "主诉：发热3天，伴咳嗽1天\n现病史：…". A section the patient said nothing
// for is left out (never an invented negative); no trailing newline, so
// the text pastes into an EMR's field as it is. A nil record is "".
func Text(r *Record, h Headings) string {
	if r == nil {
		return ""
	}
	colon := h.Colon
	if colon == "" {
		colon = ": "
	}
	var b strings.Builder
	for i, s := range sections(r, h) {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s.heading)
		b.WriteString(colon)
		b.WriteString(s.text)
	}
	return b.String()
}
