package hub

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/nats-io/nkeys"

	"github.com/genevahub/geneva/hub/wire"
)

// memberIDPattern is what a member id may look like (as in the MoU).
var memberIDPattern = regexp.MustCompile(`^[a-z0-9-]{2,32}$`)

// ErrCredsExist is returned by CreateMemberCreds when the member already
// has a credentials file and replace is false.
var ErrCredsExist = errors.New("credentials file exists")

// CreateMemberCreds writes a new credentials file for member under dataDir
// (CredsPath, mode 0600), in the format the hub reads: a hub started or
// reloaded with an MoU that names member then accepts this key, because
// the hub keeps existing creds files. With replace, an existing file is
// overwritten (the old key stops working at the next reload). It returns
// the file's path and the new public key.
func CreateMemberCreds(dataDir, member string, replace bool) (path, publicKey string, err error) {
	if !memberIDPattern.MatchString(member) {
		return "", "", fmt.Errorf("member id %q: must match [a-z0-9-]{2,32}", member)
	}
	if member == wire.OperatorName {
		return "", "", fmt.Errorf("member id %q: reserved for the hub operator", member)
	}
	path = wire.CredsPath(dataDir, member)
	if _, err := os.Stat(path); err == nil && !replace {
		return path, "", fmt.Errorf("%s: %w", path, ErrCredsExist)
	}
	kp, err := nkeys.CreateUser()
	if err != nil {
		return "", "", fmt.Errorf("creds %s: new key: %w", member, err)
	}
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", "", fmt.Errorf("creds: %w", err)
	}
	body := wire.FormatCreds(member, pub, seed)
	// Write beside the target and rename, so the hub never reads half a file.
	tmp, err := os.CreateTemp(filepath.Dir(path), member+".creds.*.tmp")
	if err != nil {
		return "", "", fmt.Errorf("creds: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", "", fmt.Errorf("creds: %w", err)
	}
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return "", "", fmt.Errorf("creds: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", "", fmt.Errorf("creds: %w", err)
	}
	if !replace {
		// Link fails if the file appeared meanwhile: never clobber a key.
		if err := os.Link(tmp.Name(), path); err != nil {
			if errors.Is(err, os.ErrExist) {
				return path, "", fmt.Errorf("%s: %w", path, ErrCredsExist)
			}
			return "", "", fmt.Errorf("creds: %w", err)
		}
		return path, pub, nil
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", "", fmt.Errorf("creds: %w", err)
	}
	return path, pub, nil
}
