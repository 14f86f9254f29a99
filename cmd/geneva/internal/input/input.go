// Package input reads what a geneva command is asked to check: a file, or
// standard input when the name is "-".
package input

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// ReadInto reads file (stdin for "-") into buf's memory when it is large
// enough (geneva validate reuses one buffer per worker across files). It
// stops one byte past max, so an oversized input is reported as such
// rather than read whole.
func ReadInto(buf []byte, stdin io.Reader, file string, max int) ([]byte, error) {
	r, size := stdin, int64(bytes.MinRead)
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = min(st.Size(), int64(max)) + bytes.MinRead // read once, without regrowing
		}
	}
	if int64(cap(buf)) < size {
		buf = make([]byte, 0, size)
	}
	b := bytes.NewBuffer(buf[:0])
	if _, err := b.ReadFrom(io.LimitReader(r, int64(max)+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return b.Bytes(), nil
}
