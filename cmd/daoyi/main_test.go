package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		out     string
	}{
		{"Version", []string{"version"}, false, "daoyi "},
		{"Help", []string{"help"}, false, "daoyi serve"},
		{"ErrNoCommand", nil, true, ""},
		{"ErrUnknownCommand", []string{"fly"}, true, ""},
		{"ErrUnknownEvalSuite", []string{"eval", "nothing"}, true, ""},
		{"ErrEvalMatchWithoutData", []string{"eval", "match", "--format", "chip-sts"}, true, ""},
		{"ErrBadFlag", []string{"serve", "--no-such-flag"}, true, ""},
		{"ErrBadLogLevel", []string{"serve", "--log-level", "loud", "--data", ""}, true, ""},
		{"ErrBadSplit", []string{"eval", "faq", "--split", "train"}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(ctx, tt.args, strings.NewReader(""), &out, &errb)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Fatalf("output %q lacks %q", out.String(), tt.out)
			}
		})
	}
	t.Run("NoArgsPrintsUsage", func(t *testing.T) {
		var out, errb bytes.Buffer
		err := run(ctx, nil, strings.NewReader(""), &out, &errb)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errb.String(), "Usage") {
			t.Fatalf("err %v, stderr %q", err, errb.String())
		}
	})
}

func TestListenAddr(t *testing.T) {
	for line, want := range map[string]string{
		"listening on 127.0.0.1:4567":                                            "127.0.0.1:4567",
		`time=2026 level=INFO msg="daoyi ready" addr=127.0.0.1:8080 data=./data`: "127.0.0.1:8080",
		"level=INFO msg=turn":                                                    "",
	} {
		if got := listenAddr(line); got != want {
			t.Errorf("listenAddr(%q) = %q, want %q", line, got, want)
		}
	}
}
