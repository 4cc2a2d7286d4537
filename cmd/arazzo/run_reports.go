package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/arazzo-go/arazzo/internal/report"
	"github.com/arazzo-go/arazzo/runtime"
)

// A run is often long (a 40-minute poll), and its reports are what it is
// kept for: a report path that cannot be written is refused before the
// first request, and one that fails at the end makes the exit code 2, so a
// run whose evidence was lost never looks like a success.

// runReport is one report flag of `arazzo run`.
type runReport struct {
	flag, path string
	write      func(io.Writer, *runtime.Result) error
}

func runReports(f *runFlags) []runReport {
	return []runReport{
		{"report", f.reportFile, report.WriteJSON},
		{"har", f.harFile, report.WriteHAR},
		{"junit", f.junitFile, func(w io.Writer, r *runtime.Result) error { return report.WriteJUnit(w, r) }},
	}
}

// runCheckReports returns why a report path given could not be written, or
// nil; nothing is created or changed.
func runCheckReports(f *runFlags) error {
	seen := map[string]string{}
	for _, r := range runReports(f) {
		if r.path == "" {
			continue
		}
		if err := checkWritable(r.path); err != nil {
			return fmt.Errorf("--%s %s: %v; nothing was sent", r.flag, r.path, err)
		}
		abs, err := filepath.Abs(r.path)
		if err != nil {
			abs = r.path
		}
		if other, ok := seen[abs]; ok {
			return fmt.Errorf("--%s and --%s name the same file %s; nothing was sent", other, r.flag, r.path)
		}
		seen[abs] = r.flag
	}
	return nil
}

// checkWritable reports why a file could not be created or replaced at
// path, or nil. An existing regular file must open for writing (it is not
// truncated here); another existing non-directory (/dev/stdout, a FIFO
// someone reads) is taken as it is; a new file needs a directory that
// exists and takes new files, which is tried by creating and removing one.
func checkWritable(path string) error {
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return errors.New("is a directory")
	case err == nil && st.Mode().IsRegular():
		file, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return pathReason(err)
		}
		return file.Close()
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return pathReason(err) // ENOTDIR: the parent is a file, said below
	}
	dir := filepath.Dir(path)
	dst, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the directory %s does not exist", dir)
	case err != nil:
		return pathReason(err)
	case !dst.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	probe, err := os.CreateTemp(dir, ".arazzo-write-check-*")
	if err != nil {
		return fmt.Errorf("cannot create files in %s: %v", dir, pathReason(err))
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// pathReason drops the operation and path from an *fs.PathError: the
// message names the flag and its path already.
func pathReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// runWriteReports writes the reports given; it says which could not be
// written and returns false if any could not.
func runWriteReports(stderr io.Writer, f *runFlags, res *runtime.Result) bool {
	ok := true
	for _, r := range runReports(f) {
		if r.path == "" {
			continue
		}
		if err := writeFileWith(r.path, func(w io.Writer) error { return r.write(w, res) }); err != nil {
			fmt.Fprintf(stderr, "arazzo run: --%s %s: not written: %v\n", r.flag, r.path, pathReason(err))
			ok = false
		}
	}
	return ok
}

// writeFileWith creates path and writes it with write, reporting the error
// of Close too (a full disk or a quota shows up there).
func writeFileWith(path string, write func(io.Writer) error) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(file); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}
