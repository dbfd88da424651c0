package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/postgres"
	"github.com/daoyi-health/daoyi/postgres/pgtest"
)

// TestReplicaKilledMidWrites runs two `daoyi serve` processes on one
// PostgreSQL database, loads the first with chat turns, and kills it with
// SIGKILL in the middle. Every turn that was answered with 200 must be in
// the database, with its reply, and the second replica must keep serving —
// including the conversations the first one had.
func TestReplicaKilledMidWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts two servers")
	}
	url := pgtest.URL(t)
	bin := filepath.Join(t.TempDir(), "daoyi")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// start runs a replica and waits until it is ready; starting reports
	// whether it was seen alive but not ready on the way (it listens
	// before loading).
	start := func(name string) (cmd *exec.Cmd, base string, starting bool) {
		addr := freeAddr(t)
		cmd = exec.Command(bin, "serve", "--addr", addr, "--log-level", "warn")
		cmd.Env = append(os.Environ(), "DAOYI_DATABASE_URL="+url, "DAOYI_DATA="+filepath.Join(t.TempDir(), name))
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		base = "http://" + addr
		deadline := time.Now().Add(90 * time.Second)
		for {
			if resp, err := http.Get(base + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return cmd, base, starting
				}
				if live, err := http.Get(base + "/healthz"); err == nil {
					live.Body.Close()
					starting = starting || (resp.StatusCode == 503 && live.StatusCode == 200)
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s not ready:\n%s", name, logs.String())
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// The first replica trains the match model on the empty database for
	// seconds: long enough to be seen starting.
	one, url1, starting := start("one")
	if !starting {
		t.Error("replica one was never seen alive and not ready while it loaded (/healthz 200, /readyz 503)")
	}
	_, url2, _ := start("two")

	// 16 patients talk to replica one until it dies.
	type answered struct {
		session string
		turn    int
	}
	var mu sync.Mutex
	var ok []answered
	var wg sync.WaitGroup
	ctx, stop := context.WithCancel(context.Background())
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			session := fmt.Sprintf("killtest-%04d-%s", c, bot.NewSessionID()[:8])
			for turn := 1; ctx.Err() == nil; turn++ {
				if _, status := post(url1, session, fmt.Sprintf("第%d个问题：抽血要空腹吗", turn)); status != 200 {
					return // the replica died under this request: nothing is promised
				}
				mu.Lock()
				ok = append(ok, answered{session, turn})
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := one.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	stop()
	if len(ok) < 16 {
		t.Fatalf("only %d turns answered before the kill; the test needs load", len(ok))
	}

	db, err := postgres.Open(context.Background(), url, postgres.Options{NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	last := map[string]int{}
	for _, a := range ok {
		last[a.session] = max(last[a.session], a.turn)
	}
	for session, turns := range last {
		s, err := db.LoadSession(context.Background(), session)
		if err != nil {
			t.Fatalf("%s: %v", session, err)
		}
		if s.Turns() < turns || len(s.Events) < 2*turns {
			t.Fatalf("%s: %d turns answered with 200, %d stored with %d events", session, turns, s.Turns(), len(s.Events))
		}
	}
	t.Logf("%d turns answered before SIGKILL, all stored", len(ok))

	// The survivor serves, and carries on a conversation the dead replica had.
	for session, turns := range last {
		r, status := post(url2, session, "谢谢")
		if status != 200 || r.SessionID != session {
			t.Fatalf("replica two: status %d, %+v", status, r)
		}
		s, _ := db.LoadSession(context.Background(), session)
		if s.Turns() < turns+1 {
			t.Fatalf("replica two's turn on %s is not stored", session)
		}
		break
	}
}

type chatReply struct {
	SessionID string `json:"session_id"`
}

func post(base, session, text string) (chatReply, int) {
	body, _ := json.Marshal(map[string]string{"session_id": session, "text": text})
	resp, err := http.Post(base+"/v1/chat", "application/json", bytes.NewReader(body))
	if err != nil {
		return chatReply{}, 0
	}
	defer resp.Body.Close()
	var r chatReply
	_ = json.NewDecoder(resp.Body).Decode(&r)
	return r, resp.StatusCode
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
