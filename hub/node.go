package hub

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"
	"go.yaml.in/yaml/v3"

	"github.com/genevahub/geneva/hub/decide"
	"github.com/genevahub/geneva/policy"
)

// Worker nodes (geneva-hub worker, RunWorkers) decide submissions next to
// the hub's own workers, on other machines. They take everything from the
// hub over NATS, so a node can never decide under another policy than the
// hub's: the MoU in force and the submission-id key live in the KV bucket
// BucketHub, which only the operator's credentials can read.
const (
	BucketHub    = "GENEVA_HUB"
	keyMoU       = "mou"    // the MoU in force, YAML
	keySecret    = "secret" // the key of submission ids (hub.secret)
	kvMoUHistory = 5
)

// shareWithNodes puts the MoU in force and the secret in BucketHub: at
// start, and after every reload once the new members' streams and users
// exist.
func (h *Hub) shareWithNodes(ctx context.Context, mou *policy.MoU) error {
	kv, err := h.hubBucket(ctx)
	if err != nil {
		return err
	}
	data, err := yaml.Marshal(mou)
	if err != nil {
		return fmt.Errorf("provision %s: %w", BucketHub, err)
	}
	if _, err := kv.Put(ctx, keySecret, h.secret); err != nil {
		return fmt.Errorf("provision %s: %w", BucketHub, err)
	}
	// Unchanged, it is not put again: on a cluster every hub process
	// shares its MoU this way and follows the others' (cluster.go).
	if e, err := kv.Get(ctx, keyMoU); err == nil && bytes.Equal(e.Value(), data) {
		return nil
	}
	if _, err := kv.Put(ctx, keyMoU, data); err != nil {
		return fmt.Errorf("provision %s: %w", BucketHub, err)
	}
	return nil
}

// hubBucket is BucketHub, created when missing.
func (h *Hub) hubBucket(ctx context.Context) (jetstream.KeyValue, error) {
	kv, err := h.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: BucketHub, History: kvMoUHistory, Storage: jetstream.FileStorage,
		Description: "the hub's own state: the MoU in force and the submission-id key (for worker nodes), the scope history",
	})
	if err != nil {
		return nil, fmt.Errorf("provision %s: %w", BucketHub, err)
	}
	return kv, nil
}

// nodePolicy is the policy a worker node decides under: the hub's, as
// BucketHub says.
type nodePolicy struct {
	state decide.PolicyState
	kv    jetstream.KeyValue
	rev   uint64 // the BucketHub revision of the MoU in force (watch goroutine only, after open)
}

// openNodePolicy reads the secret and the MoU in force from BucketHub.
func openNodePolicy(ctx context.Context, js jetstream.JetStream) (*nodePolicy, []byte, error) {
	kv, err := js.KeyValue(ctx, BucketHub)
	if err != nil {
		return nil, nil, fmt.Errorf("bucket %s: %w (is this a Geneva hub's NATS, and are the creds its operator's?)", BucketHub, err)
	}
	secret, err := kv.Get(ctx, keySecret)
	if err != nil {
		return nil, nil, fmt.Errorf("bucket %s: %s: %w", BucketHub, keySecret, err)
	}
	if len(secret.Value()) != 32 {
		return nil, nil, fmt.Errorf("bucket %s: %s: %d bytes, want 32", BucketHub, keySecret, len(secret.Value()))
	}
	entry, err := kv.Get(ctx, keyMoU)
	if err != nil {
		return nil, nil, fmt.Errorf("bucket %s: %s: %w", BucketHub, keyMoU, err)
	}
	p := &nodePolicy{kv: kv}
	if err := p.apply(entry); err != nil {
		return nil, nil, err
	}
	return p, secret.Value(), nil
}

// apply makes a BucketHub MoU entry the policy in force.
func (p *nodePolicy) apply(e jetstream.KeyValueEntry) error {
	mou, err := policy.ParseMoU(fmt.Sprintf("%s/%s@%d", BucketHub, keyMoU, e.Revision()), e.Value())
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

// watch calls changed with each MoU the hub puts after the one in force,
// until ctx is done; done is closed once it has stopped. A MoU that does not parse keeps the one in force (the
// hub checked it before it applied it, so this means a version skew). The
// watch starts from the current value, not from updates only, so a change
// made between open and watch is not missed.
func (p *nodePolicy) watch(ctx context.Context, log *slog.Logger, changed func(*policy.MoU)) (done <-chan struct{}, err error) {
	w, err := p.kv.Watch(ctx, keyMoU)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: watch %s: %w", BucketHub, keyMoU, err)
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
