package taxii

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Tokens are the members' TAXII API tokens. A token is 256 random bits;
// the hub keeps only its SHA-256, in the hub's KV bucket (key
// taxii.token.<member>.<id>), and a copy in memory for the lookup. A fast
// hash is enough: a password hash slows down guessing a low-entropy
// secret, and nobody guesses 2^256; SHA-256 makes a stolen bucket useless
// and costs a microsecond per request (OpenTAXII's bcrypt costs ~110 ms).
type Tokens struct {
	kv jetstream.KeyValue

	mu     sync.RWMutex
	byHash map[string]TokenInfo
}

// TokenInfo describes a token without its secret.
type TokenInfo struct {
	ID      string    `json:"id"`
	Member  string    `json:"member"`
	Label   string    `json:"label,omitempty"`
	Created time.Time `json:"created"`
	Hash    string    `json:"hash,omitempty"` // hex SHA-256 of the token; never shown
}

// tokenPrefix marks Geneva TAXII tokens (secret scanners find them).
const tokenPrefix = "gvt_"

const keyTokens = "taxii.token."

func tokenKey(member, id string) string { return keyTokens + member + "." + id }

// OpenTokens loads every token from kv.
func OpenTokens(ctx context.Context, kv jetstream.KeyValue) (*Tokens, error) {
	t := &Tokens{kv: kv, byHash: map[string]TokenInfo{}}
	keys, err := kv.ListKeysFiltered(ctx, keyTokens+">")
	if err != nil {
		return nil, fmt.Errorf("taxii tokens: %w", err)
	}
	for k := range keys.Keys() {
		e, err := kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // revoked meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("taxii tokens: %s: %w", k, err)
		}
		var ti TokenInfo
		if err := json.Unmarshal(e.Value(), &ti); err != nil || ti.Hash == "" {
			return nil, fmt.Errorf("taxii tokens: %s: not a token record", k)
		}
		t.byHash[ti.Hash] = ti
	}
	return t, nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Create makes a new token for member and returns it; only its hash is
// stored.
func (t *Tokens) Create(ctx context.Context, member, label string) (token string, info TokenInfo, err error) {
	var secret [32]byte
	_, _ = rand.Read(secret[:])
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(secret[:])
	info = TokenInfo{ID: strings.ToLower(rand.Text()[:10]), Member: member, Label: label, Created: time.Now().UTC(), Hash: hashToken(token)}
	data, _ := json.Marshal(info)
	if _, err := t.kv.Create(ctx, tokenKey(member, info.ID), data); err != nil {
		return "", TokenInfo{}, fmt.Errorf("taxii token for %s: %w", member, err)
	}
	t.mu.Lock()
	t.byHash[info.Hash] = info
	t.mu.Unlock()
	info.Hash = ""
	return token, info, nil
}

// List is member's tokens ("" for every member's), oldest first.
func (t *Tokens) List(member string) []TokenInfo {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []TokenInfo
	for _, ti := range t.byHash {
		if member == "" || ti.Member == member {
			ti.Hash = ""
			out = append(out, ti)
		}
	}
	slices.SortFunc(out, func(a, b TokenInfo) int { return a.Created.Compare(b.Created) })
	return out
}

// Revoke deletes member's token id. The token is refused from the moment
// Revoke returns.
func (t *Tokens) Revoke(ctx context.Context, member, id string) error {
	t.mu.Lock()
	found := ""
	for h, ti := range t.byHash {
		if ti.Member == member && ti.ID == id {
			found = h
		}
	}
	if found == "" {
		t.mu.Unlock()
		return fmt.Errorf("member %s has no token %q (see token list)", member, id)
	}
	delete(t.byHash, found) // refused at once, even if the bucket write below is slow
	t.mu.Unlock()
	if err := t.kv.Delete(ctx, tokenKey(member, id)); err != nil {
		return fmt.Errorf("revoke token %s of %s: %w", id, member, err)
	}
	return nil
}

// RevokeMember deletes every token of member (a member removed from the
// MoU); it returns how many.
func (t *Tokens) RevokeMember(ctx context.Context, member string) (int, error) {
	n := 0
	for _, ti := range t.List(member) {
		if err := t.Revoke(ctx, member, ti.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Lookup is the member a token belongs to.
func (t *Tokens) Lookup(token string) (TokenInfo, bool) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return TokenInfo{}, false
	}
	t.mu.RLock()
	ti, ok := t.byHash[hashToken(token)]
	t.mu.RUnlock()
	return ti, ok
}
