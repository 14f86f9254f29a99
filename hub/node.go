package hub

import (
	"bytes"
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
	"go.yaml.in/yaml/v3"

	"github.com/genevahub/geneva/hub/decide"
	"github.com/genevahub/geneva/policy"
)

// Worker nodes (geneva-hub worker, decide.RunWorkers) take the MoU in
// force and the submission-id key from the KV bucket BucketHub, which only
// the operator's credentials can read; the hub puts them there
// (decide/hubpolicy.go is the reading side).
const (
	BucketHub    = decide.BucketHub
	keyMoU       = decide.KeyMoU
	keySecret    = decide.KeySecret
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

// openNodePolicy reads the secret and the MoU in force from BucketHub
// (decide.OpenHubPolicy).
var openNodePolicy = decide.OpenHubPolicy
