package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/genevahub/geneva/hub/wire"
)

// The member admin service (JWT accounts, wire.MemberAdminService): a
// member's admin revokes one of the member's users without the operator,
// as the member's admin user (MemberAdminCredsPath). Two locks keep
// everyone else out: NATS lets only that user publish there (no other
// user of the member has the subject in its permissions, and a user of
// the admin's signing key gets the scoped permissions whatever its JWT
// claims; another member's account does not import it), and the hub
// checks the asker the server names in Nats-Request-Info (the import
// shares it): the member's account and its admin user's key.

// serveMemberAdmin answers a wire.MemberAdminRequest.
func (h *Hub) serveMemberAdmin(msg *nats.Msg) {
	body, _ := json.Marshal(h.memberAdmin(msg))
	_ = msg.Respond(body)
}

func (h *Hub) memberAdmin(msg *nats.Msg) wire.MemberAdminReply {
	member := memberOfSubject(msg.Subject)
	if err := h.checkMemberAdmin(member, msg.Header.Get(server.ClientInfoHdr)); err != nil {
		h.log.Warn("refused a member admin request", "member", member, "err", err)
		return wire.MemberAdminReply{Error: "refused: " + err.Error()}
	}
	var req wire.MemberAdminRequest
	if err := json.Unmarshal(msg.Data, &req); err != nil || req.RevokeUser == "" {
		return wire.MemberAdminReply{Error: `not a member admin request: want JSON {"revoke_user": "U..."}`}
	}
	if req.RevokeUser == memberAdminKey(h.cfg.DataDir, member) {
		return wire.MemberAdminReply{Error: "revoke: that is the admin user's own key; ask the hub operator for a new admin key"}
	}
	h.pushMu.Lock()
	defer h.pushMu.Unlock()
	if err := RevokeMemberUser(h.cfg.DataDir, member, req.RevokeUser); err != nil {
		return wire.MemberAdminReply{Error: err.Error()}
	}
	// Read the MoU under pushMu: a reload sets it before it pushes, so
	// this push never applies an older MoU after a newer one.
	answered, want, err := h.pushChanged(h.MoU())
	if err != nil {
		h.log.Error("member admin revocation not pushed", "member", member, "user", req.RevokeUser, "err", err)
		return wire.MemberAdminReply{Error: "revoke: recorded, but not yet pushed to the NATS servers (the hub pushes it with its next change): " + err.Error()}
	}
	h.log.Info("member admin revoked a user", "member", member, "user", req.RevokeUser, "servers_confirmed", answered, "servers", want)
	return wire.MemberAdminReply{Revoked: req.RevokeUser, ServersConfirmed: answered, Servers: want}
}

// checkMemberAdmin says why the asker the server named in info (the
// Nats-Request-Info header) is not member's admin user, nil if it is.
func (h *Hub) checkMemberAdmin(member, info string) error {
	if m, ok := h.MoU().Member(member); !ok || m.Suspended {
		return fmt.Errorf("%q is not an active member", member)
	}
	var asker server.ClientInfo
	if info == "" || json.Unmarshal([]byte(info), &asker) != nil {
		return errors.New("the request does not say who asks (no Nats-Request-Info)")
	}
	_, accPub, err := jwtKey(filepath.Join(jwtDir(h.cfg.DataDir), "accounts", member+".nk"), nil)
	if err != nil {
		return fmt.Errorf("member %s has no JWT account", member)
	}
	if asker.Account != accPub {
		return fmt.Errorf("asked from account %s, not member %s's", asker.Account, member)
	}
	if admin := memberAdminKey(h.cfg.DataDir, member); admin == "" || asker.User != admin {
		return fmt.Errorf("user %s is not member %s's admin user", asker.User, member)
	}
	return nil
}
