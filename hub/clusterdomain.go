package hub

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/jwt/v2"

	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

// Leaf nodes at partner sites (docs/operating.md "Leaf nodes"): nats-server
// lets no account's $JS.API.> cross a leaf connection; a client behind a
// leaf node reaches JetStream only under its domain's prefix,
// $JS.<domain>.API.>. So with a domain, a member's account imports each
// JetStream API subject it may use a second time under that prefix (which
// also tells the leaf node there is interest in it), and its user may
// publish both.

// jsAPIPrefix is how every JetStream API subject begins.
const jsAPIPrefix = "$JS.API."

// inDomain is subject as a client in JetStream domain reaches it across a
// leaf node, or "" when subject is no JetStream API subject or there is no
// domain. Acks ($JS.ACK...) need no prefix.
func inDomain(subject, domain string) string {
	if domain == "" || !strings.HasPrefix(subject, jsAPIPrefix) {
		return ""
	}
	return "$JS." + domain + ".API." + strings.TrimPrefix(subject, jsAPIPrefix)
}

// checkDomain refuses a domain that cannot be a subject token.
func checkDomain(domain string) error { return wire.CheckJetStreamDomain(domain) }

// ClusterJWTInDomain is ClusterJWT for a cluster in JetStream domain whose
// members may connect through leaf nodes: each member's account JWT also
// imports its JetStream API subjects under the domain's prefix, and its
// users may publish them. The domain is kept under dataDir (jwtDomainPath),
// so the account JWTs the hub pushes later keep these imports; "" removes
// it.
func ClusterJWTInDomain(dataDir string, mou *policy.MoU, maxPayload int32, domain string) (string, error) {
	if err := checkDomain(domain); err != nil {
		return "", err
	}
	if err := writeJWTDomain(dataDir, domain); err != nil {
		return "", err
	}
	return ClusterJWT(dataDir, mou, maxPayload)
}

// jwtDomainPath is where the JetStream domain of a cluster in operator
// mode is kept (absent: none).
func jwtDomainPath(dataDir string) string { return filepath.Join(jwtDir(dataDir), "domain") }

// writeJWTDomain keeps domain under dataDir, or removes it for "".
func writeJWTDomain(dataDir, domain string) error {
	if domain == "" {
		if err := os.Remove(jwtDomainPath(dataDir)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("jwt domain: %w", err)
		}
		return nil
	}
	return writeSecret(jwtDomainPath(dataDir), []byte(domain+"\n"))
}

// jwtDomain is the JetStream domain kept under dataDir, "" for none.
func jwtDomain(dataDir string) (string, error) {
	data, err := os.ReadFile(jwtDomainPath(dataDir))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("jwt domain: %w", err)
	}
	domain := string(bytes.TrimSpace(data))
	if err := checkDomain(domain); err != nil {
		return "", fmt.Errorf("jwt domain %s: %w", jwtDomainPath(dataDir), err)
	}
	return domain, nil
}

// addDomainImports adds to a member's account claims each service import
// whose local subject is a JetStream API subject a second time, under
// domain's prefix (as accountsConfig does for configured accounts).
func addDomainImports(mc *jwt.AccountClaims, domain string) {
	for _, imp := range mc.Imports {
		local := string(imp.LocalSubject)
		if imp.Type != jwt.Service || local == "" {
			continue
		}
		if d := inDomain(local, domain); d != "" {
			dup := *imp
			dup.LocalSubject = jwt.RenamingSubject(d)
			mc.Imports.Add(&dup)
		}
	}
}

// natsPermissionsIn are memberPermissionsIn as JWT permissions.
func natsPermissionsIn(m, domain string) jwt.Permissions {
	p := memberPermissionsIn(m, domain)
	return jwt.Permissions{Pub: jwt.Permission{Allow: p.Publish.Allow}, Sub: jwt.Permission{Allow: p.Subscribe.Allow}}
}
