package record

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// testHeadingsYAML is what the corpus gives (corpus/preconsult.yaml,
// headings:), every key of Headings.
const testHeadingsYAML = `
chief: 主诉
present: 现病史
past: 既往史
allergy: 过敏史
personal: 个人史
family: 家族史
menstrual: 月经婚育史
colon: "："
title: 预问诊病历
note: 本病历草稿由患者（或家属）在就诊前通过预问诊填写，仅供参考，须经医生核实后方可使用。
summary: 患者确认的摘要
patient: 患者ID
visit: 就诊号
age: 年龄
years: 岁
months: 个月
sex: 性别
male: 男
female: 女
pregnant: 妊娠
proxy: 由家属代答
state: 状态
created: 创建时间
updated: 更新时间
submitted: 提交时间
imported: 导入时间
imported_by: 导入医生
state_draft: 草稿
state_submitted: 已提交
state_imported: 已导入
state_expired: 已过期
facts: 结构化信息
column_kind: 类别
column_name: 名称
column_of: 所属症状
column_state: 有无
column_value: 内容
column_quote: 患者原话
column_turn: 轮次
status_present: 有
status_absent: 无
status_uncertain: 不确定
kind_symptom: 症状
kind_onset: 起病时间
kind_duration: 持续时间
kind_temperature: 体温
kind_severity: 严重程度
kind_frequency: 频率
kind_site: 部位
kind_character: 性质
kind_trigger: 诱因
kind_aggravating: 加重因素
kind_relieving: 缓解因素
kind_care: 诊治经过
kind_medicine: 用药
kind_allergy: 过敏
kind_condition: 既往疾病
kind_operation: 手术外伤输血
kind_smoking: 吸烟
kind_drinking: 饮酒
kind_family: 家族史
kind_lmp: 末次月经
kind_menstrual: 月经
kind_obstetric: 婚育
kind_general: 一般情况
kind_note: 补充
`

func testHeadings(t *testing.T) Headings {
	t.Helper()
	var h Headings
	if err := yaml.Unmarshal([]byte(testHeadingsYAML), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// testRecord is a five-year-old boy with fever and cough, his mother
// answering for him.
func testRecord() *Record {
	created := time.Date(2025, 3, 10, 1, 30, 0, 0, time.UTC) // 09:30 in China
	return &Record{
		ID:         "rec-20250310-0001",
		PatientID:  "P000123",
		VisitID:    "V20250310-017",
		Department: "pediatrics",
		SessionID:  "sess-abc",
		State:      Submitted,
		Version:    3,
		Subject:    Subject{Age: 5, Sex: "male", Proxy: true, Relation: "母亲"},
		Facts: []Fact{
			{Kind: KindSymptom, Name: "发热", Status: Present, Turn: 1, Quote: "孩子发烧三天了，这两天还有点咳嗽", Question: "孩子哪里不舒服？"},
			{Kind: KindDuration, Value: "3天", Days: 3, Of: "发热", Turn: 1, Quote: "发烧三天了"},
			{Kind: KindSymptom, Name: "咳嗽", Status: Present, Turn: 1, Quote: "还有点咳嗽"},
			{Kind: KindDuration, Value: "1天", Days: 1, Of: "咳嗽", Turn: 2, Quote: "咳嗽是昨天开始的"},
			{Kind: KindTemperature, Value: "38.5℃", Number: 38.5, Of: "发热", Turn: 2, Quote: "前天38度5"},
			{Kind: KindTemperature, Value: "39.2℃", Number: 39.2, Of: "发热", Turn: 3, Quote: "最高烧到39度2", Question: "最高烧到多少度？"},
			{Kind: KindCharacter, Value: "干咳", Of: "咳嗽", Turn: 3, Quote: "干咳，没什么痰"},
			{Kind: KindSymptom, Name: "咽痛", Status: Present, Turn: 4, Quote: "他说嗓子疼"},
			{Kind: KindSeverity, Value: "4分", Number: 4, Of: "咽痛", Turn: 4, Quote: "疼得不太厉害，4分吧"},
			{Kind: KindSymptom, Name: "呕吐", Status: Absent, Turn: 5, Quote: "没有吐"},
			{Kind: KindSymptom, Name: "腹泻", Status: Absent, Turn: 5, Quote: "也没拉肚子"},
			{Kind: KindSymptom, Name: "皮疹", Status: Uncertain, Turn: 5, Quote: "身上好像有点红点，不确定"},
			{Kind: KindMedicine, Name: "布洛芬混悬液", Status: Present, Value: "每次5ml", Turn: 6, Quote: "吃了布洛芬，一次5毫升"},
			{Kind: KindCondition, Name: "热性惊厥", Status: Absent, Turn: 7, Quote: "以前没抽过"},
			{Kind: KindAllergy, Status: Absent, Turn: 8, Quote: "没有过敏的", Question: "孩子有没有对什么药物或食物过敏？"},
		},
		Sections: Sections{
			Chief:   "发热3天，咳嗽1天",
			Present: "患儿3天前无明显诱因出现发热，体温最高39.2℃，1天前出现咳嗽，为干咳，伴咽痛。无呕吐、腹泻。皮疹不确定。已自服布洛芬混悬液每次5ml。",
			Past:    "既往体健，否认热性惊厥史。",
			Allergy: "否认药物及食物过敏史。",
			// Personal, Family, Menstrual: nothing said.
			Personal: "  \n ",
		},
		Summary:   "孩子发烧3天，最高39.2度，咳嗽1天，嗓子疼，吃过布洛芬，没有过敏。",
		CreatedAt: created,
		UpdatedAt: created.Add(4 * time.Minute),
		// submitted at 09:35 in China
		SubmittedAt: created.Add(5 * time.Minute),
		ExpiresAt:   created.Add(30 * 24 * time.Hour),
	}
}

func TestHeadingsComplete(t *testing.T) {
	h := testHeadings(t)
	if m := h.Missing(); len(m) != 0 {
		t.Errorf("test headings miss %v", m)
	}
	if m := (Headings{Chief: "主诉"}).Missing(); len(m) == 0 || m[0] != "present" {
		t.Errorf("Missing of a partial Headings = %v", m)
	}
	// The corpus gives a map; NewHeadings reads it by the same keys.
	var m map[string]string
	if err := yaml.Unmarshal([]byte(testHeadingsYAML), &m); err != nil {
		t.Fatal(err)
	}
	got, err := NewHeadings(m)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, h) {
		t.Errorf("NewHeadings differs from yaml.Unmarshal:\n%+v\n%+v", got, h)
	}
	m["chief_complaint"] = "主诉"
	if _, err := NewHeadings(m); err == nil || !strings.Contains(err.Error(), "chief_complaint") {
		t.Errorf("NewHeadings with an unknown key: %v", err)
	}
}

func TestText(t *testing.T) {
	h := testHeadings(t)
	got := Text(testRecord(), h)
	want := "主诉：发热3天，咳嗽1天\n" +
		"现病史：患儿3天前无明显诱因出现发热，体温最高39.2℃，1天前出现咳嗽，为干咳，伴咽痛。无呕吐、腹泻。皮疹不确定。已自服布洛芬混悬液每次5ml。\n" +
		"既往史：既往体健，否认热性惊厥史。\n" +
		"过敏史：否认药物及食物过敏史。"
	if got != want {
		t.Errorf("Text =\n%s\nwant\n%s", got, want)
	}
	for _, absent := range []string{"个人史", "家族史", "月经婚育史"} {
		if strings.Contains(got, absent) {
			t.Errorf("Text has the empty section %s", absent)
		}
	}
}

func TestTextOrderAndOmission(t *testing.T) {
	h := testHeadings(t)
	// Sections filled in reverse, to catch a renderer following the
	// struct's or the fill order instead of the usual one.
	r := &Record{Sections: Sections{
		Menstrual: "月经规律", Family: "父亲高血压", Personal: "无吸烟饮酒",
		Allergy: "青霉素过敏", Past: "体健", Present: "腹痛2小时", Chief: "腹痛2小时",
	}}
	got := Text(r, h)
	lines := strings.Split(got, "\n")
	order := []string{"主诉", "现病史", "既往史", "过敏史", "个人史", "家族史", "月经婚育史"}
	if len(lines) != len(order) {
		t.Fatalf("Text has %d lines, want %d:\n%s", len(lines), len(order), got)
	}
	for i, heading := range order {
		if !strings.HasPrefix(lines[i], heading+"：") {
			t.Errorf("line %d = %q, want heading %s", i+1, lines[i], heading)
		}
	}

	// Only some sections: the others are left out, no "无" invented.
	r = &Record{Sections: Sections{Chief: "头痛1周", Family: "母亲偏头痛"}}
	if got, want := Text(r, h), "主诉：头痛1周\n家族史：母亲偏头痛"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if got := Text(&Record{}, h); got != "" {
		t.Errorf("Text of an empty record = %q", got)
	}
	if got := Text(nil, h); got != "" {
		t.Errorf("Text(nil) = %q", got)
	}
	// Without a colon in the corpus, an ASCII one.
	if got, want := Text(&Record{Sections: Sections{Chief: "咳嗽"}}, Headings{Chief: "主诉"}), "主诉: 咳嗽"; got != want {
		t.Errorf("Text without colon = %q, want %q", got, want)
	}
}

// TestNoChineseLiterals keeps the renderings' words in the corpus: the
// non-test files of this task have no Han characters in string literals.
func TestNoChineseLiterals(t *testing.T) {
	fset := token.NewFileSet()
	for _, name := range []string{"text.go", "headings.go", "fhir.go", "html.go"} {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && (lit.Kind == token.STRING || lit.Kind == token.CHAR) {
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range v {
					if unicode.Is(unicode.Han, c) || c >= 0x3000 && c <= 0x303F || c >= 0xFF00 && c <= 0xFFEF {
						t.Errorf("%s: Chinese in a literal: %s", fset.Position(lit.Pos()), lit.Value)
						break
					}
				}
			}
			return true
		})
	}
}
