// Command modproxy writes a file-based GOPROXY (the layout the go command
// reads from GOPROXY=file:///dir) that serves modules of a git repository,
// built from a commit's tree, at a version that need not be tagged:
//
//	modproxy -repo DIR -rev HEAD -version v0.1.0 -out PROXYDIR . ratelimit/redisrate
//
// Each argument is the directory of a module in the repository ("." for
// the root). For each it writes, under PROXYDIR/<escaped module path>/@v/,
// the version's .info, .mod and .zip and a list naming it. The zip is made
// by golang.org/x/mod/zip, the go command's own rules: files under a
// "module@version/" prefix, nested modules' directories left out of the
// parent's zip, vendor directories and files the format forbids left out
// (each reported), and the root's LICENSE copied into a nested module that
// has none, as the go command does. The tree is git archive's, so
// uncommitted changes and ignored files never reach a zip.
package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

func main() {
	repo := flag.String("repo", ".", "the git repository (a work tree)")
	rev := flag.String("rev", "HEAD", "the commit whose tree is served")
	version := flag.String("version", "v0.1.0", "the version the modules are served at")
	out := flag.String("out", "", "the proxy directory to write")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("modproxy: ")
	if *out == "" || flag.NArg() == 0 {
		log.Fatal("usage: modproxy -repo DIR -rev REV -version vX.Y.Z -out DIR MODULEDIR...")
	}
	commitTime, err := git(*repo, "log", "-1", "--format=%cI", *rev)
	if err != nil {
		log.Fatal(err)
	}
	when, err := time.Parse(time.RFC3339, strings.TrimSpace(string(commitTime)))
	if err != nil {
		log.Fatal(err)
	}
	for _, dir := range flag.Args() {
		if err := serve(*repo, *rev, path.Clean(dir), *version, when.UTC(), *out); err != nil {
			log.Fatalf("%s: %v", dir, err)
		}
	}
}

// serve writes the proxy files of the module in dir.
func serve(repo, rev, dir, version string, when time.Time, out string) error {
	gomod, err := git(repo, "show", rev+":"+path.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	modPath := modfile.ModulePath(gomod)
	if modPath == "" {
		return fmt.Errorf("go.mod names no module")
	}
	m := module.Version{Path: modPath, Version: version}
	files, err := treeFiles(repo, rev, dir)
	if err != nil {
		return err
	}
	checked, err := modzip.CheckFiles(files)
	if err != nil && checked.SizeError != nil {
		return checked.SizeError
	}
	// Omitted files are expected (nested modules above all): one line per
	// reason and directory.
	omitted := map[string]int{}
	var order []string
	for _, fe := range checked.Omitted {
		key := fmt.Sprintf("%v: %s", fe.Err, topDir(fe.Path))
		if omitted[key] == 0 {
			order = append(order, key)
		}
		omitted[key]++
	}
	for _, key := range order {
		fmt.Printf("%s@%s: left out %d files (%s)\n", modPath, version, omitted[key], key)
	}
	for _, fe := range checked.Invalid {
		fmt.Printf("%s@%s: left out %s, which a module zip cannot hold (%v)\n", modPath, version, fe.Path, fe.Err)
	}
	valid := make(map[string]bool, len(checked.Valid))
	for _, p := range checked.Valid {
		valid[p] = true
	}
	var keep []modzip.File
	for _, f := range files {
		if valid[f.Path()] {
			keep = append(keep, f)
		}
	}
	var zipped bytes.Buffer
	if err := modzip.Create(&zipped, m, keep); err != nil {
		return err
	}

	escaped, err := module.EscapePath(modPath)
	if err != nil {
		return err
	}
	vdir := filepath.Join(out, filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, when})
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		version + ".info": info,
		version + ".mod":  gomod,
		version + ".zip":  zipped.Bytes(),
		"list":            []byte(version + "\n"),
	} {
		if err := os.WriteFile(filepath.Join(vdir, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%s@%s: %d files from %s of %s\n", modPath, version, len(keep), dir, rev)
	return nil
}

// topDir is the first two elements of a file's directory, enough to name
// the nested module it belongs to.
func topDir(p string) string {
	parts := strings.SplitN(path.Dir(p), "/", 3)
	return strings.Join(parts[:min(2, len(parts))], "/") + "/"
}

// treeFiles returns the files of rev's tree under dir, paths relative to
// dir, as git archive writes them, and the root's LICENSE for a nested
// module without one.
func treeFiles(repo, rev, dir string) ([]modzip.File, error) {
	treeish := rev
	if dir != "." {
		treeish = rev + ":" + dir
	}
	archive, err := git(repo, "-c", "core.autocrlf=input", "-c", "core.eol=lf", "archive", "--format=zip", treeish)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		return nil, err
	}
	var files []modzip.File
	haveLicense := false
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue // a directory entry
		}
		files = append(files, archived{zf})
		haveLicense = haveLicense || zf.Name == "LICENSE"
	}
	if dir != "." && !haveLicense {
		if license, err := git(repo, "show", rev+":LICENSE"); err == nil {
			files = append(files, data{"LICENSE", license})
		}
	}
	return files, nil
}

// git runs git in repo and returns its standard output.
func git(repo string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = repo
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// archived is a file of git archive's zip.
type archived struct{ f *zip.File }

func (a archived) Path() string                 { return a.f.Name }
func (a archived) Lstat() (os.FileInfo, error)  { return a.f.FileInfo(), nil }
func (a archived) Open() (io.ReadCloser, error) { return a.f.Open() }

// data is a file made of bytes (the root's LICENSE).
type data struct {
	name  string
	bytes []byte
}

func (d data) Path() string                 { return d.name }
func (d data) Lstat() (os.FileInfo, error)  { return dataInfo{d}, nil }
func (d data) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(d.bytes)), nil }

type dataInfo struct{ d data }

func (i dataInfo) Name() string       { return path.Base(i.d.name) }
func (i dataInfo) Size() int64        { return int64(len(i.d.bytes)) }
func (i dataInfo) Mode() fs.FileMode  { return 0o644 }
func (i dataInfo) ModTime() time.Time { return time.Time{} }
func (i dataInfo) IsDir() bool        { return false }
func (i dataInfo) Sys() any           { return nil }
