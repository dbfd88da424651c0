package triage

import (
	"regexp"

	"github.com/daoyi-health/daoyi/zh"
)

const num = `(\d{1,3}(?:\.\d)?|[零一二两三四五六七八九十]{1,4}|半)`

var (
	// 3岁, 三岁半, 45周岁, 70多岁
	yearsRe = regexp.MustCompile(num + `\s*(?:多)?(?:周)?岁(半)?`)
	// 8个月大, 十个月的宝宝, 出生两个月, 3个月婴儿: months of age, not of illness
	monthsRe = regexp.MustCompile(`(?:^|[^第])` + num + `\s*个?(?:多)?月(?:大|的宝宝|的孩子|的婴儿|宝宝|婴儿|的小孩)`)
	bornRe   = regexp.MustCompile(`出生` + num + `\s*(?:个)?(?:多)?(天|个月|月|周)`)
	// 20天大, 10天的宝宝
	daysRe = regexp.MustCompile(`(?:^|[^第])` + num + `\s*天(?:大|的宝宝|的孩子|的婴儿)`)
)

// findAge returns the patient's age in years from the text, or 0. When a
// child is mentioned, a child's age is preferred to an adult's (我30岁，
// 孩子3岁 is about the child).
func findAge(text string, childAge int, childSaid bool) float64 {
	var ages []float64
	add := func(v float64) {
		if v > 0 && v < 120 {
			ages = append(ages, v)
		}
	}
	for _, m := range yearsRe.FindAllStringSubmatch(text, -1) {
		if v, ok := zh.ParseNumber(m[1]); ok {
			if m[2] != "" {
				v += 0.5
			}
			add(v)
		}
	}
	for _, m := range monthsRe.FindAllStringSubmatch(text, -1) {
		if v, ok := zh.ParseNumber(m[1]); ok {
			add(v / 12)
		}
	}
	for _, m := range bornRe.FindAllStringSubmatch(text, -1) {
		if v, ok := zh.ParseNumber(m[1]); ok {
			switch m[2] {
			case "天":
				add(v / 365)
			case "周":
				add(v * 7 / 365)
			default:
				add(v / 12)
			}
		}
	}
	for _, m := range daysRe.FindAllStringSubmatch(text, -1) {
		if v, ok := zh.ParseNumber(m[1]); ok {
			add(v / 365)
		}
	}
	if len(ages) == 0 {
		return 0
	}
	if childSaid {
		for _, a := range ages {
			if a < float64(childAge) {
				return a
			}
		}
	}
	return ages[0]
}
