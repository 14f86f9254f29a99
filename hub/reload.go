package hub

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/genevahub/geneva/policy"
)

// Reload re-reads the MoU (the file, or the built-in demo) and applies it:
// new members can connect at once, suspended members are disconnected at
// once, changed communities change each member's inbox filters from then
// on. On error the MoU in force stays. main calls it on SIGHUP.
func (h *Hub) Reload(ctx context.Context) error {
	if h.cfg.MoU != nil {
		return errors.New("reload: the MoU was set in code; use ApplyMoU")
	}
	mou, err := loadMoU(h.cfg)
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	return h.ApplyMoU(ctx, mou)
}

// ApplyMoU replaces the MoU in force, as Reload does with a file.
func (h *Hub) ApplyMoU(ctx context.Context, mou *policy.MoU) error {
	req := reloadRequest{mou: mou, reply: make(chan error, 1)}
	select {
	case h.reload <- req:
	case <-h.stopped:
		return errors.New("reload: the hub is stopping")
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.reply
}

// reloadRequest asks Run's loop to apply mou (nil: load it from the config).
type reloadRequest struct {
	mou   *policy.MoU
	reply chan error
}

func (h *Hub) applyReload(ctx context.Context, mou *policy.MoU) error {
	if mou == nil {
		var err error
		if mou, err = loadMoU(h.cfg); err != nil {
			return err
		}
	}
	engine, err := policy.NewEngine(mou)
	if err == nil {
		err = checkMemberIDs(mou)
	}
	if err != nil {
		return fmt.Errorf("mou: %w", err)
	}
	// Streams and consumers first, so a new member's first submission has
	// somewhere to go the moment it can connect.
	if err := h.provision(ctx, engine); err != nil {
		return err
	}
	var opts *server.Options // JWT accounts are pushed, not reloaded
	if !h.cfg.JWTAccounts {
		if opts, err = h.withUsers(h.base, mou); err != nil {
			return err
		}
	}
	changes := diffMembers(h.MoU(), mou)
	h.policy.Set(mou, engine)
	// On a cluster (cluster.go) its servers hold the member users; JWT
	// accounts are pushed to the servers, embedded or the cluster's.
	if h.cfg.JWTAccounts {
		err = h.pushAccounts(mou)
	} else {
		err = h.reloadUsers(opts)
	}
	if err != nil {
		return err
	}
	if err := h.followIntakes(ctx, mou); err != nil {
		return err
	}
	if err := h.shareWithNodes(ctx, mou); err != nil {
		return err
	}
	h.log.Info("mou applied", append([]any{"policy_version", mou.Partnership.Version, "members", len(mou.Members)}, changes.attrs()...)...)
	return nil
}

// watchMoUFile signals when the MoU file's modification time or size
// changes (polled: no extra dependency, and editors that replace the file
// are handled the same way).
func (h *Hub) watchMoUFile(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{})
	if h.cfg.MoUFile == "" || h.cfg.MoU != nil {
		return ch
	}
	stamp := func() string {
		fi, err := os.Stat(h.cfg.MoUFile)
		if err != nil {
			return ""
		}
		return fmt.Sprint(fi.ModTime().UnixNano(), fi.Size())
	}
	last := stamp()
	h.spawn(func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if s := stamp(); s != "" && s != last {
					last = s
					select {
					case ch <- struct{}{}:
					case <-ctx.Done():
						return
					}
				}
			}
		}
	})
	return ch
}
