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

	"github.com/genevahub/geneva/hub/taxii"
	"github.com/genevahub/geneva/hub/wire"
)

// The TAXII 2.1 server (hub/taxii, docs/taxii.md) on the HTTP listener,
// and the operator's token service behind geneva admin member token.

// SubjectTokenService is the operator's service for members' TAXII tokens
// (only the operator's credentials may publish there).
const SubjectTokenService = "geneva.svc.token"

// BucketTAXIIStatus keeps TAXII POSTs' statuses across hub restarts.
const BucketTAXIIStatus = "GENEVA_TAXII_STATUS"

// TokenRequest is an operator's request on SubjectTokenService. Actions:
// "create" (member, label), "list" (member, or every member's), "revoke"
// (member, id).
type TokenRequest struct {
	Action string `json:"action"`
	Member string `json:"member,omitempty"`
	ID     string `json:"id,omitempty"`
	Label  string `json:"label,omitempty"`
}

// TokenReply answers a TokenRequest; Token is shown once, at create.
type TokenReply struct {
	Token  string            `json:"token,omitempty"`
	Tokens []taxii.TokenInfo `json:"tokens,omitempty"`
	Error  string            `json:"error,omitempty"`
}

// TokenPath is where a --dev hub writes member's TAXII token.
func TokenPath(dataDir, member string) string {
	return filepath.Join(dataDir, "creds", member+".token")
}

// mountTAXII serves TAXII under taxii.Prefix on srv and answers the token
// service, until stop.
func (h *Hub) mountTAXII(srv *http.Server) (stop func(), err error) {
	ctx, cancel := context.WithCancel(h.handlers)
	fail := func(err error) (func(), error) { cancel(); return nil, fmt.Errorf("taxii: %w", err) }
	kv, err := h.hubBucket(ctx)
	if err != nil {
		return fail(err)
	}
	tokens, err := taxii.OpenTokens(ctx, kv)
	if err != nil {
		return fail(err)
	}
	share, err := h.js.Stream(ctx, wire.StreamShare)
	if err != nil {
		return fail(err)
	}
	receipts, err := h.js.Stream(ctx, wire.StreamReceipt)
	if err != nil {
		return fail(err)
	}
	statuses, err := h.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: BucketTAXIIStatus, History: 1,
		TTL: taxii.StatusTTL, Storage: jetstream.FileStorage, Description: "TAXII POSTs' statuses (member, time, objects), 24 h"})
	if err != nil {
		return fail(fmt.Errorf("provision %s: %w", BucketTAXIIStatus, err))
	}
	t, err := taxii.New(ctx, taxii.Config{Backend: taxiiBackend{h}, Tokens: tokens, Share: share, Receipts: receipts,
		Statuses: statuses, Conn: h.nc, ReceiptSubject: wire.ReceiptSubject, ScopeOf: wire.ScopeOf, MaxContentLength: int(h.cfg.MaxPayload), Limits: h.cfg.TAXII,
		Metrics: taxii.NewMetrics(h.metrics.Registry()), Log: h.log.With("component", "taxii")})
	if err != nil {
		return fail(err)
	}
	sub, err := h.nc.Subscribe(SubjectTokenService, h.serve("token", func(msg *nats.Msg) {
		reply := h.serveToken(ctx, tokens, msg.Data)
		b, _ := json.Marshal(reply)
		_ = msg.Respond(b)
	}))
	if err != nil {
		return fail(err)
	}
	if h.cfg.Dev {
		if err := h.devTokens(ctx, tokens); err != nil {
			_ = sub.Unsubscribe()
			return fail(err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle(taxii.Prefix, t)
	mux.Handle("/", srv.Handler)
	srv.Handler = mux
	return func() { _ = sub.Unsubscribe(); cancel() }, nil
}

func (h *Hub) serveToken(ctx context.Context, tokens *taxii.Tokens, data []byte) TokenReply {
	var req TokenRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return TokenReply{Error: fmt.Sprintf("token request: %v", err)}
	}
	if req.Member != "" || req.Action != "list" {
		if _, ok := h.MoU().Member(req.Member); !ok {
			return TokenReply{Error: fmt.Sprintf("member %q is not in the MoU in force", req.Member)}
		}
	}
	switch req.Action {
	case "create":
		token, info, err := tokens.Create(ctx, req.Member, req.Label)
		if err != nil {
			return TokenReply{Error: err.Error()}
		}
		return TokenReply{Token: token, Tokens: []taxii.TokenInfo{info}}
	case "list":
		return TokenReply{Tokens: tokens.List(req.Member)}
	case "revoke":
		if err := tokens.Revoke(ctx, req.Member, req.ID); err != nil {
			return TokenReply{Error: err.Error()}
		}
		return TokenReply{}
	}
	return TokenReply{Error: fmt.Sprintf("token request: action %q: want create, list or revoke", req.Action)}
}

// devTokens gives every member of a --dev hub a TAXII token in
// DATA/creds/<member>.token, once.
func (h *Hub) devTokens(ctx context.Context, tokens *taxii.Tokens) error {
	for _, m := range h.MoU().Members {
		path := TokenPath(h.cfg.DataDir, m.ID)
		if _, err := os.Stat(path); err == nil {
			continue
		}
		token, _, err := tokens.Create(ctx, m.ID, "dev")
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// taxiiBackend is the hub as the TAXII server sees it.
type taxiiBackend struct{ h *Hub }

func (b taxiiBackend) Member(id string) (taxii.Member, bool) {
	mou := b.h.MoU()
	m, ok := mou.Member(id)
	if !ok {
		return taxii.Member{}, false
	}
	out := taxii.Member{ID: m.ID, Suspended: m.Suspended, Communities: m.Communities}
	for _, p := range mou.Members {
		if p.ID != id && !p.Suspended {
			out.Peers = append(out.Peers, p.ID)
		}
	}
	return out, true
}

// Inbox is the member's inbox consumer's definition: its filters, and
// its creation.
func (b taxiiBackend) Inbox(ctx context.Context, member string) (taxii.Inbox, error) {
	c, err := b.h.js.Consumer(ctx, wire.StreamShare, wire.InboxConsumer(member))
	if err != nil {
		return taxii.Inbox{}, err
	}
	info := c.CachedInfo()
	in := taxii.Inbox{Filters: info.Config.FilterSubjects, Since: info.Created}
	if info.Config.FilterSubject != "" {
		in.Filters = append(in.Filters, info.Config.FilterSubject)
	}
	return in, nil
}

// Submit publishes to the member's intake as its NATS client would: the
// same policy decides, and the same receipt and audit record follow.
func (b taxiiBackend) Submit(ctx context.Context, member, msgID string, bundle []byte, to taxii.Audience) error {
	m := wire.SubmitMsg(member, bundle, wire.SubmitOptions{To: to.To, Community: to.Community, Anonymous: to.Anonymous})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// No Nats-Expected-Stream: the worker copies a held submission's headers
	// into GENEVA_REVIEW, where that header would refuse the copy.
	_, err := b.h.js.PublishMsg(ctx, m, jetstream.WithMsgID(msgID))
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("the hub's intake did not answer within 10s")
	}
	return err
}
