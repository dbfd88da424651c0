package app_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/daoyi-health/daoyi/auth"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/record"
)

// EnvRequireBrowser makes a missing Chromium a failure instead of a skip
// (CI sets it, as it sets the database's).
const EnvRequireBrowser = "DAOYI_TEST_REQUIRE_BROWSER"

// chromium finds a headless-capable Chromium, or skips (fails in CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(EnvRequireBrowser) != "" {
		t.Fatalf("%s is set but no Chromium is installed", EnvRequireBrowser)
	}
	t.Skip("no Chromium: install Debian's chromium to run the browser tests")
	return ""
}

// TestWidgetOpensStartLinkInBrowser loads the demo page in headless
// Chromium with a signed start link in its address, at a phone's and a
// desktop's width: the widget must send the link, show the interview's
// first question with its progress bar, and the record for the visit must
// exist. The rendered pages are kept as screenshots in the directory
// DAOYI_TEST_ARTIFACTS names, when set.
func TestWidgetOpensStartLinkInBrowser(t *testing.T) {
	bin := chromium(t)
	a := sharedApp(t)
	ts := httptest.NewServer(a.Server.Handler())
	defer ts.Close()
	q, err := corpus.LoadQuestionnaire()
	if err != nil {
		t.Fatal(err)
	}
	var first string
	for _, x := range q.Questions {
		if x.ID == "basics" {
			first = x.Ask
		}
	}
	for _, width := range []int{360, 1280} {
		visit := fmt.Sprintf("V-browser-%d-%d", width, time.Now().UnixNano())
		link := auth.Sign(auth.Link{PatientID: "P-browser", VisitID: visit, Expires: time.Now().Add(time.Hour)}, []byte(testLinkSecret))
		url := ts.URL + "/#start=" + link
		args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
			"--user-data-dir=" + t.TempDir(), fmt.Sprintf("--window-size=%d,800", width), "--virtual-time-budget=10000"}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		dom, err := exec.CommandContext(ctx, bin, append(args, "--dump-dom", url)...).Output()
		cancel()
		if err != nil {
			t.Fatalf("chromium at %d px: %v", width, err)
		}
		page := string(dom)
		if !strings.Contains(page, first[:24]) || !strings.Contains(page, `role="progressbar"`) {
			t.Fatalf("at %d px the widget shows no interview: %.2000s", width, page)
		}
		if strings.Contains(page, "#start=") {
			t.Errorf("at %d px the start link stayed in the page", width)
		}
		rs, err := a.DB.ListRecords(context.Background(), record.Filter{VisitID: visit})
		if err != nil || len(rs) != 1 || rs[0].PatientID != "P-browser" || rs[0].State != record.Draft {
			t.Fatalf("at %d px the visit's record: %+v %v", width, rs, err)
		}
		if dir := os.Getenv("DAOYI_TEST_ARTIFACTS"); dir != "" {
			shot := filepath.Join(dir, fmt.Sprintf("widget-start-link-%d.png", width))
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			link := auth.Sign(auth.Link{PatientID: "P-browser", VisitID: visit + "-shot", Expires: time.Now().Add(time.Hour)}, []byte(testLinkSecret))
			out, err := exec.CommandContext(ctx, bin, append(args, "--screenshot="+shot, ts.URL+"/#start="+link)...).CombinedOutput()
			cancel()
			if err != nil {
				t.Errorf("screenshot at %d px: %v %s", width, err, out)
			}
		}
	}
}

// browserState is what the test reads of the widget after each turn.
type browserState struct {
	Pending  bool     `json:"pending"`
	Text     string   `json:"text"`
	Progress string   `json:"progress"`
	Chips    []string `json:"chips"`
}

const readWidget = `(() => {
  const bots = [...document.querySelectorAll('.daoyi-log .daoyi-bot')];
  const last = bots[bots.length - 1];
  const p = last && last.querySelector('.daoyi-progress-label');
  return {pending: !!document.querySelector('.daoyi-pending'), text: last ? last.innerText : '',
          progress: p ? p.innerText : '', chips: [...document.querySelectorAll('.daoyi-chip')].map(c => c.innerText)};
})()`

// TestWidgetPreconsultInBrowser goes through a whole pre-consultation in
// headless Chromium at a phone's width, as a patient would: typing the
// answers that need words, tapping the quick replies that fit, reading
// the progress bar, and confirming the summary. The visit's record must
// end submitted with the complaint said.
func TestWidgetPreconsultInBrowser(t *testing.T) {
	bin := chromium(t)
	a := sharedApp(t)
	ts := httptest.NewServer(a.Server.Handler())
	defer ts.Close()
	visit := fmt.Sprintf("V-browser-flow-%d", time.Now().UnixNano())
	link := auth.Sign(auth.Link{PatientID: "P-browser", VisitID: visit, Expires: time.Now().Add(time.Hour)}, []byte(testLinkSecret))

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(360, 800))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTime()

	read := func() browserState {
		t.Helper()
		var st browserState
		for i := 0; i < 100; i++ {
			var err error
			if st, err = chromedp.Run(ctx, chromedp.Evaluate[browserState](readWidget)); err != nil {
				t.Fatal(err)
			}
			if !st.Pending && st.Text != "" {
				return st
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("the widget is still waiting: %+v", st)
		return st
	}
	typeText := func(s string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.SendKeys(".daoyi-input", s), chromedp.Click(".daoyi-send")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond)
	}
	tap := func(label string) {
		t.Helper()
		js := fmt.Sprintf(`[...document.querySelectorAll('.daoyi-chip')].find(c => c.innerText === %q).click()`, label)
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](js)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond)
	}

	// A phone's viewport, emulated: a desktop Chromium's window is never
	// narrower than 500 px.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800, chromedp.EmulateMobile), chromedp.Navigate(ts.URL+"/#start="+link)); err != nil {
		t.Fatal(err)
	}
	prefer := []string{"没有明显诱因", "都没有", "没有", "没有过敏", "还没有看过", "没用过药", "不抽", "不喝", "按时接种了", "不确定"}
	steps, lastProgress := 0, ""
	for ; steps < 40; steps++ {
		st := read()
		if slices.Contains(st.Chips, "确认提交") {
			if !strings.Contains(st.Text, "咳嗽") {
				t.Fatalf("the summary lacks the complaint: %q", st.Text)
			}
			tap("确认提交")
			break
		}
		if st.Progress == "" || st.Progress == lastProgress && steps > 0 && strings.Contains(st.Text, "没太明白") {
			t.Fatalf("step %d: no question to answer: %+v", steps, st)
		}
		lastProgress = st.Progress
		switch {
		case strings.Contains(st.Text, "性别和年龄"):
			typeText("我本人，男，40岁")
		case strings.Contains(st.Text, "哪里不舒服"):
			typeText("咳嗽三天了，有点黄痰")
		default:
			picked := ""
			for _, p := range prefer {
				if slices.Contains(st.Chips, p) {
					picked = p
					break
				}
			}
			switch {
			case picked != "":
				tap(picked)
			case len(st.Chips) > 0:
				tap(st.Chips[0])
			default:
				typeText("没有")
			}
		}
	}
	final := read()
	if !strings.Contains(final.Text, "已经提交") {
		t.Fatalf("after %d steps, not submitted: %+v", steps, final)
	}
	rs, err := a.DB.ListRecords(context.Background(), record.Filter{VisitID: visit})
	if err != nil || len(rs) != 1 || rs[0].State != record.Submitted || rs[0].Sections.Chief != "咳嗽3天" {
		t.Fatalf("the visit's record: %+v %v", rs, err)
	}
	if dir := os.Getenv("DAOYI_TEST_ARTIFACTS"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "widget-preconsult-submitted-360.png"), png, 0o644)
		}
	}
	t.Logf("submitted in %d steps", steps)
}
