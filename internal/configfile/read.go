package configfile

import (
	"fmt"
	"io"
	"os"
)

// MaxBytes is the largest configuration file Geneva reads. A partnership
// of a thousand members fits in a fifth of it.
const MaxBytes = 2 << 20

// Read reads a configuration file of at most MaxBytes. Only a regular file
// is read (a FIFO, a device such as /dev/zero or a directory gets a
// one-line error), and never more than the limit, whatever the file does
// while it is read.
func Read(path string) ([]byte, error) {
	fi, err := os.Stat(path) // Stat, not Open: opening a FIFO blocks
	if err != nil {
		return nil, err
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, tooLarge(path)
	}
	return data, nil
}

func regular(path string, fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return &Error{File: path, Msg: fmt.Sprintf("not a regular file (%s): a configuration file must be a plain file", fi.Mode().Type())}
	}
	if fi.Size() > MaxBytes {
		return tooLarge(path)
	}
	return nil
}

func tooLarge(path string) error {
	return &Error{File: path, Msg: fmt.Sprintf("larger than %d bytes, the limit for a configuration file", MaxBytes)}
}
