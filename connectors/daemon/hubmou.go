package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/internal/configfile"
	"github.com/genevahub/geneva/policy"
)

// mouCacheFile, in the spool directory, holds the hub's MoU as last
// fetched (a wire.MoUReply), so a connector starts under the hub's
// policy while the hub is away.
const mouCacheFile = "hub-mou.json"

// mouAskTimeout bounds one request to the hub's MoU service.
const mouAskTimeout = 10 * time.Second

// startPolicy is the MoU pre-flight starts with: the hub's cached copy,
// else the mou: file, else the hub's fetched now.
type startPolicy struct {
	mou    *policy.MoU
	engine *policy.Engine
	// version is the member view's version of mou (policy.MoU.MemberView),
	// as the hub's MoU service names it; hub says it came from the hub.
	version, policyVersion string
	hub                    bool
	local                  string // the mou: file's version, "" without one
}

// hubMoU is what pre-flight follows at run time.
type hubMoU struct {
	mou                    atomic.Pointer[policy.MoU] // the MoU pre-flight decides with (Deps.CurrentMoU)
	mu                     sync.Mutex
	version, policyVersion string
	local                  string // the mou: file's version, "" without one
	warned                 string // the hub version a difference was last warned about
}

func (h *hubMoU) current() (version, policyVersion string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.version, h.policyVersion
}

// readMoUCache reads the cached hub MoU; ok is false when there is none.
func readMoUCache(dir string) (r wire.MoUReply, mou *policy.MoU, ok bool, err error) {
	path := filepath.Join(dir, mouCacheFile)
	data, err := configfile.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil, false, nil
	}
	if err == nil {
		err = json.Unmarshal(data, &r)
	}
	if err == nil {
		mou, err = policy.ParseMoU(path, []byte(r.YAML))
	}
	if err != nil {
		return r, nil, false, fmt.Errorf("the cached hub MoU %s (delete it to fetch it again): %w", path, err)
	}
	return r, mou, true, nil
}

// askMoU asks the hub's MoU service; known is the version held ("" for
// none): the reply carries no YAML while it is still in force.
func askMoU(ctx context.Context, hub *member.Client, known string) (wire.MoUReply, *policy.MoU, error) {
	r, err := hub.MoU(ctx, known)
	if err != nil || r.YAML == "" {
		return r, nil, err
	}
	mou, err := policy.ParseMoU("the hub's MoU "+r.Version, []byte(r.YAML))
	return r, mou, err
}

// fetchMoUOnce dials the hub just to fetch its MoU: the first start of a
// connector with neither a cache nor a mou: file.
func fetchMoUOnce(cfg *Config) (wire.MoUReply, *policy.MoU, error) {
	o, err := hubDialOptions(cfg)
	if err != nil {
		return wire.MoUReply{}, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), mouAskTimeout)
	defer cancel()
	hub, err := member.DialWith(ctx, cfg.Hub.Server, cfg.Hub.Credentials, o)
	if err != nil {
		return wire.MoUReply{}, nil, fmt.Errorf("connect to %s: %w", cfg.Hub.Server, err)
	}
	defer hub.Close()
	return askMoU(ctx, hub, "")
}

// pickPolicy chooses the MoU pre-flight starts with; with fetch false
// (Check) it never dials and may return no MoU.
func pickPolicy(cfg *Config, member string, fetch bool) (*startPolicy, error) {
	p := &startPolicy{}
	var local *policy.MoU
	if cfg.MoU != "" {
		var err error
		if local, err = policy.LoadMoU(cfg.MoU); err != nil {
			return nil, err
		}
		if _, p.local, err = local.MemberView(member); err != nil {
			return nil, fmt.Errorf("mou %s: %w", cfg.MoU, err)
		}
	}
	r, cached, ok, err := readMoUCache(cfg.Spool.Dir)
	switch {
	case err != nil:
		return nil, err
	case ok:
		p.mou, p.version, p.policyVersion, p.hub = cached, r.Version, r.PolicyVersion, true
	case local != nil:
		p.mou, p.version, p.policyVersion = local, p.local, local.Partnership.Version
	case !fetch:
		return p, nil
	default:
		r, mou, err := fetchMoUOnce(cfg)
		if err != nil {
			return nil, fmt.Errorf("no MoU for pre-flight: no cache %s, no mou: file, and %w",
				filepath.Join(cfg.Spool.Dir, mouCacheFile), err)
		}
		if err := writeMoUCache(cfg.Spool.Dir, r); err != nil {
			return nil, err
		}
		p.mou, p.version, p.policyVersion, p.hub = mou, r.Version, r.PolicyVersion, true
	}
	if _, ok := p.mou.Member(member); !ok {
		return nil, fmt.Errorf("mou %s: %q (from %s) is not a member", p.mou.File(), member, cfg.Hub.Credentials)
	}
	if p.engine, err = policy.NewEngine(p.mou); err != nil {
		return nil, err
	}
	return p, nil
}

func writeMoUCache(dir string, r wire.MoUReply) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	data, _ := json.Marshal(r)
	if err := writeDurable(dir, mouCacheFile, data); err != nil {
		return fmt.Errorf("cache the hub's MoU: %w", err)
	}
	return nil
}

// followMoU keeps pre-flight on the hub's MoU: it asks at start, every
// hub.mou_refresh, on each (re)connection to the hub, and when a receipt
// was decided under another partnership version than the one held
// (mouStale).
func (c *Connector) followMoU(ctx context.Context) {
	for {
		c.refreshMoU(ctx)
		t := time.NewTimer(c.cfg.Hub.MoURefresh)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-c.mouStale:
			t.Stop()
		}
	}
}

// refreshMoU asks the hub once and adopts a new MoU; while the hub is
// away pre-flight keeps the one it holds.
func (c *Connector) refreshMoU(ctx context.Context) {
	if !c.hub.Connected() {
		return
	}
	known, _ := c.mouState.current()
	actx, cancel := context.WithTimeout(ctx, mouAskTimeout)
	defer cancel()
	r, mou, err := askMoU(actx, c.hub, known)
	if err == nil && mou != nil {
		err = c.adoptMoU(r, mou)
	}
	if err != nil && ctx.Err() == nil {
		c.log.Warn("pre-flight keeps the MoU it holds", "version", known, "err", err)
	}
}

func (c *Connector) adoptMoU(r wire.MoUReply, mou *policy.MoU) error {
	if _, ok := mou.Member(c.member); !ok {
		return fmt.Errorf("the hub's MoU %s does not list %q", r.Version, c.member)
	}
	engine, err := policy.NewEngine(mou)
	if err != nil {
		return fmt.Errorf("the hub's MoU %s: %w", r.Version, err)
	}
	if err := writeMoUCache(c.spool.Dir(), r); err != nil {
		c.log.Warn("the hub's MoU is followed but not cached", "err", err)
	}
	c.preflight.SetEngine(engine)
	c.mouState.mou.Store(mou)
	s := &c.mouState
	s.mu.Lock()
	previous := s.version
	s.version, s.policyVersion = r.Version, r.PolicyVersion
	s.mu.Unlock()
	c.log.Info("pre-flight follows the hub's MoU", "version", r.Version, "policy_version", r.PolicyVersion, "previous", previous)
	c.warnLocalMoU()
	return nil
}

// warnLocalMoU says, once per hub version, that the mou: file is not the
// hub's MoU: pre-flight uses the hub's.
func (c *Connector) warnLocalMoU() {
	s := &c.mouState
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.local == "" || s.local == s.version || s.warned == s.version {
		return
	}
	s.warned = s.version
	c.log.Error("the mou: file differs from the hub's MoU in force; pre-flight uses the hub's",
		"mou_file", c.cfg.MoU, "file_version", s.local, "hub_version", s.version, "hub_policy_version", s.policyVersion)
}

// policyChanged is a receipt's hint: decided under partnership version v.
func (c *Connector) policyChanged(v string) {
	if _, held := c.mouState.current(); v == "" || v == held {
		return
	}
	c.askMoUSoon()
}

// askMoUSoon wakes followMoU: the hub (re)connected or hinted at a change.
func (c *Connector) askMoUSoon() {
	select {
	case c.mouStale <- struct{}{}:
	default:
	}
}
