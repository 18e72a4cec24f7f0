package scenario_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/hashing/scenario"
)

func TestRunHashesEveryBlobTheSameBothWays(t *testing.T) {
	var out bytes.Buffer
	res, err := scenario.Run(t.Context(), &out, scenario.Config{Blobs: 24, BlobSize: 16 << 10})
	require.NoError(t, err, "output:\n%s", out.String())
	require.True(t, res.Match, "parallel digests equal the sequential ones")
	require.Len(t, res.Digests, 24, "one digest per blob")
	require.Equal(t, int64(24*16<<10), res.Bytes, "bytes hashed")
	require.Contains(t, out.String(), "MB/s", "throughput reported")
}

func TestRunHashesTheFilesUnderADirectoryInOrder(t *testing.T) {
	dir := t.TempDir()
	var want [][sha256.Size]byte
	for i := range 5 {
		content := bytes.Repeat([]byte{byte(i)}, 1000*(i+1))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(i)), content, 0o600))
		want = append(want, sha256.Sum256(content))
	}
	res, err := scenario.Run(t.Context(), new(bytes.Buffer), scenario.Config{Dir: dir})
	require.NoError(t, err)
	require.Equal(t, want, res.Digests, "digests of f0..f4, in walk order")
}

func TestRunStopsWhenCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := scenario.Run(ctx, new(bytes.Buffer), scenario.Config{Blobs: 4, BlobSize: 10})
	require.ErrorIs(t, err, context.Canceled)
}
