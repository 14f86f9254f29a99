package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/genevahub/geneva/hub/directory"
	"github.com/genevahub/geneva/hub/portal"
	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/jspull"
	"github.com/genevahub/geneva/policy"
)

// The web portal (hub/portal, docs/portal.md) on the HTTP listener. It
// acts on the hub's own connection: it submits to a member's intake as the
// member's client would, and reads a member's inbox and receipts with the
// same filters the hub gives that member's consumers.

// BucketPortal holds the portal's accounts. Unlike BucketHub, worker nodes
// never need it.
const BucketPortal = "GENEVA_PORTAL"

// SubjectPortalService is the operator's service for portal accounts
// (geneva admin portal-user); only the operator's credentials may publish
// there.
const SubjectPortalService = "geneva.svc.portal"

// PortalUserRequest is an operator's request on SubjectPortalService.
// Actions: "add" (user, member, role), "remove" (user), "signout" (user:
// end every session of the account), "list" (member, or every account).
type PortalUserRequest struct {
	Action string `json:"action"`
	User   string `json:"user,omitempty"`
	Member string `json:"member,omitempty"`
	Role   string `json:"role,omitempty"`
}

// PortalUserReply answers a PortalUserRequest; Account (the initial
// password and TOTP secret) is shown once, at add.
type PortalUserReply struct {
	Account *portal.NewAccount `json:"account,omitempty"`
	Users   []portal.UserInfo  `json:"users,omitempty"`
	Error   string             `json:"error,omitempty"`
}

// PortalAccountPath is where a --dev hub writes an account's initial
// password and TOTP secret.
func PortalAccountPath(dataDir, user string) string {
	return filepath.Join(dataDir, "portal", user+".txt")
}

// mountPortal serves the portal under portal.Prefix on srv.
func (h *Hub) mountPortal(srv *http.Server) error {
	ctx, cancel := context.WithTimeout(h.handlers, 10*time.Second)
	defer cancel()
	kv, err := h.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: BucketPortal, History: 1,
		Storage: jetstream.FileStorage, Description: "the web portal's accounts (argon2id hashes, TOTP secrets)"})
	if err != nil {
		return fmt.Errorf("portal: provision %s: %w", BucketPortal, err)
	}
	users := portal.NewUsers(kv)
	if h.cfg.Dev {
		if err := h.devPortalAccounts(ctx, users); err != nil {
			return fmt.Errorf("portal: %w", err)
		}
	}
	if _, err := h.nc.Subscribe(SubjectPortalService, h.serve("portal", func(msg *nats.Msg) { // ends with the hub's connection
		b, _ := json.Marshal(h.servePortalUser(users, msg.Data))
		_ = msg.Respond(b)
	})); err != nil {
		return fmt.Errorf("portal: %w", err)
	}
	p, err := portal.New(portal.Config{Backend: portalBackend{h}, Users: users, Log: h.log.With("component", "portal")})
	if err != nil {
		return fmt.Errorf("portal: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle(portal.Prefix, p)
	mux.Handle("/", srv.Handler)
	srv.Handler = mux
	return nil
}

func (h *Hub) servePortalUser(users *portal.Users, data []byte) PortalUserReply {
	ctx, cancel := context.WithTimeout(h.handlers, 10*time.Second)
	defer cancel()
	var req PortalUserRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return PortalUserReply{Error: fmt.Sprintf("portal user request: %v", err)}
	}
	if req.Member != "" {
		if _, ok := h.MoU().Member(req.Member); !ok {
			return PortalUserReply{Error: fmt.Sprintf("member %q is not in the MoU in force", req.Member)}
		}
	}
	switch req.Action {
	case "add":
		acc, err := users.Add(ctx, req.User, req.Member, portal.Role(req.Role))
		if err != nil {
			return PortalUserReply{Error: err.Error()}
		}
		h.log.Info("portal account added", "user", req.User, "member", req.Member, "role", req.Role)
		return PortalUserReply{Account: &acc}
	case "remove":
		if err := users.Remove(ctx, req.User); err != nil {
			return PortalUserReply{Error: fmt.Sprintf("remove %q: %v", req.User, err)}
		}
		h.log.Info("portal account removed", "user", req.User)
		return PortalUserReply{}
	case "signout":
		if err := users.SignOutEverywhere(ctx, req.User); err != nil {
			return PortalUserReply{Error: fmt.Sprintf("signout %q: %v", req.User, err)}
		}
		h.log.Info("portal account signed out everywhere", "user", req.User)
		return PortalUserReply{}
	case "list":
		list, err := users.List(ctx, req.Member)
		if err != nil {
			return PortalUserReply{Error: err.Error()}
		}
		return PortalUserReply{Users: list}
	}
	return PortalUserReply{Error: fmt.Sprintf("portal user request: action %q: want add, remove, signout or list", req.Action)}
}

// devPortalAccounts gives a --dev hub one member admin per member and an
// operator account, each written once to PortalAccountPath (0600).
func (h *Hub) devPortalAccounts(ctx context.Context, users *portal.Users) error {
	add := func(name, member string, role portal.Role) error {
		path := PortalAccountPath(h.cfg.DataDir, name)
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		acc, err := users.Add(ctx, name, member, role)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		text := fmt.Sprintf("user: %s\nmember: %s\nrole: %s\npassword: %s\ntotp_secret: %s\ntotp_uri: %s\n",
			acc.User, member, role, acc.Password, acc.TOTP, acc.TOTPURI)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			return err
		}
		h.log.Info("portal account", "user", name, "member", member, "role", role, "initial_password_in", path)
		return nil
	}
	for _, m := range h.MoU().Members {
		if err := add(m.ID+"-admin", m.ID, portal.RoleMemberAdmin); err != nil {
			return err
		}
	}
	return add("operator", "", portal.RoleOperator)
}

// portalBackend is the hub as the portal sees it.
type portalBackend struct{ h *Hub }

func (b portalBackend) MoU() *policy.MoU { return b.h.MoU() }

func (b portalBackend) Decide(req policy.Request) policy.Decision {
	return b.h.policy.Engine().Decide(req)
}

func (b portalBackend) Directory() []directory.Member { return b.h.directoryMembers() }

// Submit publishes to member's intake as its NATS client would (the same
// policy, receipt and audit), then waits for the receipt carrying its id.
func (b portalBackend) Submit(ctx context.Context, member string, bundle []byte, to portal.Audience, wait time.Duration) ([]byte, error) {
	receipts, err := b.h.js.Stream(ctx, wire.StreamReceipt)
	if err != nil {
		return nil, err
	}
	info, err := receipts.Info(ctx)
	if err != nil {
		return nil, err
	}
	// Start after the last receipt stored now: ours comes later.
	c, err := b.h.js.OrderedConsumer(ctx, wire.StreamReceipt, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{wire.ReceiptSubject(member)}, DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq: info.State.LastSeq + 1})
	if err != nil {
		return nil, err
	}
	msgID := "geneva-portal-" + nuid.Next()
	// No Nats-Expected-Stream: the worker copies a held submission's headers
	// into GENEVA_REVIEW, where that header would refuse the copy.
	if _, err := b.h.js.PublishMsg(ctx, wire.SubmitMsg(member, bundle,
		wire.SubmitOptions{To: to.To, Community: to.Community, Anonymous: to.Anonymous, MsgID: msgID})); err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		m, err := c.Next(jetstream.FetchMaxWait(time.Until(deadline)))
		if err != nil {
			break // the submission is in; its receipt will show in the list
		}
		var r struct {
			MsgID string `json:"msg_id"`
		}
		if json.Unmarshal(m.Data(), &r) == nil && r.MsgID == msgID {
			return m.Data(), nil
		}
	}
	return nil, nil
}

// Feed reads member's inbox as its real-time subscription would (the
// inbox filters, never before the member's floor) on an ordered consumer.
// It ends when the MoU changes, so the page reconnects under the new
// filters.
func (b portalBackend) Feed(ctx context.Context, member string, since time.Time, afterSeq uint64, deliver func(portal.Share)) error {
	mou := b.h.MoU()
	req := wire.SubscribeRequest{Session: "portal", Since: since}
	if afterSeq > 0 {
		req = wire.SubscribeRequest{Session: "portal", StartSeq: afterSeq + 1}
	}
	cfg, err := b.inbox(ctx, member, req)
	if err != nil {
		return err
	}
	c, err := b.h.js.OrderedConsumer(ctx, wire.StreamShare, cfg)
	if err != nil {
		return err
	}
	cc, err := c.Consume(func(m jetstream.Msg) {
		if sh, ok := shareOf(m); ok {
			deliver(sh)
		}
	}, jspull.Consume()...)
	if err != nil {
		return err
	}
	defer cc.Stop()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if b.h.MoU() != mou {
				return nil
			}
		}
	}
}

// inbox is member's inbox as its real-time subscription reads it: the
// inbox filters, from req's start but never before the member's floor.
func (b portalBackend) inbox(ctx context.Context, member string, req wire.SubscribeRequest) (jetstream.OrderedConsumerConfig, error) {
	data, _ := json.Marshal(req)
	cfg, err := b.h.subscription(member, data)
	if err != nil {
		return jetstream.OrderedConsumerConfig{}, err
	}
	if err := b.h.clampToFloor(ctx, member, &cfg); err != nil {
		return jetstream.OrderedConsumerConfig{}, err
	}
	return jetstream.OrderedConsumerConfig{FilterSubjects: cfg.FilterSubjects, DeliverPolicy: cfg.DeliverPolicy,
		OptStartSeq: cfg.OptStartSeq, OptStartTime: cfg.OptStartTime}, nil
}

func shareOf(m jetstream.Msg) (portal.Share, bool) {
	md, err := m.Metadata()
	if err != nil {
		return portal.Share{}, false
	}
	received, _ := time.Parse(time.RFC3339Nano, m.Headers().Get(wire.HeaderReceived))
	return portal.Share{Seq: md.Sequence.Stream, Sender: m.Headers().Get(wire.HeaderSender), TLP: m.Headers().Get(wire.HeaderTLP),
		Scope: wire.ScopeOf(m.Subject()), Received: received, Bundle: m.Data()}, true
}

// Receipts are member's last receipts, oldest first. It reads them all
// (GENEVA_RECEIPT's retention bounds that) and keeps the last ones.
func (b portalBackend) Receipts(ctx context.Context, member string, last int) ([][]byte, error) {
	var out [][]byte
	err := b.readAll(ctx, wire.StreamReceipt, jetstream.OrderedConsumerConfig{FilterSubjects: []string{wire.ReceiptSubject(member)}},
		func(m jetstream.Msg) {
			if out = append(out, m.Data()); len(out) > last {
				out = out[1:]
			}
		})
	return out, err
}

// History is what Feed would deliver from since, up to now.
func (b portalBackend) History(ctx context.Context, member string, since time.Time) ([]portal.Share, error) {
	cfg, err := b.inbox(ctx, member, wire.SubscribeRequest{Session: "portal", Since: since})
	if err != nil {
		return nil, err
	}
	var out []portal.Share
	err = b.readAll(ctx, wire.StreamShare, cfg, func(m jetstream.Msg) {
		if sh, ok := shareOf(m); ok {
			out = append(out, sh)
		}
	})
	return out, err
}

// readAll reads what stream holds for cfg now, in order, then stops.
func (b portalBackend) readAll(ctx context.Context, stream string, cfg jetstream.OrderedConsumerConfig, fn func(jetstream.Msg)) error {
	s, err := b.h.js.Stream(ctx, stream)
	if err != nil {
		return err
	}
	before, err := s.Info(ctx)
	if err != nil {
		return err
	}
	c, err := s.OrderedConsumer(ctx, cfg)
	if err != nil {
		return err
	}
	it, err := c.Messages()
	if err != nil {
		return err
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	info, err := c.Info(ctx) // the server-side consumer exists once Messages started
	if err != nil {
		return err
	}
	if info.NumPending == 0 {
		return nil
	}
	for {
		m, err := it.Next()
		if err != nil {
			return err
		}
		md, err := m.Metadata()
		if err != nil {
			return err
		}
		fn(m)
		if md.NumPending == 0 || md.Sequence.Stream >= before.State.LastSeq {
			return nil
		}
	}
}

// Review works the operator's review queue exactly as `geneva admin review`
// does (the same code, the same audit record naming the reviewer).
func (b portalBackend) Review(ctx context.Context, action, submission, actor, note string) (portal.ReviewResult, error) {
	data, _ := json.Marshal(ReviewRequest{Action: action, Submission: submission, Actor: actor, Note: note})
	reply, err := b.h.review(ctx, data)
	if err != nil {
		return portal.ReviewResult{}, err
	}
	out := portal.ReviewResult{Bundle: reply.Bundle}
	for _, it := range reply.Items {
		out.Held = append(out.Held, portal.Held{Submission: it.Submission, Member: it.Member, Received: it.Received,
			To: it.To, Community: it.Community, Anonymous: it.Anonymous, Bytes: it.Bytes, Reasons: it.Reasons})
	}
	if reply.Receipt != nil {
		out.Receipt, _ = json.Marshal(reply.Receipt)
	}
	return out, nil
}

// Requests asks the request tracker as member, on the same service
// `geneva request` uses (whichever hub of a cluster runs it answers).
func (b portalBackend) Requests(ctx context.Context, member, action, request string) ([]requests.State, error) {
	data, _ := json.Marshal(wire.RequestsQuery{Action: action, Request: request})
	msg, err := b.h.nc.RequestWithContext(ctx, wire.RequestsService(member), data)
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	var reply wire.RequestsReply
	if err := json.Unmarshal(msg.Data, &reply); err != nil {
		return nil, fmt.Errorf("requests: reply: %w", err)
	}
	if reply.Error != "" {
		return nil, errors.New(reply.Error)
	}
	return reply.Requests, nil
}
