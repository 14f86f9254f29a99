package wire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// OperatorName is the creds file name (without .creds) of the hub operator.
const OperatorName = "operator"

// Members authenticate as plain NKey users (no JWT, no operator mode), so a
// creds file holds only the user's seed in the decorated form that
// nkeys.ParseDecoratedNKey reads. nats.UserCredentials would insist on a JWT;
// the matching client option is nats.NkeyOptionFromSeed(file), which
// MemberOptions adds together with the member's private inbox prefix.
const credsTemplate = `# Geneva hub credentials (NATS NKey user, no JWT).
# member: %s
# public key: %s
# Connect with nats.NkeyOptionFromSeed(this file) and
# nats.CustomInboxPrefix(%q), or use wire.MemberOptions.
# Keep this file secret: whoever holds it speaks as %s.

-----BEGIN USER NKEY SEED-----
%s
------END USER NKEY SEED------
`

// FormatCreds is the creds file of member name with public key pub and
// NKey seed (the hub writes it; CredsMember and MemberOptions read it).
func FormatCreds(name, pub string, seed []byte) []byte {
	return fmt.Appendf(nil, credsTemplate, name, pub, InboxPrefix(name), name, seed)
}

// CredsPath is where the creds of member (or OperatorName) live under dataDir.
func CredsPath(dataDir, member string) string {
	return filepath.Join(dataDir, "creds", member+".creds")
}

// EnsureCreds returns the public key for name, creating its creds file on
// first use. Existing files are kept, so a restart keeps every key.
func EnsureCreds(dataDir, name string) (string, error) {
	path := CredsPath(dataDir, name)
	data, err := os.ReadFile(path)
	if err == nil {
		kp, err := nkeys.ParseDecoratedNKey(data)
		if err != nil {
			return "", fmt.Errorf("creds %s: %w", path, err)
		}
		return kp.PublicKey()
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("creds: %w", err)
	}
	kp, err := nkeys.CreateUser()
	if err != nil {
		return "", fmt.Errorf("creds %s: new key: %w", name, err)
	}
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("creds: %w", err)
	}
	body := FormatCreds(name, pub, seed)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, body, 0o600); err != nil {
		return "", fmt.Errorf("creds: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("creds: %w", err)
	}
	return pub, nil
}

// CredsMember reads the member id recorded in a creds file.
func CredsMember(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("creds: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "# member: "); ok {
			return strings.TrimSpace(rest), nil
		}
	}
	return "", fmt.Errorf("creds %s: no \"# member:\" line (not a geneva creds file?)", path)
}

// MemberOptions are the nats.Connect options for the holder of a creds
// file: NKey authentication, the member's private inbox prefix (the only
// inbox it may subscribe to) and an error handler that turns permission
// violations into a readable error passed to report (nil to ignore).
// It returns the member id too.
func MemberOptions(credsFile string, report func(error)) (string, []nats.Option, error) {
	member, err := CredsMember(credsFile)
	if err != nil {
		return "", nil, err
	}
	auth, err := credsAuth(credsFile)
	if err != nil {
		return "", nil, fmt.Errorf("creds %s: %w", credsFile, err)
	}
	opts := []nats.Option{auth, nats.Name("geneva:" + member)}
	if member != OperatorName {
		opts = append(opts, nats.CustomInboxPrefix(InboxPrefix(member)))
	}
	opts = append(opts, nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		if report != nil {
			report(Explain(member, err))
		}
	}))
	return member, opts, nil
}

// credsAuth authenticates with a creds file: a user JWT and its seed (a
// cluster in operator mode, ClusterJWT) or the NKey seed alone.
func credsAuth(credsFile string) (nats.Option, error) {
	data, err := os.ReadFile(credsFile)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(data, []byte("-----BEGIN NATS USER JWT-----")) {
		return nats.UserCredentials(credsFile), nil
	}
	return nats.NkeyOptionFromSeed(credsFile)
}

// Explain turns a server permission violation into a clear error; other
// errors are returned unchanged.
func Explain(member string, err error) error {
	if err == nil || !errors.Is(err, nats.ErrPermissionViolation) {
		return err
	}
	return fmt.Errorf("%w: member %q: %s", ErrNotPermitted, member, strings.TrimPrefix(err.Error(), "nats: "))
}
