// Package eval measures the assistant on data: its own test sets (embedded
// from testdata/) and public datasets given by path. Every suite returns a
// report whose Metrics map is what `daoyi eval … --json` prints. Nothing
// imports eval; it imports only domain packages and receives the running
// parts from the caller.
package eval

import (
	"bufio"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

//go:embed testdata
var testdata embed.FS

// readJSONL decodes one JSON value per non-blank line; a line starting with
// "//" is a comment.
func readJSONL[T any](r io.Reader, name string) ([]T, error) {
	var out []T
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if s == "" || strings.HasPrefix(s, "//") {
			continue
		}
		var v T
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		out = append(out, v)
	}
	return out, sc.Err()
}

// readSet reads a JSONL set from path, or the built-in testdata file
// builtin when path is "". name is what errors call it.
func readSet[T any](path, builtin string) (rows []T, name string, err error) {
	var r io.ReadCloser
	if path == "" {
		name = builtin
		r, err = testdata.Open(builtin)
	} else {
		name = path
		r, err = os.Open(path)
	}
	if err != nil {
		return nil, name, err
	}
	defer r.Close()
	rows, err = readJSONL[T](r, name)
	return rows, name, err
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return round4(float64(a) / float64(b))
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }
