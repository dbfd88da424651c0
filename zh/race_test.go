package zh

import (
	"reflect"
	"sync"
	"testing"
)

// TestSegmenterConcurrent checks that concurrent cuts agree with serial ones
// (run with -race to check for data races too).
func TestSegmenterConcurrent(t *testing.T) {
	s := NewSegmenter(SegmenterOptions{MinFreq: 1000, UserWords: []string{"幽门螺杆菌"}})
	texts := []string{"我拉肚子三天了挂什么科", "幽门螺杆菌阳性要治疗吗", "做胃镜前一天晚上能吃饭吗", "医保卡丢了怎么挂号"}
	want := make([][]string, len(texts))
	for i, tx := range texts {
		want[i] = s.CutSearch(tx)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 200; n++ {
				i := n % len(texts)
				if got := s.CutSearch(texts[i]); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("concurrent CutSearch(%q) = %v, want %v", texts[i], got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}
