// Command image-filter applies a blur or an edge detector to a picture, one
// row range per chunk of tandem's parallel.For, and writes the result as a
// PNG. It runs the same filter in one loop first and prints the speedup.
//
//	go run ./examples/image-filter                        # blur a generated picture; prints where it wrote it
//	go run ./examples/image-filter -filter edges -in photo.png -out edges.png
//
// What to look for: the speedup against the number of cores, and "same
// pixels: true": each output row reads only the input, so any split of the
// rows gives the same picture, and the rows need no lock. Open the output
// file to see the filter's work.
package main

import (
	"context"
	"flag"
	"os"

	"github.com/tandem-go/tandem/examples/image-filter/scenario"
	"github.com/tandem-go/tandem/examples/internal/cli"
)

func main() {
	cfg := scenario.DefaultConfig()
	flag.StringVar(&cfg.In, "in", "", "PNG to filter (default: a generated test picture)")
	flag.IntVar(&cfg.Width, "width", cfg.Width, "width of the generated picture")
	flag.IntVar(&cfg.Height, "height", cfg.Height, "height of the generated picture")
	flag.StringVar((*string)(&cfg.Filter), "filter", string(cfg.Filter), "blur or edges")
	flag.StringVar(&cfg.Out, "out", cfg.Out, "where to write the filtered PNG (empty: nowhere)")
	flag.Parse()

	cli.Run("image-filter", func(ctx context.Context) error {
		_, err := scenario.Run(ctx, os.Stdout, cfg)
		return err
	})
}
