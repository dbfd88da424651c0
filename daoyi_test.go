package daoyi_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/daoyi-health/daoyi"
)

func TestKindOf(t *testing.T) {
	base := errors.New("disk full")
	t.Run("Direct", func(t *testing.T) {
		err := daoyi.E(daoyi.Op("store.Put"), daoyi.Conflict, "already exists", base)
		if got := daoyi.KindOf(err); got != daoyi.Conflict {
			t.Fatalf("KindOf = %v, want conflict", got)
		}
		if !errors.Is(err, base) {
			t.Fatal("errors.Is lost the cause")
		}
		if got := err.Error(); got != "store.Put: already exists: disk full" {
			t.Fatalf("Error() = %q", got)
		}
	})
	t.Run("ThroughWrapping", func(t *testing.T) {
		inner := daoyi.E(daoyi.NotFound, "no such session")
		outer := daoyi.E(daoyi.Op("engine.Handle"), fmt.Errorf("load: %w", inner))
		if got := daoyi.KindOf(outer); got != daoyi.NotFound {
			t.Fatalf("KindOf = %v, want not_found", got)
		}
		if got := daoyi.Message(outer); got != "no such session" {
			t.Fatalf("Message = %q", got)
		}
	})
	t.Run("PlainErrorIsOther", func(t *testing.T) {
		if got := daoyi.KindOf(base); got != daoyi.Other {
			t.Fatalf("KindOf = %v, want internal", got)
		}
		if daoyi.Message(base) != "" {
			t.Fatal("plain errors carry no user message")
		}
	})
}
