package scenario_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tandem-go/tandem/examples/image-filter/scenario"
)

func TestRunGivesTheSamePixelsBothWaysAndWritesThePNG(t *testing.T) {
	for _, f := range []scenario.Filter{scenario.Blur, scenario.Edges} {
		out := filepath.Join(t.TempDir(), "out.png")
		var log bytes.Buffer
		res, err := scenario.Run(t.Context(), &log, scenario.Config{Width: 120, Height: 90, Filter: f, Out: out})
		require.NoError(t, err, "%s, output:\n%s", f, log.String())
		require.True(t, res.Identical, "%s: parallel pixels equal the sequential ones", f)
		require.Positive(t, res.Speedup(), "%s: speedup reported", f)

		file, err := os.Open(out)
		require.NoError(t, err)
		img, err := png.Decode(file)
		require.NoError(t, file.Close())
		require.NoError(t, err, "%s: the output is a PNG", f)
		require.Equal(t, 120, img.Bounds().Dx(), "%s: output width", f)
		require.Equal(t, 90, img.Bounds().Dy(), "%s: output height", f)
	}
}

func TestRunFiltersAGivenPNG(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.png"), filepath.Join(dir, "out.png")
	_, err := scenario.Run(t.Context(), new(bytes.Buffer), scenario.Config{Width: 40, Height: 30, Filter: scenario.Blur, Out: in})
	require.NoError(t, err)
	res, err := scenario.Run(t.Context(), new(bytes.Buffer), scenario.Config{In: in, Filter: scenario.Edges, Out: out})
	require.NoError(t, err)
	require.Equal(t, 40, res.Width, "width of the given picture")
	require.Equal(t, 30, res.Height, "height of the given picture")
}

func TestRunRejectsAnUnknownFilter(t *testing.T) {
	_, err := scenario.Run(t.Context(), new(bytes.Buffer), scenario.Config{Width: 4, Height: 4, Filter: "sepia"})
	require.ErrorContains(t, err, `unknown filter "sepia"`)
}
