package dir_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/internal/hostile"
)

// TestDropFolderRefusesHostileFilesCheaply is the dir source's door
// table: a file over the hub's budget is refused unread into failed/ with
// its reason; special files (a FIFO, a link to /dev/zero) are never
// opened. Before, the source read any file whole, whatever its size, and
// the connector then retried it against the hub forever.
func TestDropFolderRefusesHostileFilesCheaply(t *testing.T) {
	const limit = 1 << 20
	spec, err := connectors.Default.Lookup("dir")
	if err != nil {
		t.Fatal(err)
	}
	drop := t.TempDir()
	src, err := spec.NewSource([]byte(`{"path":"`+drop+`","interval":"20ms"}`),
		connectors.Deps{StateDir: t.TempDir(), MaxBytes: func() int64 { return limit }})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close(context.Background())
	// A FIFO and a link to /dev/zero sit in the folder all along: reading
	// either would hang or never end.
	if err := syscall.Mkfifo(filepath.Join(drop, "fifo.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(drop, "zero.json")); err != nil {
		t.Fatal(err)
	}
	n := 0
	hostile.Run(t, []hostile.Case{
		{Name: "five times the budget", Input: []byte(strings.Repeat(" ", 5*limit)), Want: `refused: [ { "code": "size.bytes"`, MaxAlloc: 1 << 20},
		{Name: "one byte over", Input: []byte(strings.Repeat(" ", limit+1)), Want: `refused: [ { "code": "size.bytes"`, MaxAlloc: 1 << 20},
		{Name: "exactly the budget", Input: []byte(strings.Repeat(" ", limit)), Want: fmt.Sprintf("read %d bytes", limit), MaxAlloc: 16 << 20},
		{Name: "not JSON", Input: []byte("\x00\xff{"), Want: "read 3 bytes"}, // pre-flight refuses it, not the folder
	}, func(in []byte) error {
		n++
		name := fmt.Sprintf("f%d.json", n)
		if err := os.WriteFile(filepath.Join(drop, "."+name), in, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(drop, "."+name), filepath.Join(drop, name)); err != nil {
			t.Fatal(err)
		}
		return readOne(src, filepath.Join(drop, "failed", name+".reasons.json"))
	})
}

// readOne describes what the source does with the next file: "read N
// bytes" (acknowledged, so it leaves the folder), or "refused: <reasons>"
// once the folder refused it without handing it over.
func readOne(src connectors.Source, reasons string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type read struct {
		env connectors.Envelope
		ack connectors.AckFunc
		err error
	}
	got := make(chan read, 1)
	go func() {
		env, ack, err := src.Read(ctx)
		got <- read{env, ack, err}
	}()
	for {
		if data, err := os.ReadFile(reasons); err == nil {
			cancel()
			<-got
			return fmt.Errorf("refused: %s", strings.Join(strings.Fields(string(data)), " "))
		}
		select {
		case r := <-got:
			if r.err != nil {
				return r.err
			}
			_ = r.ack(ctx, nil)
			return fmt.Errorf("read %d bytes", len(r.env.Body))
		case <-ctx.Done():
			return errors.New("neither read nor refused within 10s")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
