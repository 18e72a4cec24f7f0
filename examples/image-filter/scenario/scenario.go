// Package scenario is the image-filter example: a blur or an edge detector
// over a picture, row by row, first in one loop and then with tandem's
// parallel.For over the rows; the output image is written as a PNG and
// checked identical to the sequential one.
package scenario

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/tandem-go/tandem/examples/internal/chart"
	"github.com/tandem-go/tandem/examples/internal/timing"
	"github.com/tandem-go/tandem/parallel"
)

// Lesson is the one line this example teaches.
const Lesson = "computing -> parallelism: every output row depends only on the input, so rows split across cores"

// Config is what to run.
type Config struct {
	// In is a PNG to filter; empty generates a Width x Height test picture.
	In            string
	Width, Height int
	Filter        Filter
	// Out is where the filtered PNG is written; empty writes nothing.
	Out string
	// Runs is how many times each way is timed; the best time counts.
	Runs int
}

// DefaultConfig is the full run: a blur over a generated 2048 x 2048 picture,
// written to tandem-filtered.png in the temporary directory.
func DefaultConfig() Config {
	return Config{Width: 2048, Height: 2048, Filter: Blur, Out: filepath.Join(os.TempDir(), "tandem-filtered.png"), Runs: 3}
}

// QuickConfig is the short run of the tour's quick mode: 800 x 800, no
// file written.
func QuickConfig() Config { return Config{Width: 800, Height: 800, Filter: Blur, Runs: 5} }

// Result is what the run measured.
type Result struct {
	Width, Height        int
	Sequential, Parallel time.Duration
	// Identical reports whether both ways gave the same pixels.
	Identical bool
}

// Speedup is how many times faster the parallel filter was.
func (r Result) Speedup() float64 { return r.Sequential.Seconds() / r.Parallel.Seconds() }

// Run filters the picture both ways, writes the output, prints the figures
// to w and returns them.
func Run(ctx context.Context, w io.Writer, cfg Config) (Result, error) {
	rows, err := cfg.Filter.rows()
	if err != nil {
		return Result{}, err
	}
	src, err := source(cfg)
	if err != nil {
		return Result{}, err
	}
	res := Result{Width: src.Rect.Dx(), Height: src.Rect.Dy()}

	seq, par := image.NewRGBA(src.Rect), image.NewRGBA(src.Rect)
	res.Sequential, res.Parallel, err = timing.Compare(ctx, cfg.Runs,
		func() error {
			rows(seq, src, 0, res.Height)
			return nil
		},
		func() error {
			return parallel.For(ctx, res.Height, func(_ context.Context, lo, hi int) error {
				rows(par, src, lo, hi)
				return nil
			})
		})
	if err != nil {
		return res, err
	}
	res.Identical = bytes.Equal(seq.Pix, par.Pix)

	fmt.Fprintf(w, "  %s over a %d x %d picture (%.1f megapixels)\n", cfg.Filter, res.Width, res.Height,
		float64(res.Width*res.Height)/1e6)
	fmt.Fprintf(w, "  one loop over the rows:   %v (best of %d)\n", res.Sequential.Round(time.Millisecond), max(1, cfg.Runs))
	speedup, _ := timing.Speedup(res.Sequential, res.Parallel, runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Fprintf(w, "  parallel.For over rows:   %v (best of %d) = %s; same pixels: %v\n",
		res.Parallel.Round(time.Millisecond), max(1, cfg.Runs), speedup, res.Identical)
	if cfg.Out != "" {
		if err := writePNG(cfg.Out, par); err != nil {
			return res, err
		}
		fmt.Fprintf(w, "  wrote %s\n", cfg.Out)
	}
	chart.Print(w, "wall time (shorter is better)",
		chart.Bar{Label: "one loop", Value: res.Sequential.Seconds(), Text: res.Sequential.Round(time.Millisecond).String()},
		chart.Bar{Label: "parallel", Value: res.Parallel.Seconds(),
			Text: res.Parallel.Round(time.Millisecond).String() + timing.BarSpeedup(res.Sequential, res.Parallel, runtime.GOMAXPROCS(0), runtime.NumCPU())},
	)
	if !res.Identical {
		return res, fmt.Errorf("the parallel filter's pixels differ from the sequential one's")
	}
	return res, nil
}

// source reads cfg.In or generates the test picture.
func source(cfg Config) (*image.RGBA, error) {
	if cfg.In == "" {
		if cfg.Width < 1 || cfg.Height < 1 {
			return nil, fmt.Errorf("need a picture size >= 1 x 1, got %d x %d", cfg.Width, cfg.Height)
		}
		return Generate(cfg.Width, cfg.Height), nil
	}
	f, err := os.Open(cfg.In)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.In, err)
	}
	return toRGBA(img), nil
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
