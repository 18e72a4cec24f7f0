// Command hashing computes SHA-256 digests of many blobs (or of every file
// under a directory) in one loop, then with tandem's parallel.For, and
// prints the throughput of each in MB/s.
//
//	go run ./examples/hashing
//	go run ./examples/hashing -blobs 1000 -size 262144
//	go run ./examples/hashing -dir ~/go/pkg/mod
//
// What to look for: the throughput scales with the cores, because each
// digest is independent and pure CPU; the digests are the same both ways,
// in input order. With -dir the files are read as they are hashed; from
// the page cache that is still CPU work, from a cold disk it becomes
// waiting, and then more workers than cores would help (that is a job for
// pool or fanout, not parallel).
package main

import (
	"context"
	"flag"
	"os"

	"github.com/tandem-go/tandem/examples/hashing/scenario"
	"github.com/tandem-go/tandem/examples/internal/cli"
)

func main() {
	cfg := scenario.DefaultConfig()
	flag.StringVar(&cfg.Dir, "dir", "", "hash every regular file under this directory instead of generated blobs")
	flag.IntVar(&cfg.Blobs, "blobs", cfg.Blobs, "number of generated blobs")
	flag.IntVar(&cfg.BlobSize, "size", cfg.BlobSize, "size of each generated blob in bytes")
	flag.Parse()

	cli.Run("hashing", func(ctx context.Context) error {
		_, err := scenario.Run(ctx, os.Stdout, cfg)
		return err
	})
}
