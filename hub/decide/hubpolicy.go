package decide

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/policy"
)

// Worker nodes (RunWorkers) decide submissions next to the hub's own
// workers, on other machines. They take everything from the hub over
// NATS, so a node can never decide under another policy than the hub's:
// the MoU in force and the submission-id key live in the KV bucket
// BucketHub, which only the operator's credentials can read (the hub
// writes them there: hub/node.go).
const (
	BucketHub = "GENEVA_HUB"
	KeyMoU    = "mou"    // the MoU in force, YAML
	KeySecret = "secret" // the key of submission ids (the hub's hub.secret)
)

// HubPolicy is the policy a worker node decides under: the hub's, as
// BucketHub says (a hub process on a NATS cluster follows the other
// processes' changes with it too).
type HubPolicy struct {
	state PolicyState
	kv    jetstream.KeyValue
	rev   uint64 // the BucketHub revision of the MoU in force (watch goroutine only, after open)
}

// OpenHubPolicy reads the secret and the MoU in force from BucketHub.
func OpenHubPolicy(ctx context.Context, js jetstream.JetStream) (*HubPolicy, []byte, error) {
	kv, err := js.KeyValue(ctx, BucketHub)
	if err != nil {
		return nil, nil, fmt.Errorf("bucket %s: %w (is this a Geneva hub's NATS, and are the creds its operator's?)", BucketHub, err)
	}
	secret, err := kv.Get(ctx, KeySecret)
	if err != nil {
		return nil, nil, fmt.Errorf("bucket %s: %s: %w", BucketHub, KeySecret, err)
	}
	if len(secret.Value()) != 32 {
		return nil, nil, fmt.Errorf("bucket %s: %s: %d bytes, want 32", BucketHub, KeySecret, len(secret.Value()))
	}
	entry, err := kv.Get(ctx, KeyMoU)
	if err != nil {
		return nil, nil, fmt.Errorf("bucket %s: %s: %w", BucketHub, KeyMoU, err)
	}
	p := &HubPolicy{kv: kv}
	if err := p.apply(entry); err != nil {
		return nil, nil, err
	}
	return p, secret.Value(), nil
}

// apply makes a BucketHub MoU entry the policy in force.
func (p *HubPolicy) apply(e jetstream.KeyValueEntry) error {
	mou, err := policy.ParseMoU(fmt.Sprintf("%s/%s@%d", BucketHub, KeyMoU, e.Revision()), e.Value())
	if err != nil {
		return err
	}
	engine, err := policy.NewEngine(mou)
	if err != nil {
		return fmt.Errorf("mou: %w", err)
	}
	p.state.Set(mou, engine)
	p.rev = e.Revision()
	return nil
}

// Watch calls changed with each MoU the hub puts after the one in force,
// until ctx is done; done is closed once it has stopped. A MoU that does not parse keeps the one in force (the
// hub checked it before it applied it, so this means a version skew). The
// watch starts from the current value, not from updates only, so a change
// made between open and watch is not missed.
func (p *HubPolicy) Watch(ctx context.Context, log *slog.Logger, changed func(*policy.MoU)) (done <-chan struct{}, err error) {
	w, err := p.kv.Watch(ctx, KeyMoU)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: watch %s: %w", BucketHub, KeyMoU, err)
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		defer func() { _ = w.Stop() }()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e == nil || e.Operation() != jetstream.KeyValuePut || e.Revision() <= p.rev {
					continue
				}
				if err := p.apply(e); err != nil {
					log.Error("mou from the hub not applied; keeping the one in force", "err", err)
					continue
				}
				changed(p.state.MoU())
			}
		}
	}()
	return stopped, nil
}
