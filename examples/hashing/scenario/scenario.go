// Package scenario is the hashing example: SHA-256 over many generated
// blobs (or the files under a directory), in one loop and with tandem's
// parallel.For, with the throughput of each in MB/s.
package scenario

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/tandem-go/tandem/examples/internal/chart"
	"github.com/tandem-go/tandem/examples/internal/timing"
	"github.com/tandem-go/tandem/parallel"
)

// Lesson is the one line this example teaches.
const Lesson = "computing -> parallelism: independent hashes run one per core, throughput scales with cores"

// Config is what to run.
type Config struct {
	// Dir, when set, hashes every regular file under it instead of
	// generated blobs.
	Dir string
	// Blobs and BlobSize size the generated input.
	Blobs, BlobSize int
	// Runs is how many times each way is timed; the best time counts.
	Runs int
}

// DefaultConfig is the full run: 256 blobs of 1 MiB.
func DefaultConfig() Config { return Config{Blobs: 256, BlobSize: 1 << 20, Runs: 3} }

// QuickConfig is the short run of the tour's quick mode: 128 blobs of 1 MiB.
func QuickConfig() Config { return Config{Blobs: 128, BlobSize: 1 << 20, Runs: 5} }

// Result is what the run measured.
type Result struct {
	Items                int
	Bytes                int64
	Sequential, Parallel time.Duration
	// Digests are the parallel run's digests, in input order; Match reports
	// whether they equal the sequential ones.
	Digests [][sha256.Size]byte
	Match   bool
}

// MBps is the throughput of a run that took d.
func (r Result) MBps(d time.Duration) float64 { return float64(r.Bytes) / 1e6 / d.Seconds() }

// Run hashes the input both ways, prints the throughput to w and returns
// what it measured.
func Run(ctx context.Context, w io.Writer, cfg Config) (Result, error) {
	inputs, err := gather(cfg)
	if err != nil {
		return Result{}, err
	}
	res := Result{Items: len(inputs)}
	for _, in := range inputs {
		res.Bytes += in.size
	}

	seq := make([][sha256.Size]byte, len(inputs))
	res.Sequential, res.Parallel, err = timing.Compare(ctx, cfg.Runs,
		func() error {
			for i, in := range inputs {
				var err error
				if seq[i], err = digest(ctx, in); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			var err error
			res.Digests, err = digestAll(ctx, inputs)
			return err
		})
	if err != nil {
		return res, err
	}
	res.Match = slices.Equal(seq, res.Digests)

	fmt.Fprintf(w, "  SHA-256 of %d %s, %.1f MB in all\n", res.Items, inputs[0].kind, float64(res.Bytes)/1e6)
	fmt.Fprintf(w, "  one loop:            %6.0f MB/s  (%v, best of %d)\n", res.MBps(res.Sequential),
		res.Sequential.Round(time.Millisecond), max(1, cfg.Runs))
	speedup, _ := timing.Speedup(res.Sequential, res.Parallel, runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Fprintf(w, "  parallel.For:        %6.0f MB/s  (%v, best of %d) = %s; same digests: %v\n",
		res.MBps(res.Parallel), res.Parallel.Round(time.Millisecond), max(1, cfg.Runs), speedup, res.Match)
	chart.Print(w, "throughput (longer is better)",
		chart.Bar{Label: "one loop", Value: res.MBps(res.Sequential), Text: fmt.Sprintf("%.0f MB/s", res.MBps(res.Sequential))},
		chart.Bar{Label: "parallel", Value: res.MBps(res.Parallel), Text: fmt.Sprintf("%.0f MB/s", res.MBps(res.Parallel))},
	)
	if !res.Match {
		return res, fmt.Errorf("parallel digests differ from the sequential ones")
	}
	return res, nil
}

// digestAll hashes every input in parallel, the digests in input order.
// Reading a file can fail, so it is For over the digests slice, not Map,
// whose function cannot fail: each chunk hashes its range and returns the
// first error, which stops the chunks not yet started. On failure there are
// no digests.
func digestAll(ctx context.Context, inputs []input) ([][sha256.Size]byte, error) {
	out := make([][sha256.Size]byte, len(inputs))
	err := parallel.For(ctx, len(inputs), func(ctx context.Context, lo, hi int) error {
		for i := lo; i < hi; i++ {
			var err error
			if out[i], err = digest(ctx, inputs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// input is one thing to hash: a blob in memory or a file on disk.
type input struct {
	kind string // "blobs" or "files", for the report
	blob []byte
	path string
	size int64
}

func digest(ctx context.Context, in input) ([sha256.Size]byte, error) {
	if err := ctx.Err(); err != nil {
		return [sha256.Size]byte{}, err
	}
	if in.path == "" {
		return sha256.Sum256(in.blob), nil
	}
	f, err := os.Open(in.path)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return [sha256.Size]byte{}, fmt.Errorf("%s: %w", in.path, err)
	}
	return [sha256.Size]byte(h.Sum(nil)), nil
}

// gather lists the files under cfg.Dir, or generates the blobs.
func gather(cfg Config) ([]input, error) {
	if cfg.Dir == "" {
		if cfg.Blobs < 1 || cfg.BlobSize < 1 {
			return nil, fmt.Errorf("need Blobs and BlobSize >= 1, got %d and %d", cfg.Blobs, cfg.BlobSize)
		}
		rng := rand.NewChaCha8([32]byte{1})
		inputs := make([]input, cfg.Blobs)
		for i := range inputs {
			b := make([]byte, cfg.BlobSize)
			_, _ = rng.Read(b) // never fails
			inputs[i] = input{kind: "blobs", blob: b, size: int64(len(b))}
		}
		return inputs, nil
	}
	var inputs []input
	err := filepath.WalkDir(cfg.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		inputs = append(inputs, input{kind: "files", path: path, size: info.Size()})
		return nil
	})
	if err == nil && len(inputs) == 0 {
		err = fmt.Errorf("no regular file under %s", cfg.Dir)
	}
	return inputs, err
}
