package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Role is what a person may do for their member.
type Role string

const (
	RoleReporter    Role = "reporter"     // reports incidents, reads the member's receipts
	RoleAnalyst     Role = "analyst"      // and reads the member's live feed
	RoleMemberAdmin Role = "member-admin" // and manages the member's people
	RoleOperator    Role = "operator"     // the hub operator: the directory only, never a member's feed
)

// Roles lists the roles in order of reach.
var Roles = []Role{RoleReporter, RoleAnalyst, RoleMemberAdmin, RoleOperator}

func (r Role) canReport() bool { return r == RoleReporter || r == RoleAnalyst || r == RoleMemberAdmin }
func (r Role) canRead() bool   { return r == RoleAnalyst || r == RoleMemberAdmin }

// User is one person's account, stored as JSON in the portal's bucket
// under "user.<name>".
type User struct {
	Name     string `json:"name"`
	Member   string `json:"member,omitempty"` // "" for the operator
	Role     Role   `json:"role"`
	Password string `json:"password"` // argon2id, PHC string
	TOTP     string `json:"totp"`     // base32 secret
	LastStep uint64 `json:"last_step,omitempty"`
	// SignedOutBefore ends every session signed in before it ("sign out
	// everywhere", or an admin's revocation).
	SignedOutBefore time.Time `json:"signed_out_before,omitzero"`
	// Identity is the person at their member's OpenID provider (the
	// value of its claim, oidc.go); "" signs in with the password only.
	Identity string `json:"identity,omitempty"`
}

var userNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// Users keeps accounts in a JetStream KV bucket the hub alone can read.
type Users struct{ kv jetstream.KeyValue }

// NewUsers stores accounts in kv.
func NewUsers(kv jetstream.KeyValue) *Users { return &Users{kv: kv} }

// ErrNoUser: no such account.
var ErrNoUser = errors.New("no such user")

// NewAccount is what Add returns once: the initial password and the TOTP
// secret, to hand to the person.
type NewAccount struct {
	User     string
	Password string
	TOTP     string
	TOTPURI  string
}

// Add creates an account with a random initial password and TOTP secret;
// it fails if the name is taken.
func (u *Users) Add(ctx context.Context, name, member string, role Role) (NewAccount, error) {
	if !userNameRE.MatchString(name) {
		return NewAccount{}, fmt.Errorf("user %q: want 2 to 64 of [a-z0-9._-], starting with a letter or digit", name)
	}
	if !slices.Contains(Roles, role) {
		return NewAccount{}, fmt.Errorf("user %q: role %q: want one of %v", name, role, Roles)
	}
	if (role == RoleOperator) != (member == "") {
		return NewAccount{}, fmt.Errorf("user %q: the operator belongs to no member; every other role to one", name)
	}
	pw, secret := newPassword(), newTOTPSecret()
	rec := User{Name: name, Member: member, Role: role, Password: hashPassword(pw), TOTP: secret}
	data, _ := json.Marshal(rec)
	if _, err := u.kv.Create(ctx, userKey(name), data); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return NewAccount{}, fmt.Errorf("user %q exists already", name)
		}
		return NewAccount{}, fmt.Errorf("user %q: %w", name, err)
	}
	return NewAccount{User: name, Password: pw, TOTP: secret, TOTPURI: totpURI("Geneva", name, secret)}, nil
}

// Get reads an account and its KV revision.
func (u *Users) Get(ctx context.Context, name string) (User, uint64, error) {
	if !userNameRE.MatchString(name) {
		return User{}, 0, ErrNoUser
	}
	e, err := u.kv.Get(ctx, userKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return User{}, 0, ErrNoUser
	}
	if err != nil {
		return User{}, 0, err
	}
	var rec User
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return User{}, 0, fmt.Errorf("user %q: stored record: %w", name, err)
	}
	return rec, e.Revision(), nil
}

// useStep records that the TOTP step was used, only if no later or equal
// step was (compare-and-set on the revision read): a code is good once.
func (u *Users) useStep(ctx context.Context, rec User, rev, step uint64) error {
	if step <= rec.LastStep {
		return errors.New("code already used")
	}
	rec.LastStep = step
	data, _ := json.Marshal(rec)
	_, err := u.kv.Update(ctx, userKey(rec.Name), data, rev)
	return err
}

// SignOutEverywhere ends every session of the account signed in until now,
// on every hub (compare-and-set on the revision read, retried).
func (u *Users) SignOutEverywhere(ctx context.Context, name string) error {
	for try := 0; ; try++ {
		rec, rev, err := u.Get(ctx, name)
		if err != nil {
			return err
		}
		rec.SignedOutBefore = time.Now()
		data, _ := json.Marshal(rec)
		if _, err = u.kv.Update(ctx, userKey(name), data, rev); err == nil || try == 3 {
			return err
		}
	}
}

// Remove deletes an account.
func (u *Users) Remove(ctx context.Context, name string) error {
	if _, _, err := u.Get(ctx, name); err != nil {
		return err
	}
	return u.kv.Delete(ctx, userKey(name))
}

func userKey(name string) string { return "user." + name }

// UserInfo is an account as listings show it (no secrets).
type UserInfo struct {
	Name     string `json:"name"`
	Member   string `json:"member,omitempty"`
	Role     Role   `json:"role"`
	Identity string `json:"identity,omitempty"`
}

// List returns every account, or member's only when member is not "".
func (u *Users) List(ctx context.Context, member string) ([]UserInfo, error) {
	out := []UserInfo{}
	names, err := userKeys(ctx, u.kv)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		rec, _, err := u.Get(ctx, name)
		if err != nil {
			continue // removed meanwhile
		}
		if member == "" || rec.Member == member {
			out = append(out, UserInfo{Name: rec.Name, Member: rec.Member, Role: rec.Role, Identity: rec.Identity})
		}
	}
	slices.SortFunc(out, func(a, b UserInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
