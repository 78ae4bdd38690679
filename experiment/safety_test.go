//go:build unix

package experiment

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWriteRefusesLinkedDir(t *testing.T) {
	target := t.TempDir()
	dir := filepath.Join(t.TempDir(), "3")
	if err := os.Symlink(target, dir); err != nil {
		t.Fatal(err)
	}
	err := Write(dir, Meta{Search: "s", Number: 3})
	if err == nil || !strings.Contains(err.Error(), "is a symbolic link; remove it") {
		t.Errorf("Write = %v", err)
	}
	if entries, _ := os.ReadDir(target); len(entries) > 0 {
		t.Errorf("Write wrote through the link: %v", entries)
	}
}

func TestWriteReplacesLinkedFile(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(outside, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, MetaFile)); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, Meta{Search: "s", Number: 3}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "precious" {
		t.Errorf("Write wrote through a link: %q", b)
	}
	if m, err := Read(dir); err != nil || m.Number != 3 {
		t.Errorf("Read = %+v, %v", m, err)
	}
}

func TestReadRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  string
	}{
		{"a link", func(t *testing.T, path string) {
			other := filepath.Join(t.TempDir(), MetaFile)
			if err := Write(filepath.Dir(other), Meta{Search: "s"}); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(other, path); err != nil {
				t.Fatal(err)
			}
		}, "is not a regular file"},
		{"a FIFO", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "is not a regular file"},
		{"a directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "is not a regular file"},
		{"huge", func(t *testing.T, path string) {
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteString(`{"search": "`); err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(200 << 20); err != nil {
				t.Fatal(err)
			}
		}, "is larger than 4 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, filepath.Join(dir, MetaFile))
			done := make(chan error, 1)
			go func() { _, err := Read(dir); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Read = %v, want ...%s", err, tt.want)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Read blocks")
			}
		})
	}
	if _, err := Read(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read of a missing meta.json = %v, want not exist", err)
	}
}
