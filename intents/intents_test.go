package intents_test

import (
	"testing"

	"github.com/daoyi-health/daoyi/intents"
)

func TestRoute(t *testing.T) {
	r, err := intents.DefaultRouter()
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"你好":          intents.Greeting,
		"您好！！":        intents.Greeting,
		"在吗？":         intents.Greeting,
		"ＨＥＬＬＯ":       intents.Greeting,
		"谢谢啦~":        intents.Thanks,
		"好的，谢谢！":      intents.Thanks,
		"拜拜":          intents.Goodbye,
		"转人工":         intents.Handoff,
		"你好，抽血要空腹吗":   intents.FAQ,
		"谢谢你们的医生治好了我": intents.FAQ,
		"医保卡丢了":       intents.FAQ,
	}
	for text, want := range tests {
		if got := r.Route(text).Intent; got != want {
			t.Errorf("Route(%q) = %s, want %s", text, got, want)
		}
	}
}
