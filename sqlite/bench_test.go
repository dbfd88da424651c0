package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/daoyi-health/daoyi/storetest"
)

// BenchmarkAppendEvents: see storetest.BenchmarkAppends.
func BenchmarkAppendEvents(b *testing.B) {
	storetest.BenchmarkAppends(b, open(b, filepath.Join(b.TempDir(), "bench.db")))
}
