package safety

import (
	"strings"
	"testing"
)

// messages is a typical mix: most messages hold no red flag, a few do.
var benchMessages = []string{
	"请问挂号可以在网上挂吗，周末有没有专家门诊",
	"我妈最近血压有点高，早上起来头晕，吃什么药好",
	"孩子发烧38度5，两岁，精神还可以，需要去医院吗",
	"做胃镜前一天晚上几点以后不能吃东西",
	"我爸胸口疼出冷汗，是心梗吗",
	"医保异地就医怎么备案，需要带什么材料",
	"宝宝才两个月，今天摸着有点烫，一量38度",
	"以前得过脑梗，现在恢复得挺好，想开点药",
	"医生您好，我想咨询一下，我爸今年68岁，有高血压十几年了，一直在吃药，今天早上起来刷牙的时候突然发现嘴角往右边歪，漱口水都含不住，现在应该挂什么科？",
	"抽血检查报告什么时候能出来，在哪里打印",
}

func BenchmarkCheck(b *testing.B) {
	d, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.Check(benchMessages[i%len(benchMessages)])
	}
}

func BenchmarkCheckLong(b *testing.B) {
	d, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	long := strings.Repeat(benchMessages[8], 20) // about 1,600 characters
	b.ReportAllocs()
	for b.Loop() {
		d.Check(long)
	}
}

func BenchmarkCheckStory(b *testing.B) {
	d, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		d.Check(benchMessages[8])
	}
}
