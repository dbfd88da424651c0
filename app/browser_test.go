package app_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
