package tandem_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeSnippetsCompile builds every Go snippet of README.md against
// the packages of this checkout. A snippet is a ```go block and must be a
// whole file (from "package main" on), so that a reader can copy it as it
// is. The files go into the module through a build overlay: nothing is
// written into the source tree.
func TestReadmeSnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every README snippet with the go command")
	}
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	snippets := goBlocks(string(readme))
	require.NotEmpty(t, snippets, "README.md has no ```go block")

	root, err := os.Getwd()
	require.NoError(t, err)
	tmp := t.TempDir()
	// A snippet builds in the module that has what it imports: the core's,
	// or redisrate's, a module of its own with go-redis.
	type build struct {
		overlay map[string]string
		pkgs    []string
	}
	builds := map[string]*build{}
	for i, s := range snippets {
		require.Truef(t, strings.HasPrefix(s.code, "package "),
			"README.md line %d: a ```go block must be a whole file, starting with \"package\"", s.line)
		if formatted, err := format.Source([]byte(s.code)); err == nil && string(formatted) != s.code {
			t.Errorf("README.md line %d: the block is not gofmt'ed; gofmt would write:\n%s", s.line, formatted)
		}
		mod := root
		if strings.Contains(s.code, `"github.com/tandem-go/tandem/ratelimit/redisrate"`) {
			mod = filepath.Join(root, "ratelimit", "redisrate")
		}
		b := builds[mod]
		if b == nil {
			b = &build{overlay: map[string]string{}}
			builds[mod] = b
		}
		file := filepath.Join(tmp, fmt.Sprintf("snippet%d.go", i))
		require.NoError(t, os.WriteFile(file, []byte(s.code), 0o644))
		dir := fmt.Sprintf("readme_snippet_line%d", s.line)
		b.overlay[filepath.Join(mod, dir, "main.go")] = file
		b.pkgs = append(b.pkgs, "./"+dir)
	}
	for mod, b := range builds {
		ov, err := json.Marshal(map[string]any{"Replace": b.overlay})
		require.NoError(t, err)
		ovFile := filepath.Join(tmp, fmt.Sprintf("overlay%d.json", len(b.pkgs)))
		require.NoError(t, os.WriteFile(ovFile, ov, 0o644))
		cmd := exec.Command("go", append([]string{"build", "-overlay", ovFile, "-o", os.DevNull}, b.pkgs...)...)
		cmd.Dir = mod
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Errorf("README.md snippets do not compile in %s (directory readme_snippet_lineN is the block at line N):\n%s", mod, out.String())
		}
	}
}

type snippet struct {
	line int // of the opening fence, 1-based
	code string
}

// goBlocks returns the ```go fenced blocks of a Markdown text.
func goBlocks(md string) []snippet {
	var (
		out  []snippet
		cur  *snippet
		body strings.Builder
	)
	for i, l := range strings.Split(md, "\n") {
		switch {
		case cur == nil && strings.TrimSpace(l) == "```go":
			cur = &snippet{line: i + 1}
			body.Reset()
		case cur != nil && strings.TrimSpace(l) == "```":
			cur.code = body.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(l)
			body.WriteByte('\n')
		}
	}
	return out
}
