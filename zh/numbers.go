package zh

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

var digitValue = map[rune]int{
	'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '俩': 2, '三': 3, '四': 4, '五': 5,
	'六': 6, '七': 7, '八': 8, '九': 9,
}

var unitValue = map[rune]int{'十': 10, '百': 100, '千': 1000, '万': 10000}

// ParseNumber reads an Arabic or Chinese number: 3, 38.5, 三, 十五, 二十三,
// 一百零五, 两千, 三点五, 半 (0.5). It reports false when s is not a whole
// number expression.
func ParseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return f, true
	}
	if s == "半" {
		return 0.5, true
	}
	if i := strings.IndexRune(s, '点'); i > 0 {
		whole, ok := ParseNumber(s[:i])
		if !ok {
			return 0, false
		}
		frac := 0.0
		scale := 0.1
		for _, r := range s[i+len("点"):] {
			d, ok := digitValue[r]
			if !ok {
				return 0, false
			}
			frac += float64(d) * scale
			scale /= 10
		}
		return whole + frac, true
	}
	total, section, digit := 0, 0, -1
	seen := false
	for _, r := range s {
		if d, ok := digitValue[r]; ok {
			digit = d
			seen = true
			continue
		}
		u, ok := unitValue[r]
		if !ok {
			return 0, false
		}
		seen = true
		if digit < 0 {
			digit = 1 // 十五 = 1×10 + 5
		}
		if u == 10000 {
			total = (total + section + digit) * u
			section = 0
		} else {
			section += digit * u
		}
		digit = -1
	}
	if !seen {
		return 0, false
	}
	if digit > 0 {
		section += digit
	}
	return float64(total + section), true
}

// Unit is a unit of time.
type Unit int

// The units of time, shortest first.
const (
	Minute Unit = iota + 1
	Hour
	Day
	Week
	Month
	Year
)

var unitDays = map[Unit]float64{Minute: 1.0 / 1440, Hour: 1.0 / 24, Day: 1, Week: 7, Month: 30, Year: 365}

// unitNames are the clinical abbreviations used in records (主诉 "发热3天").
var unitNames = map[Unit]string{Minute: "分钟", Hour: "小时", Day: "天", Week: "周", Month: "月", Year: "年"}

// Duration is a length of time, or a point in time ("3天前", "前天"),
// found in text.
type Duration struct {
	Text  string  // the words as written
	Value float64 // how many Units; 0 with Vague for 几天
	Unit  Unit
	More  bool // 多, 余, 几 (十几天): more than Value
	Vague bool // 几天, 好几天: an unknown small number
	Ago   bool // a point in the past (3天前, 前天) rather than a length
	Start int  // byte offsets in the text
	End   int
}

// Days returns the duration in days (Vague counts as 3).
func (d Duration) Days() float64 {
	v := d.Value
	if d.Vague && v == 0 {
		v = 3
	}
	return v * unitDays[d.Unit]
}

// Clinical writes the duration the way a record does: 3天, 1周余, 半月, 1年半.
func (d Duration) Clinical() string {
	u := unitNames[d.Unit]
	if d.Vague && d.Value == 0 {
		return "数" + u
	}
	v := d.Value
	var num string
	switch {
	case v == 0.5:
		num = "半"
		if d.Unit == Day {
			u = "天"
		}
	case v == math.Trunc(v):
		num = strconv.Itoa(int(v))
	case v-math.Trunc(v) == 0.5 && v > 1:
		num = strconv.Itoa(int(v))
		u += "半"
		return num + u + moreSuffix(d.More)
	default:
		num = strconv.FormatFloat(v, 'f', 1, 64)
	}
	return num + u + moreSuffix(d.More)
}

// ClinicalDays writes a length given in days the way a record does, in
// the largest unit that fits: 3天, 2周, 1月余, 5年, 6小时; more, or a
// length between two whole units, adds 余.
func ClinicalDays(days float64, more bool) string {
	n, unit := days, Day
	switch {
	case days >= 365:
		n, unit = days/365, Year
	case days >= 30:
		n, unit = days/30, Month
	case days >= 7 && math.Mod(days, 7) == 0:
		n, unit = days/7, Week
	case days < 1:
		n, unit = days*24, Hour
	}
	if n != math.Trunc(n) {
		if n < 1 {
			return strconv.FormatFloat(math.Round(n*10)/10, 'g', -1, 64) + unitNames[unit]
		}
		n, more = math.Floor(n), true
	}
	return strconv.FormatFloat(n, 'g', -1, 64) + unitNames[unit] + moreSuffix(more)
}

func moreSuffix(more bool) string {
	if more {
		return "余"
	}
	return ""
}

const numClass = `[0-9]+(?:\.[0-9]+)?|[零〇一二两俩三四五六七八九十百千]+(?:点[零一二三四五六七八九]+)?`

var durationRe = regexp.MustCompile(`(` + numClass + `|半|几|好几)(几)?(个)?(多|余|来)?(分钟|小时|钟头|天|日|周|星期|礼拜|个月|月|年)(半)?(多|余)?(前|以前|之前)?`)

// relativeDays are words naming a day or period in the past.
var relativeDays = []struct {
	word string
	d    Duration
}{
	{"大前天", Duration{Value: 3, Unit: Day, Ago: true}},
	{"前天", Duration{Value: 2, Unit: Day, Ago: true}},
	{"昨天", Duration{Value: 1, Unit: Day, Ago: true}},
	{"昨晚", Duration{Value: 1, Unit: Day, Ago: true}},
	{"昨日", Duration{Value: 1, Unit: Day, Ago: true}},
	{"今天", Duration{Value: 0, Unit: Day, Ago: true}},
	{"今早", Duration{Value: 0, Unit: Day, Ago: true}},
	{"今晨", Duration{Value: 0, Unit: Day, Ago: true}},
	{"上周", Duration{Value: 1, Unit: Week, Ago: true}},
	{"上个月", Duration{Value: 1, Unit: Month, Ago: true}},
	{"去年", Duration{Value: 1, Unit: Year, Ago: true}},
}

// FindDurations returns the durations and past time points in normalised
// text, in order. "每天" and "一天三次" style frequencies are not durations.
func FindDurations(text string) []Duration {
	var out []Duration
	for _, m := range durationRe.FindAllStringSubmatchIndex(text, -1) {
		if m[0] > 0 && strings.HasSuffix(text[:m[0]], "每") {
			continue
		}
		sub := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return text[m[2*i]:m[2*i+1]]
		}
		d := Duration{Text: text[m[0]:m[1]], Start: m[0], End: m[1]}
		switch num := sub(1); num {
		case "几", "好几":
			d.Vague = true
		default:
			v, ok := ParseNumber(num)
			if !ok {
				continue
			}
			d.Value = v
		}
		if sub(2) != "" { // 十几天
			d.More = true
		}
		if sub(4) != "" || sub(7) != "" {
			d.More = true
		}
		switch sub(5) {
		case "分钟":
			d.Unit = Minute
		case "小时", "钟头":
			d.Unit = Hour
		case "天", "日":
			d.Unit = Day
		case "周", "星期", "礼拜":
			d.Unit = Week
		case "个月", "月":
			d.Unit = Month
		case "年":
			d.Unit = Year
		}
		// 三月 is March, 五日 a date: without 个 only 天/周/年/小时 count.
		if (sub(5) == "月" || sub(5) == "日") && sub(3) == "" && !d.Vague && d.Value != 0.5 {
			continue
		}
		if sub(6) != "" {
			d.Value += 0.5
		}
		d.Ago = sub(8) != ""
		out = append(out, d)
	}
	for _, r := range relativeDays {
		for off := 0; ; {
			i := strings.Index(text[off:], r.word)
			if i < 0 {
				break
			}
			s := off + i
			off = s + len(r.word)
			if overlaps(out, s, off) {
				continue
			}
			d := r.d
			d.Text, d.Start, d.End = r.word, s, off
			out = append(out, d)
		}
	}
	sortDurations(out)
	return out
}

func overlaps(ds []Duration, s, e int) bool {
	for _, d := range ds {
		if s < d.End && d.Start < e {
			return true
		}
	}
	return false
}

func sortDurations(ds []Duration) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].Start < ds[j-1].Start; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}

var tempRe = regexp.MustCompile(`(` + numClass + `)(多)?\s*(?:度|°c|°|℃)(半|[0-9]|[一二三四五六七八九])?(多)?`)

// tempBareRe finds a temperature written without a unit after a word that
// announces one: 体温37.8, 烧到39.5, 腋温三十八点二.
var tempBareRe = regexp.MustCompile(`(?:体温|腋温|肛温|口温|耳温|额温|量了|测了|烧到|烧了|发烧|发热|高烧|低烧|一量|一测)(?:最高|一直|还是|又)?(?:是|有|达到|达|到了|到|都|在|一下|下)?\s?([34][0-9](?:[.点][0-9])?|[三四]十[一二三四五六七八九]?(?:点[零一二三四五六七八九])?)`)

// Temperature is a body temperature found in text.
type Temperature struct {
	Text    string
	Celsius float64
	More    bool // 39度多
	Start   int
	End     int
}

// tempNotBody are words before a degree figure (in the same clause) that
// make it something other than a body temperature: weather, water, angles.
var tempNotBody = []string{"天气", "气温", "室温", "外面", "外边", "户外", "空调", "水温", "热水", "洗澡", "泡澡", "角度", "弯", "抬", "屈", "倾斜"}

// tempNotBodyAfter are words right after a degree figure that do the same:
// 45度角, 30度的天气, 42度的白酒.
var tempNotBodyAfter = []string{"角", "的天", "的高温", "高温", "的水", "的热水", "的酒", "白酒", "的白酒", "酒", "左右的天气"}

// tempFracStop are characters that, after 38度三 or 39度一, show the
// digit starts a new phrase (39度三天, 39度一直) instead of a tenth.
const tempFracStop = "天日周星礼月年小个分次遍回下直阵会般些样点多岁斤号"

// FindTemperatures returns body temperatures (34–43 °C) in normalised text:
// 38度5, 三十九度, 38.5℃, 39度多, 37度半, 三十八度七, and, after a word
// that announces a temperature, bare figures: 体温37.8, 烧到39.5. Degree
// figures about the weather, water, drinks or angles are left out (30度的天气,
// 40度的热水, 45度角).
func FindTemperatures(text string) []Temperature {
	var out []Temperature
	clauses := clClauses(text)
	for _, m := range clFindAll(tempRe, text, clauses, "度°℃") {
		v, ok := ParseNumber(text[m[2]:m[3]])
		if !ok {
			continue
		}
		end := m[1]
		more := m[4] >= 0 || m[8] >= 0 // 40多度, 39度多
		if m[6] >= 0 && m[4] < 0 {
			frac := text[m[6]:m[7]]
			rest := text[m[7]:]
			if m[8] >= 0 {
				rest = text[m[9]:]
			}
			r, _ := utf8.DecodeRuneInString(rest)
			switch {
			case frac == "半":
				v += 0.5
			case r >= '0' && r <= '9' || strings.ContainsRune(tempFracStop, r) && !more:
				// 38度52 or 39度三天: the digit is not a tenth.
				end = m[6]
				more = false
			default:
				d, ok := ParseNumber(frac)
				if ok && v == math.Trunc(v) {
					v += d / 10
				}
			}
		}
		if v < 34 || v > 43 || notBodyTemperature(text, m[0], end) {
			continue
		}
		out = append(out, Temperature{Text: text[m[0]:end], Celsius: v, More: more, Start: m[0], End: end})
	}
	for _, m := range clFindAll(tempBareRe, text, clauses, "温烧热量测") {
		s, e := m[2], m[3]
		more := false
		if strings.HasPrefix(text[e:], "多") { // 烧到40多
			e += len("多")
			more = true
		}
		r, _ := utf8.DecodeRuneInString(text[e:])
		if r >= '0' && r <= '9' || r == '.' || r == '度' || r == '°' || r == '℃' || r == '点' ||
			strings.ContainsRune(tempFracStop, r) || strings.ContainsRune("零一二三四五六七八九十", r) {
			continue // a longer number, a unit of its own, or tempRe's
		}
		num := text[m[2]:m[3]]
		v, ok := ParseNumber(num)
		if !ok && num[0] >= '0' && num[0] <= '9' { // 38点5
			v, ok = ParseNumber(strings.Replace(num, "点", ".", 1))
		}
		if !ok || v < 34 || v > 43 || notBodyTemperature(text, s, e) {
			continue
		}
		out = append(out, Temperature{Text: text[s:e], Celsius: v, More: more, Start: s, End: e})
	}
	if len(out) > 1 {
		sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	}
	return out
}

// notBodyTemperature reports whether the degree figure at text[s:e] is about
// the weather, water, a drink or an angle.
func notBodyTemperature(text string, s, e int) bool {
	after := text[e:]
	for _, w := range tempNotBodyAfter {
		if strings.HasPrefix(after, w) {
			return true
		}
	}
	// The clause before the figure, at most eight runes.
	before := text[:s]
	n := 0
	i := len(before)
	for i > 0 && n < 8 {
		r, size := utf8.DecodeLastRuneInString(before[:i])
		if strings.ContainsRune(",.;!?\n", r) {
			break
		}
		i -= size
		n++
	}
	before = before[i:]
	for _, w := range tempNotBody {
		if strings.Contains(before, w) {
			return true
		}
	}
	return false
}
