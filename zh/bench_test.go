package zh

import (
	"runtime"
	"testing"
)

// BenchmarkLoadDictionary compares loading gse's whole simplified
// dictionary with the trimmed one daoyi uses (docs/performance.md).
func BenchmarkLoadDictionary(b *testing.B) {
	for _, tc := range []struct {
		name string
		min  float64
	}{{"Full", 0}, {"Trimmed", MinWordFreq}} {
		b.Run(tc.name, func(b *testing.B) {
			var ms runtime.MemStats
			for i := 0; i < b.N; i++ {
				s := NewSegmenter(SegmenterOptions{MinFreq: tc.min})
				runtime.GC()
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
				runtime.KeepAlive(s)
			}
		})
	}
}

func BenchmarkCut(b *testing.B) {
	seg, _, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	text := Normalize("医生你好，我家孩子三岁，昨天晚上开始发烧到38度5，今天早上拉肚子两次，还能去幼儿园吗？")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		seg.Cut(text)
	}
}
