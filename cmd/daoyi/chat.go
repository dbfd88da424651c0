package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/daoyi-health/daoyi/app"
	"github.com/daoyi-health/daoyi/bot"
)

// chat is a terminal conversation with the same engine as serve.
func chat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := app.DefaultConfig()
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := commonFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *level == "info" {
		*level = "warn" // keep the conversation readable
	}
	log, err := newLogger(stderr, *level)
	if err != nil {
		return err
	}
	cfg.Logger = log
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()

	fmt.Fprintln(stdout, a.Texts.Say("welcome", 0))
	msg := bot.Message{SessionID: bot.NewSessionID(), Channel: "cli"}
	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 64<<10), 64<<10)
	for {
		fmt.Fprint(stdout, "\n> ")
		if !in.Scan() {
			fmt.Fprintln(stdout)
			return in.Err()
		}
		text := strings.TrimSpace(in.Text())
		if text == "" {
			continue
		}
		m := msg
		m.Text = text
		r, err := a.Engine.Handle(ctx, &m, nil)
		if err != nil {
			return err
		}
		printReply(stdout, r)
	}
}

func printReply(w io.Writer, r *bot.Reply) {
	fmt.Fprintln(w, r.Text)
	for _, c := range r.Cards {
		for i, it := range c.Items {
			fmt.Fprintf(w, "  %d. %s\n", i+1, it.Title)
		}
	}
	for _, c := range r.Citations {
		fmt.Fprintf(w, "  [%s · %s]\n", c.Title, c.ID)
	}
	if len(r.QuickReplies) > 0 {
		var qs []string
		for _, q := range r.QuickReplies {
			qs = append(qs, q.Title)
		}
		fmt.Fprintf(w, "  → %s\n", strings.Join(qs, " | "))
	}
}
